//! Memory microbenchmark behind the index's layout choices: the cost of checking a batch of
//! random 256-bit hashes against a query (the index's candidate check), per candidate, for
//! variations of layout and prefetching. x86-64 Linux only.
//!
//! `cargo run --release -p matching --example random_reads -- [N] [BATCH] [ROUNDS]`
//!
//! Each round draws BATCH random positions among N hashes (default 10M hashes = 320 MB, batches
//! of 2,900 as a query at radius 31 has) and computes the distance of each; the variants run in
//! turn, round after round, and report nanoseconds of thread CPU time per candidate (median
//! over rounds):
//! - `aligned t1`: hashes 64-byte aligned, `prefetcht1` 64 candidates ahead (what the index does);
//! - `offset16 t1`: the same array starting 16 bytes into a cache line, as a `Vec<[u64; 4]>`
//!   from the system allocator does: every other hash spans two lines;
//! - `aligned t0`: `prefetcht0` instead;
//! - `aligned none`: no software prefetch;
//! - `aligned sorted t1`: the batch sorted by position first (the sort is reported apart);
//! - `4k pages t1`: a second array with `MADV_NOHUGEPAGE`.
//!
//! Then the latency of one read on its own: a chain of dependent reads through the array.

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod bench {
    use std::arch::x86_64::{_MM_HINT_T0, _MM_HINT_T1, _mm_prefetch};

    const AHEAD: usize = 64;

    fn thread_cpu_s() -> f64 {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid timespec for the call to fill.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
    }

    /// `words` u64s starting on a 2 MiB boundary, advised to use huge pages or not, filled by `fill`.
    struct Region {
        buf: Vec<u64>,
        start: usize,
    }

    impl Region {
        fn new(words: usize, huge: bool, fill: &mut impl FnMut() -> u64) -> Region {
            const HUGE: usize = 2 << 20;
            let mut buf: Vec<u64> = Vec::with_capacity(words + HUGE / 8);
            let addr = buf.as_ptr() as usize;
            let start = (addr.next_multiple_of(HUGE) - addr) / 8;
            let advice = if huge { libc::MADV_HUGEPAGE } else { libc::MADV_NOHUGEPAGE };
            // SAFETY: a hint about pages of our own, not yet touched allocation.
            unsafe { libc::madvise((addr + start * 8) as *mut libc::c_void, words * 8, advice) };
            buf.resize(words + HUGE / 8, 0);
            for w in &mut buf[start..] {
                *w = fill();
            }
            Region { buf, start }
        }

        /// The hashes, starting `skew` words past the 2 MiB boundary.
        fn hashes(&self, skew: usize, n: usize) -> &[u64] {
            &self.buf[self.start + skew..self.start + skew + 4 * n]
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Prefetch {
        None,
        T0,
        T1,
    }

    #[inline(always)]
    fn prefetch(p: *const u64, how: Prefetch) {
        // SAFETY: prefetching is a hint and never faults, whatever the address.
        unsafe {
            match how {
                Prefetch::None => {}
                Prefetch::T0 => _mm_prefetch::<_MM_HINT_T0>(p.cast()),
                Prefetch::T1 => _mm_prefetch::<_MM_HINT_T1>(p.cast()),
            }
        }
    }

    /// Candidates within distance 31 of `q` among `cand` (positions in `h`, 4 words each).
    #[target_feature(enable = "popcnt")]
    fn check(h: &[u64], cand: &[u32], q: &[u64; 4], how: Prefetch) -> usize {
        let at = |c: u32| h.as_ptr().wrapping_add(4 * c as usize);
        for &c in cand.iter().take(AHEAD) {
            prefetch(at(c), how);
        }
        let mut hits = 0;
        for (j, &c) in cand.iter().enumerate() {
            if let Some(&next) = cand.get(j + AHEAD) {
                prefetch(at(next), how);
            }
            let w = &h[4 * c as usize..4 * c as usize + 4];
            let d: u32 = w.iter().zip(q).map(|(a, b)| (a ^ b).count_ones()).sum();
            hits += usize::from(d <= 31);
        }
        hits
    }

    pub fn main() {
        if !std::is_x86_feature_detected!("popcnt") {
            eprintln!("random_reads: needs popcnt");
            return;
        }
        let args: Vec<String> = std::env::args().skip(1).collect();
        let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
        let (n, batch, rounds) = (arg(0, 10_000_000), arg(1, 2_900), arg(2, 300).max(1));
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut rng = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let huge = Region::new(4 * n + 8, true, &mut rng);
        let small = Region::new(4 * n + 8, false, &mut rng);
        let q = [rng(), rng(), rng(), rng()];
        let variants: [(&str, &[u64], Prefetch, bool); 6] = [
            ("aligned t1", huge.hashes(0, n), Prefetch::T1, false),
            ("offset16 t1", huge.hashes(2, n), Prefetch::T1, false),
            ("aligned t0", huge.hashes(0, n), Prefetch::T0, false),
            ("aligned none", huge.hashes(0, n), Prefetch::None, false),
            ("aligned sorted t1", huge.hashes(0, n), Prefetch::T1, true),
            ("4k pages t1", small.hashes(0, n), Prefetch::T1, false),
        ];
        let mut times = vec![Vec::new(); variants.len()];
        let mut sort_times = Vec::new();
        let mut cand = vec![0u32; batch];
        let mut hits = 0;
        for _ in 0..rounds {
            for (v, &(_, h, how, sorted)) in variants.iter().enumerate() {
                for c in cand.iter_mut() {
                    *c = (rng() % n as u64) as u32;
                }
                if sorted {
                    let t = thread_cpu_s();
                    cand.sort_unstable();
                    sort_times.push((thread_cpu_s() - t) / batch as f64 * 1e9);
                }
                let t = thread_cpu_s();
                // SAFETY: main checked that the CPU has popcnt.
                hits += unsafe { check(h, &cand, &q, how) };
                times[v].push((thread_cpu_s() - t) / batch as f64 * 1e9);
            }
        }
        println!("{n} hashes ({} MB), batches of {batch}, {rounds} rounds ({hits} hits)", n * 32 / 1_000_000);
        for ((name, ..), t) in variants.iter().zip(&mut times) {
            t.sort_by(f64::total_cmp);
            println!("{name:>18}: {:5.1} ns per candidate (median)", t[t.len() / 2]);
        }
        sort_times.sort_by(f64::total_cmp);
        println!("{:>18}: {:5.1} ns per candidate (median)", "sorting the batch", sort_times[sort_times.len() / 2]);

        // Dependent reads: each position comes from the hash read before it. The first word of
        // each hash becomes the next position of a full-period linear congruential sequence
        // (one cycle through 2^k positions), so the chain never settles in the cache.
        drop(small);
        let mut huge = huge;
        let span = 1usize << (usize::BITS - 1 - n.leading_zeros());
        // Hull–Dobell: an odd increment and a multiplier of the form 4k + 1 give a full period.
        let next = |i: usize| {
            (i as u64).wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407)
                & (span as u64 - 1)
        };
        let h = &mut huge.buf[huge.start..huge.start + 4 * span];
        for i in 0..span {
            h[4 * i] = next(i);
        }
        let steps = 200_000;
        let mut pos = 0usize;
        let t = thread_cpu_s();
        for _ in 0..steps {
            pos = h[4 * pos] as usize;
        }
        let chain = (thread_cpu_s() - t) / steps as f64 * 1e9;
        println!("{:>18}: {chain:5.1} ns per read (end at {pos})", "dependent reads");
    }
}

fn main() {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    bench::main();
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    eprintln!("random_reads: x86-64 Linux only");
}
