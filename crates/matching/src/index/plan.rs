//! How a segment splits the 256 bits into substrings, and how far each substring table is probed for
//! a given radius.
//!
//! Exactness rests on the generalised pigeonhole principle: split the bits into disjoint parts and
//! give part `i` a probe radius `t_i` (or leave it unprobed). If a stored hash is within distance `r`
//! of the query and `Σ (t_i + 1) > r` over the probed parts, at least one probed part differs by at
//! most `t_i` bits, so that table's probe finds it. Norouzi et al.'s multi-index hashing is the case
//! `t_i = ⌊r / m⌋` for every part; choosing the `t_i` per part lets a split with wider parts (fewer
//! candidates per probe) still be exact.

/// One substring: `bits` consecutive bits of the hash starting at bit `start` (bit `p` is bit
/// `p % 64` of word `p / 64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub start: u32,
    pub bits: u32,
}

/// The widest substring a table may use (its offset array has `2^bits + 1` entries).
pub const MAX_PART_BITS: u32 = 24;

/// The fewest parts a segment uses (11 parts are at most 24 bits wide).
pub const MIN_PARTS: u32 = 11;

/// The most parts a segment uses (a probe keeps the query's key of each part on the stack).
pub const MAX_PARTS: u32 = 32;

/// A split of the 256 bits into `m` contiguous parts of near-equal width.
pub fn split(m: u32) -> Vec<Part> {
    assert!((1..=256).contains(&m));
    let base = 256 / m;
    let wide = 256 % m; // the first `wide` parts get one bit more
    let mut start = 0;
    (0..m)
        .map(|i| {
            let bits = base + u32::from(i < wide);
            let part = Part { start, bits };
            start += bits;
            part
        })
        .collect()
}

/// Extracts a part's value from a hash given as four words.
#[inline(always)]
pub fn key(h: &[u64; 4], part: Part) -> u32 {
    let w = (part.start / 64) as usize;
    let s = part.start % 64;
    let lo = h[w] >> s;
    let v = if s + part.bits > 64 { lo | (h[w + 1] << (64 - s)) } else { lo };
    (v & ((1u64 << part.bits) - 1)) as u32
}

/// Number of `bits`-bit values within Hamming distance `t` of a given one.
pub fn ball(bits: u32, t: u32) -> f64 {
    let mut total = 0.0;
    let mut c = 1.0;
    for k in 0..=t.min(bits) {
        if k > 0 {
            c = c * f64::from(bits - k + 1) / f64::from(k);
        }
        total += c;
    }
    total
}

/// Relative cost of one probe (offset lookup) and of one candidate check (random access to a
/// stored hash), and of one hash in a linear scan (sequential, SIMD). Measured on the benchmark
/// machine; only their ratios matter.
const PROBE_COST: f64 = 0.5;
const CANDIDATE_COST: f64 = 1.0;
const SCAN_COST: f64 = 0.08;

/// Probe radius per part (`None` = part not probed) for one radius, with its estimated cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub radii: Vec<Option<u32>>,
    pub cost: f64,
}

/// The cheapest exact probe assignment for `parts` over `n` stored hashes at radius `r`
/// (a small knapsack: each probed part contributes `t + 1` towards the `r + 1` the pigeonhole
/// argument needs).
pub fn probe(parts: &[Part], n: usize, r: u32) -> Probe {
    let need = r as usize + 1;
    let n = n as f64;
    // dp[c] = (cost, choices) to reach contribution c (capped at `need`).
    let mut dp: Vec<Option<(f64, Vec<Option<u32>>)>> = vec![None; need + 1];
    dp[0] = Some((0.0, Vec::new()));
    for part in parts {
        let mut next: Vec<Option<(f64, Vec<Option<u32>>)>> = vec![None; need + 1];
        for (c, entry) in dp.iter().enumerate() {
            let Some((cost, choice)) = entry else {
                continue;
            };
            let mut relax = |c2: usize, cost2: f64, t: Option<u32>| {
                let c2 = c2.min(need);
                if next[c2].as_ref().is_none_or(|(best, _)| cost2 < *best) {
                    let mut ch = choice.clone();
                    ch.push(t);
                    next[c2] = Some((cost2, ch));
                }
            };
            relax(c, *cost, None);
            for t in 0..=part.bits.min(12) {
                let v = ball(part.bits, t);
                let per = v * (PROBE_COST + CANDIDATE_COST * n / 2f64.powi(part.bits as i32));
                relax(c + t as usize + 1, cost + per, Some(t));
            }
        }
        dp = next;
    }
    match dp[need].take() {
        Some((cost, radii)) => Probe { radii, cost },
        // Not reachable with these parts (radius too large): probing is pointless.
        None => Probe { radii: vec![None; parts.len()], cost: f64::INFINITY },
    }
}

