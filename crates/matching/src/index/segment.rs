//! An immutable set of hashes with its substring tables (or none: a flat segment, always scanned).

use std::sync::OnceLock;

use super::plan::{self, Part, Probe};
use super::scan::{self, distance, prefetch};

/// One substring table in compressed-sparse-row form: the members of bucket `k` are
/// `ids[offsets[k]..offsets[k + 1]]` (positions in the segment's hash array). Table 0 has no `ids`:
/// the hash array itself is sorted by part 0, so its buckets are ranges of positions.
struct Table {
    offsets: Offsets,
    ids: Box<[u32]>,
}

/// Where each bucket starts. `Packed` stores a `u32` base per block of 64 buckets and a `u8` count
/// of the block's entries before each bucket: about 1.06 bytes per bucket instead of 4. A table
/// whose blocks overflow a byte (heavily clustered data) keeps `Plain` offsets.
enum Offsets {
    Plain(Box<[u32]>),
    Packed {
        base: Box<[u32]>,
        within: Box<[u8]>,
    },
    /// As `Packed` with `u16` counts, for tables with fuller buckets (16-bit parts at millions of hashes).
    Packed16 {
        base: Box<[u32]>,
        within: Box<[u16]>,
    },
}

impl Offsets {
    fn pack(plain: Vec<u32>) -> Offsets {
        let buckets = plain.len() - 1;
        if buckets < 64 || buckets % 64 != 0 {
            return Offsets::Plain(plain.into());
        }
        let base: Vec<u32> = plain.iter().step_by(64).copied().collect();
        let widest = (0..buckets / 64).map(|b| plain[b * 64 + 63] - plain[b * 64]).max().unwrap_or(0);
        let within = |i: usize| plain[i] - plain[i & !63];
        if widest <= u32::from(u8::MAX) {
            let mut w = huge_vec::<u8>(buckets);
            for (i, slot) in w.iter_mut().enumerate() {
                *slot = within(i) as u8;
            }
            Offsets::Packed { base: base.into(), within: w.into() }
        } else if widest <= u32::from(u16::MAX) {
            let mut w = huge_vec::<u16>(buckets);
            for (i, slot) in w.iter_mut().enumerate() {
                *slot = within(i) as u16;
            }
            Offsets::Packed16 { base: base.into(), within: w.into() }
        } else {
            Offsets::Plain(plain.into())
        }
    }

    #[inline(always)]
    fn range(&self, k: usize) -> (usize, usize) {
        match self {
            Offsets::Plain(o) => (o[k] as usize, o[k + 1] as usize),
            Offsets::Packed { base, within } => {
                let b = base[k >> 6] as usize;
                let lo = b + within[k] as usize;
                let hi = if k & 63 == 63 { base[(k >> 6) + 1] as usize } else { b + within[k + 1] as usize };
                (lo, hi)
            }
            Offsets::Packed16 { base, within } => {
                let b = base[k >> 6] as usize;
                let lo = b + within[k] as usize;
                let hi = if k & 63 == 63 { base[(k >> 6) + 1] as usize } else { b + within[k + 1] as usize };
                (lo, hi)
            }
        }
    }

    #[inline(always)]
    fn prefetch(&self, k: usize) {
        match self {
            Offsets::Plain(o) => prefetch(o.as_ptr().wrapping_add(k)),
            Offsets::Packed { within, .. } => prefetch(within.as_ptr().wrapping_add(k)),
            Offsets::Packed16 { within, .. } => prefetch(within.as_ptr().wrapping_add(k)),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Offsets::Plain(o) => o.len() * 4,
            Offsets::Packed { base, within } => base.len() * 4 + within.len(),
            Offsets::Packed16 { base, within } => base.len() * 4 + within.len() * 2,
        }
    }
}

pub struct Segment {
    /// Stored hashes, sorted by the value of part 0 when the segment has tables.
    hashes: Box<[[u64; 4]]>,
    /// The caller's id of each stored hash.
    ids: Box<[u32]>,
    parts: Vec<Part>,
    tables: Vec<Table>,
    /// Probe plan per radius 0..=256, computed on first use.
    probes: Box<[OnceLock<Probe>]>,
}

/// Reusable buffers for one search (kept per thread).
#[derive(Default)]
pub struct Scratch {
    keys: Vec<u32>,
    ranges: Vec<(u32, u32)>,
    cand: Vec<u32>,
    /// `(end in cand, part index)` for each probed table, in probe order.
    spans: Vec<(usize, usize)>,
}

