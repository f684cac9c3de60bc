//! Synthetic PDQ-like hashes for tests and benchmarks: balanced 256-bit values (128 bits set) and
//! queries made by flipping bits of stored ones. Deterministic for a given seed (SplitMix64).

use media::Hash256;

/// SplitMix64: a tiny, fast, well-mixed generator; enough for synthetic data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// A random hash with exactly 128 bits set.
pub fn balanced(rng: &mut Rng) -> Hash256 {
    let mut w = [rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64()];
    let mut ones: u32 = w.iter().map(|x| x.count_ones()).sum();
    while ones != 128 {
        let bit = rng.below(256) as usize;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        let set = w[word] & mask != 0;
        if ones > 128 && set {
            w[word] &= !mask;
            ones -= 1;
        } else if ones < 128 && !set {
            w[word] |= mask;
            ones += 1;
        }
    }
    Hash256::from_words(w)
}

/// `h` with `k` distinct random bits flipped.
pub fn flip(rng: &mut Rng, h: &Hash256, k: u32) -> Hash256 {
    let mut w = h.words();
    let mut flipped = [0u64; 4];
    let mut done = 0;
    while done < k.min(256) {
        let bit = rng.below(256) as usize;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        if flipped[word] & mask == 0 {
            flipped[word] |= mask;
            w[word] ^= mask;
            done += 1;
        }
    }
    Hash256::from_words(w)
}

/// The benchmark's database: `n` balanced hashes.
pub fn database(seed: u64, n: usize) -> Vec<Hash256> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| balanced(&mut rng)).collect()
}

/// The benchmark's queries: each a random database entry with 0..=`max_flips` bits flipped.
pub fn queries(seed: u64, db: &[Hash256], count: usize, max_flips: u32) -> Vec<Hash256> {
    let mut rng = Rng::new(seed ^ 0x5155_4552_5945_5321);
    if db.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|_| {
            let base = db[rng.below(db.len() as u64) as usize];
            let k = rng.below(u64::from(max_flips) + 1) as u32;
            flip(&mut rng, &base, k)
        })
        .collect()
}

/// Clustered data: `clusters` random centres, each with members a few bits away (near-duplicates,
/// as real hash lists have), plus the centres themselves.
pub fn clustered(seed: u64, clusters: usize, per_cluster: usize, max_flips: u32) -> Vec<Hash256> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(clusters * (per_cluster + 1));
    for _ in 0..clusters {
        let c = balanced(&mut rng);
        out.push(c);
        for _ in 0..per_cluster {
            let k = rng.below(u64::from(max_flips) + 1) as u32;
            out.push(flip(&mut rng, &c, k));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_and_flips() {
        let mut rng = Rng::new(7);
        let h = balanced(&mut rng);
        assert_eq!(h.count_ones(), 128);
        let f = flip(&mut rng, &h, 13);
        assert_eq!(h.distance(&f), 13);
        assert_eq!(database(1, 3), database(1, 3));
    }
}