/// Estimated cost of a linear scan over `n` hashes, in the same units as [`Probe::cost`].
pub fn scan_cost(n: usize) -> f64 {
    n as f64 * SCAN_COST
}

/// Below this many hashes a segment keeps no tables and is always scanned.
pub const FLAT_MAX: usize = 4096;

/// Offset arrays may take at most this many bytes per stored hash (plus a fixed 8 MiB allowance,
/// so that small segments can use 16-bit tables).
const OFFSET_BYTES_PER_HASH: f64 = 16.0;

/// Segments below this size always use 16 × 16 bits.
pub const SIXTEEN_MAX: usize = 1 << 22;

/// The number of parts a segment of `n` hashes uses, chosen for radius 31 (the PDQ default) by
/// the cost model, within the memory budget. 16 (Meta's and FAISS's 16 × 16 bits) for small and
/// medium `n`; fewer, wider parts at several million hashes.
pub fn choose_parts(n: usize) -> u32 {
    // Measured (docs/matching.md): up to a few million hashes 16 × 16 is as fast as any wider
    // split and far smaller; the cost model below only decides for larger segments.
    if n < SIXTEEN_MAX {
        return 16;
    }
    let mut best = (16, f64::INFINITY);
    for m in MIN_PARTS..=16u32 {
        let parts = split(m);
        if parts.iter().any(|p| p.bits > MAX_PART_BITS) {
            continue;
        }
        // Packed offsets: about 1.06 bytes per bucket.
        let bytes: f64 = parts.iter().map(|p| 1.0625 * 2f64.powi(p.bits as i32)).sum();
        if bytes > OFFSET_BYTES_PER_HASH * n as f64 + 8.0 * 1024.0 * 1024.0 {
            continue;
        }
        let cost = probe(&parts, n, 31).cost;
        // Prefer 16 × 16 unless another split is clearly cheaper.
        let cost = if m == 16 { cost / 1.25 } else { cost };
        if cost < best.1 {
            best = (m, cost);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_every_bit_once() {
        for m in 1..=32 {
            let parts = split(m);
            assert_eq!(parts.iter().map(|p| p.bits).sum::<u32>(), 256);
            assert_eq!(parts[0].start, 0);
            for w in parts.windows(2) {
                assert_eq!(w[0].start + w[0].bits, w[1].start);
            }
        }
    }

    #[test]
    fn key_reads_across_word_boundaries() {
        let h = [0u64, 1 << 63, 0b101, 0];
        assert_eq!(key(&h, Part { start: 127, bits: 4 }), 0b1011);
        assert_eq!(key(&h, Part { start: 0, bits: 16 }), 0);
    }

    #[test]
    fn probes_are_exact_by_pigeonhole() {
        for m in [8, 12, 16] {
            let parts = split(m);
            for r in 0..=64 {
                let p = probe(&parts, 10_000_000, r);
                if p.cost.is_finite() {
                    let sum: u32 = p.radii.iter().flatten().map(|t| t + 1).sum();
                    assert!(sum > r, "m={m} r={r} {p:?}");
                }
            }
        }
        // 16 × 16 at radius 31 is the classic one flip per table.
        let p = probe(&split(16), 1_000_000, 31);
        assert!(p.radii.iter().all(|t| *t == Some(1)), "{p:?}");
    }

    #[test]
    fn ball_sizes() {
        assert_eq!(ball(16, 1), 17.0);
        assert_eq!(ball(21, 2), 232.0);
    }
}