impl Segment {
    /// Builds a segment over `items` (caller id, hash words). The split is chosen from the size
    /// unless `parts` says how many substrings to use (`Some(0)` = flat).
    pub fn build(items: Vec<(u32, [u64; 4])>, parts: Option<u32>) -> Segment {
        let n = items.len();
        assert!(n < u32::MAX as usize, "a segment holds fewer than 2^32 hashes");
        let m = parts.unwrap_or_else(|| if n <= plan::FLAT_MAX { 0 } else { plan::choose_parts(n) });
        if m == 0 {
            let (ids, hashes): (Vec<u32>, Vec<[u64; 4]>) = items.into_iter().unzip();
            return Segment {
                hashes: hashes.into(),
                ids: ids.into(),
                parts: Vec::new(),
                tables: Vec::new(),
                probes: Box::new([]),
            };
        }
        // Parts wider than MAX_PART_BITS would need huge offset arrays: use at least 11.
        let parts = plan::split(m.max(plan::MIN_PARTS));

        // Sort by part 0 (counting sort), which makes table 0's buckets position ranges.
        let p0 = parts[0];
        let offsets0 = offsets(&items, |h| plan::key(h, p0), p0.bits);
        let mut order = vec![0u32; n];
        {
            let mut next = offsets0.clone();
            for (i, (_, h)) in items.iter().enumerate() {
                let k = plan::key(h, p0) as usize;
                order[next[k] as usize] = i as u32;
                next[k] += 1;
            }
        }
        let mut hashes = huge_vec::<[u64; 4]>(n);
        let mut ids = Vec::with_capacity(n);
        for (slot, &i) in hashes.iter_mut().zip(&order) {
            let (id, h) = items[i as usize];
            ids.push(id);
            *slot = h;
        }
        drop(order);
        drop(items);

        let mut tables = vec![Table { offsets: Offsets::pack(offsets0), ids: Box::new([]) }];
        let mut keys = vec![0u32; n];
        for &part in &parts[1..] {
            for (k, h) in keys.iter_mut().zip(&hashes) {
                *k = plan::key(h, part);
            }
            let mut offs = huge_vec::<u32>((1usize << part.bits) + 1);
            for &k in &keys {
                offs[k as usize + 1] += 1;
            }
            for i in 1..offs.len() {
                offs[i] += offs[i - 1];
            }
            let mut members = huge_vec::<u32>(n);
            let mut next = offs.clone();
            for (pos, &k) in keys.iter().enumerate() {
                let slot = &mut next[k as usize];
                members[*slot as usize] = pos as u32;
                *slot += 1;
            }
            drop(next);
            tables.push(Table { offsets: Offsets::pack(offs), ids: members.into() });
        }
        Segment {
            hashes: hashes.into(),
            ids: ids.into(),
            parts,
            tables,
            probes: (0..=256).map(|_| OnceLock::new()).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Number of substring tables (0 for a flat segment).
    pub fn tables(&self) -> usize {
        self.tables.len()
    }

    /// `(id, hash)` of every stored hash.
    pub fn items(&self) -> impl Iterator<Item = (u32, [u64; 4])> + '_ {
        self.ids.iter().copied().zip(self.hashes.iter().copied())
    }

    /// Bytes held by this segment's arrays.
    pub fn heap_bytes(&self) -> usize {
        self.hashes.len() * 32
            + self.ids.len() * 4
            + self.tables.iter().map(|t| t.offsets.bytes() + t.ids.len() * 4).sum::<usize>()
    }

    /// The probe plan used at `radius` (None: the segment is scanned).
    pub fn probe(&self, radius: u32) -> Option<&Probe> {
        if self.tables.is_empty() {
            return None;
        }
        let p = self.probes[radius.min(256) as usize].get_or_init(|| plan::probe(&self.parts, self.len(), radius));
        (p.cost < plan::scan_cost(self.len())).then_some(p)
    }

    /// Calls `hit(id, distance)` once for every stored hash within `radius` of `q`.
    pub fn search(&self, q: &[u64; 4], radius: u32, scratch: &mut Scratch, hit: &mut dyn FnMut(u32, u32)) {
        match self.probe(radius) {
            None => self.scan(q, radius, hit),
            Some(p) => {
                if scan::has_popcnt() {
                    #[cfg(target_arch = "x86_64")]
                    // SAFETY: the CPU has popcnt.
                    unsafe {
                        self.probe_popcnt(p, q, radius, scratch, hit)
                    };
                    #[cfg(not(target_arch = "x86_64"))]
                    self.probe_body(p, q, radius, scratch, hit);
                } else {
                    self.probe_body(p, q, radius, scratch, hit);
                }
            }
        }
    }

    /// Linear scan over the whole segment (the oracle).
    pub fn scan(&self, q: &[u64; 4], radius: u32, hit: &mut dyn FnMut(u32, u32)) {
        scan::scan(&self.hashes, q, radius, &mut |pos, d| hit(self.ids[pos], d));
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn probe_popcnt(&self, p: &Probe, q: &[u64; 4], radius: u32, scratch: &mut Scratch, hit: &mut dyn FnMut(u32, u32)) {
        self.probe_body(p, q, radius, scratch, hit)
    }

    #[inline(always)]
    fn probe_body(&self, p: &Probe, q: &[u64; 4], radius: u32, scratch: &mut Scratch, hit: &mut dyn FnMut(u32, u32)) {
        let Scratch { keys, ranges, cand, spans } = scratch;
        cand.clear();
        spans.clear();
        let mut qkeys = [0u32; 32];
        for (i, part) in self.parts.iter().enumerate() {
            qkeys[i] = plan::key(q, *part);
        }

        // Stage 1, per table: the probe keys, their bucket ranges (offsets prefetched ahead).
        // Stage 2: the bucket members (prefetched ahead) into `cand`.
        for (i, t) in p.radii.iter().enumerate() {
            let Some(t) = *t else { continue };
            let part = self.parts[i];
            keys.clear();
            ball_keys(qkeys[i], part.bits, t, keys);
            let table = &self.tables[i];
            const AHEAD: usize = 16;
            for &k in keys.iter().take(AHEAD) {
                table.offsets.prefetch(k as usize);
            }
            ranges.clear();
            for j in 0..keys.len() {
                if let Some(&k) = keys.get(j + AHEAD) {
                    table.offsets.prefetch(k as usize);
                }
                let (lo, hi) = table.offsets.range(keys[j] as usize);
                if hi > lo {
                    ranges.push((lo as u32, hi as u32));
                }
            }
            if i == 0 {
                for &(lo, hi) in ranges.iter() {
                    cand.extend(lo..hi);
                }
            } else {
                for &(lo, _) in ranges.iter().take(AHEAD) {
                    prefetch(table.ids.as_ptr().wrapping_add(lo as usize));
                }
                for j in 0..ranges.len() {
                    if let Some(&(lo, _)) = ranges.get(j + AHEAD) {
                        prefetch(table.ids.as_ptr().wrapping_add(lo as usize));
                    }
                    let (lo, hi) = ranges[j];
                    cand.extend_from_slice(&table.ids[lo as usize..hi as usize]);
                }
            }
            spans.push((cand.len(), i));
        }

        // Stage 3: verify with the full distance (hashes prefetched ahead); report each hash only
        // from the first table that finds it.
        const AHEAD: usize = 24;
        for &c in cand.iter().take(AHEAD) {
            prefetch(self.hashes.as_ptr().wrapping_add(c as usize));
        }
        let mut start = 0;
        for (s, &(end, table)) in spans.iter().enumerate() {
            for j in start..end {
                if let Some(&c) = cand.get(j + AHEAD) {
                    prefetch(self.hashes.as_ptr().wrapping_add(c as usize));
                }
                let pos = cand[j] as usize;
                let h = &self.hashes[pos];
                let d = distance(h, q);
                if d > radius {
                    continue;
                }
                let seen = spans[..s].iter().any(|&(_, earlier)| {
                    let t = p.radii[earlier].unwrap_or(0);
                    (plan::key(h, self.parts[earlier]) ^ qkeys[earlier]).count_ones() <= t
                });
                if !seen {
                    hit(self.ids[pos], d);
                }
            }
            let _ = table;
            start = end;
        }
    }
}

/// A zeroed vector of `len` elements whose memory the kernel is asked to back with huge pages:
/// the index reads it at random, and 2 MiB pages spare most TLB misses.
fn huge_vec<T: Copy + Default>(len: usize) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(len);
    advise_huge(v.as_ptr() as usize, len * std::mem::size_of::<T>());
    v.resize(len, T::default());
    v
}

#[cfg(target_os = "linux")]
fn advise_huge(addr: usize, bytes: usize) {
    const HUGE: usize = 2 << 20;
    if bytes < 2 * HUGE {
        return;
    }
    let start = addr.next_multiple_of(HUGE);
    let end = (addr + bytes) & !(HUGE - 1);
    if end > start {
        // SAFETY: madvise only gives the kernel a hint about pages of our own allocation; a failure
        // (e.g. huge pages disabled) changes nothing.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_addr: usize, _bytes: usize) {}

/// Counting-sort offsets of `items` by `key` (values below `2^bits`).
fn offsets(items: &[(u32, [u64; 4])], key: impl Fn(&[u64; 4]) -> u32, bits: u32) -> Vec<u32> {
    let mut offs = huge_vec::<u32>((1usize << bits) + 1);
    for (_, h) in items {
        offs[key(h) as usize + 1] += 1;
    }
    for i in 1..offs.len() {
        offs[i] += offs[i - 1];
    }
    offs
}

/// Every `bits`-bit value within distance `t` of `k`.
fn ball_keys(k: u32, bits: u32, t: u32, out: &mut Vec<u32>) {
    fn go(k: u32, bits: u32, from: u32, left: u32, out: &mut Vec<u32>) {
        for b in from..bits {
            let k2 = k ^ (1 << b);
            out.push(k2);
            if left > 1 {
                go(k2, bits, b + 1, left - 1, out);
            }
        }
    }
    out.push(k);
    if t > 0 {
        go(k, bits, 0, t, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ball_keys_are_distinct_and_within_radius() {
        let mut out = Vec::new();
        ball_keys(0b1010, 8, 2, &mut out);
        assert_eq!(out.len(), plan::ball(8, 2) as usize);
        let mut sorted = out.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), out.len());
        assert!(out.iter().all(|k| (k ^ 0b1010).count_ones() <= 2 && *k < 256));
    }
}
