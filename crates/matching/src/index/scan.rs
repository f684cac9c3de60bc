//! Popcount kernels: Hamming distance of one query against many stored hashes.
//!
//! The default x86-64 target has no `popcnt` instruction, so the hot loops are compiled a second
//! (and third) time with `popcnt`/AVX2/AVX-512 enabled and chosen at run time.

/// A stored hash: four words aligned to 32 bytes, so that it never straddles two cache lines.
/// (A plain `Vec<[u64; 4]>` from the system allocator starts 16 bytes past a line boundary, so
/// half its hashes span two lines; random reads of such hashes measured 3.6× slower here.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, align(32))]
pub struct Stored(pub [u64; 4]);

#[inline(always)]
pub fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones() + (a[1] ^ b[1]).count_ones() + (a[2] ^ b[2]).count_ones() + (a[3] ^ b[3]).count_ones()
}

const CHUNK: usize = 64;

/// The body of the linear scan: calls `hit(position, distance)` for every hash within `radius`.
#[inline(always)]
fn scan_body(hashes: &[Stored], q: &[u64; 4], radius: u32, hit: &mut dyn FnMut(usize, u32)) {
    let mut dist = [0u32; CHUNK];
    for (c, chunk) in hashes.chunks(CHUNK).enumerate() {
        for (d, h) in dist.iter_mut().zip(chunk) {
            *d = distance(&h.0, q);
        }
        for (i, &d) in dist[..chunk.len()].iter().enumerate() {
            if d <= radius {
                hit(c * CHUNK + i, d);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
fn scan_avx512(hashes: &[Stored], q: &[u64; 4], radius: u32, hit: &mut dyn FnMut(usize, u32)) {
    scan_body(hashes, q, radius, hit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn scan_avx2(hashes: &[Stored], q: &[u64; 4], radius: u32, hit: &mut dyn FnMut(usize, u32)) {
    scan_body(hashes, q, radius, hit)
}

/// Linear scan: `hit(position, distance)` for every hash within `radius` of `q`, in order.
pub fn scan(hashes: &[Stored], q: &[u64; 4], radius: u32, hit: &mut dyn FnMut(usize, u32)) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512vpopcntdq") && std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports the features the function was compiled for.
            return unsafe { scan_avx512(hashes, q, radius, hit) };
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
            // SAFETY: as above.
            return unsafe { scan_avx2(hashes, q, radius, hit) };
        }
    }
    scan_body(hashes, q, radius, hit)
}

/// Hints the CPU to start loading the cache line holding `p`, into the L2 cache (`prefetcht1`).
///
/// The probe issues a few thousand of these per query before reading any: on the benchmark
/// machine (AMD EPYC, Zen 4) `prefetcht1` made queries about 20 % faster than `prefetcht0`,
/// whose lines go to the 32 KiB L1 and compete for its few miss buffers.
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        // SAFETY: prefetching is a hint and never faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T1>(p.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// True when the CPU has `popcnt` (then the index uses its `popcnt` build of the probe loop).
#[cfg(target_arch = "x86_64")]
pub fn has_popcnt() -> bool {
    std::is_x86_feature_detected!("popcnt")
}
