//! An immutable set of hashes with its substring tables (or none: a flat segment, always scanned).

use std::sync::OnceLock;

use super::plan::{self, Part, Probe};
use super::scan::{self, Stored, distance};
use super::table::{Offsets, Sink, huge_vec};

/// One substring table: how to find the members (positions in the segment's hash array) of a
/// bucket.
enum Table {
    /// Table 0: the hash array is sorted by part 0, so its buckets are ranges of positions.
    Positions(Offsets),
    /// The others: a list of positions in bucket order, and the buckets' boundaries in it.
    Members { offsets: Offsets, ids: Box<[u32]> },
}

impl Table {
    fn offsets(&self) -> &Offsets {
        match self {
            Table::Positions(o) | Table::Members { offsets: o, .. } => o,
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Table::Positions(o) => o.bytes(),
            Table::Members { offsets, ids } => offsets.bytes() + ids.len() * 4,
        }
    }
}

/// How far ahead (in keys, ranges or candidates) each pass of the probe prefetches: enough reads
/// in flight to cover the latency of a random read (measured: 16 is clearly slower, 32 to 128
/// alike).
const AHEAD: usize = 64;

pub struct Segment {
    /// Stored hashes, sorted by the value of part 0 when the segment has tables.
    hashes: Box<[Stored]>,
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
    /// Probe keys of every probed table, table after table.
    keys: Vec<u32>,
    /// The address of the line of offsets each key reads.
    lines: Vec<usize>,
    /// `(end in keys, table)` per probed table.
    key_spans: Vec<(usize, usize)>,
    /// Non-empty buckets of tables 1.., as ranges of their lists of positions.
    ranges: Vec<(u32, u32)>,
    /// The address where each range starts.
    addrs: Vec<usize>,
    /// `(end in ranges, table)` per probed table 1...
    range_spans: Vec<(usize, usize)>,
    /// Candidate positions.
    cand: Vec<u32>,
    /// `(end in cand, table)`: which table found each run of candidates.
    spans: Vec<(usize, usize)>,
}

impl Segment {
    /// Builds a segment over `items` (caller id, hash words). The split is chosen from the size
    /// unless `parts` says how many substrings to use (`Some(0)` = flat; other values are kept
    /// within [`plan::MIN_PARTS`]`..=`[`plan::MAX_PARTS`]; [`super::Index`] refuses them instead).
    pub fn build(items: Vec<(u32, [u64; 4])>, parts: Option<u32>) -> Segment {
        let n = items.len();
        assert!(n < u32::MAX as usize, "a segment holds fewer than 2^32 hashes");
        let m = parts.unwrap_or_else(|| if n <= plan::FLAT_MAX { 0 } else { plan::choose_parts(n) });
        if m == 0 {
            let (ids, hashes): (Vec<u32>, Vec<Stored>) = items.into_iter().map(|(id, h)| (id, Stored(h))).unzip();
            return Segment {
                hashes: hashes.into(),
                ids: ids.into(),
                parts: Vec::new(),
                tables: Vec::new(),
                probes: Box::new([]),
            };
        }
        // Parts wider than MAX_PART_BITS would need huge offset arrays: use at least 11. A probe
        // holds at most MAX_PARTS query keys.
        let parts = plan::split(m.clamp(plan::MIN_PARTS, plan::MAX_PARTS));

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
        let mut hashes = huge_vec::<Stored>(n);
        let mut ids = Vec::with_capacity(n);
        for (slot, &i) in hashes.iter_mut().zip(&order) {
            let (id, h) = items[i as usize];
            ids.push(id);
            *slot = Stored(h);
        }
        drop(order);
        drop(items);

        let mut tables = vec![Table::Positions(Offsets::pack(&offsets0))];
        drop(offsets0);
        let mut keys = vec![0u32; n];
        for &part in &parts[1..] {
            for (k, h) in keys.iter_mut().zip(&hashes) {
                *k = plan::key(&h.0, part);
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
            tables.push(Table::Members { offsets: Offsets::pack(&offs), ids: members.into() });
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
        self.ids.iter().copied().zip(self.hashes.iter().map(|h| h.0))
    }

    /// Bytes held by this segment's arrays.
    pub fn heap_bytes(&self) -> usize {
        self.hashes.len() * 32 + self.ids.len() * 4 + self.tables.iter().map(Table::bytes).sum::<usize>()
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
        let Some(p) = self.probe(radius) else {
            return self.scan(q, radius, hit);
        };
        #[cfg(target_arch = "x86_64")]
        if scan::has_popcnt() {
            // SAFETY: the CPU has popcnt, which `probe_popcnt` is compiled for.
            return unsafe { self.probe_popcnt(p, q, radius, scratch, hit) };
        }
        self.probe_body(p, q, radius, scratch, hit)
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

    /// The probe, in passes over the whole query. Each pass walks a list of independent random
    /// reads, prefetching [`AHEAD`] entries ahead, so that dozens of reads are in flight at once:
    /// 1. the probe keys of every table, and the line of offsets each one reads;
    /// 2. the bucket boundaries: table 0's buckets are ranges of positions (candidates), the
    ///    others' are ranges of their lists of positions;
    /// 3. the candidates from those lists;
    /// 4. the full distance of every candidate.
    ///
    /// A random read costs a few hundred nanoseconds on the benchmark machine but dozens can be
    /// in flight: what counts is how many distinct cache lines a query touches (each bucket's
    /// boundaries are in one line, each hash is in one line) and that no pass waits on one read
    /// before issuing the next.
    #[inline(always)]
    fn probe_body(&self, p: &Probe, q: &[u64; 4], radius: u32, scratch: &mut Scratch, hit: &mut dyn FnMut(u32, u32)) {
        let Scratch { keys, lines, key_spans, ranges, addrs, range_spans, cand, spans } = scratch;
        keys.clear();
        lines.clear();
        key_spans.clear();
        ranges.clear();
        addrs.clear();
        range_spans.clear();
        cand.clear();
        spans.clear();
        let mut qkeys = [0u32; plan::MAX_PARTS as usize];
        for (i, part) in self.parts.iter().enumerate() {
            qkeys[i] = plan::key(q, *part);
        }

        // Pass 1: the keys, and the line of offsets each one will read.
        for (i, t) in p.radii.iter().enumerate() {
            let Some(t) = *t else { continue };
            let from = keys.len();
            ball_keys(qkeys[i], self.parts[i].bits, t, keys);
            let offsets = self.tables[i].offsets();
            lines.extend(keys[from..].iter().map(|&k| offsets.line(k as usize) as usize));
            key_spans.push((keys.len(), i));
        }

        {
            let mut sink = Sink::new(cand);
            // Pass 2: bucket boundaries.
            for &line in lines.iter().take(AHEAD) {
                scan::prefetch(line as *const u8);
            }
            // Every key writes a range slot; only non-empty ones are kept (no unpredictable branch).
            ranges.resize(keys.len() + 1, (0, 0));
            addrs.resize(keys.len() + 1, 0);
            let mut kept = 0;
            let mut from = 0;
            for &(end, i) in key_spans.iter() {
                let table = &self.tables[i];
                let offsets = table.offsets();
                match table {
                    Table::Positions(_) => {
                        for (j, &k) in keys[from..end].iter().enumerate() {
                            if let Some(&line) = lines.get(from + j + AHEAD) {
                                scan::prefetch(line as *const u8);
                            }
                            let (lo, hi) = offsets.range(k as usize);
                            sink.push_range(lo, hi);
                        }
                        spans.push((sink.len(), i));
                    }
                    Table::Members { ids, .. } => {
                        let base = ids.as_ptr();
                        for (j, &k) in keys[from..end].iter().enumerate() {
                            if let Some(&line) = lines.get(from + j + AHEAD) {
                                scan::prefetch(line as *const u8);
                            }
                            let (lo, hi) = offsets.range(k as usize);
                            addrs[kept] = base.wrapping_add(lo) as usize;
                            ranges[kept] = (lo as u32, hi as u32);
                            kept += usize::from(hi > lo);
                        }
                        range_spans.push((kept, i));
                    }
                }
                from = end;
            }
            ranges.truncate(kept);
            addrs.truncate(kept);

            // Pass 3: the members of the buckets of tables 1...
            for &a in addrs.iter().take(AHEAD) {
                scan::prefetch(a as *const u8);
            }
            let mut from = 0;
            for &(end, i) in range_spans.iter() {
                let Table::Members { ids, .. } = &self.tables[i] else { continue };
                for (r, &(lo, hi)) in ranges[from..end].iter().enumerate() {
                    if let Some(&a) = addrs.get(from + r + AHEAD) {
                        scan::prefetch(a as *const u8);
                    }
                    let (lo, hi) = (lo as usize, hi as usize);
                    match ids.get(lo..lo + 4) {
                        Some(&[a, b, c, d]) if hi - lo <= 4 => sink.push4([a, b, c, d], hi - lo),
                        _ => sink.push_slice(&ids[lo..hi]),
                    }
                }
                spans.push((sink.len(), i));
                from = end;
            }
        }

        // Pass 4: the full distance. A hash in several probed buckets is reported only from the
        // lowest-numbered table that holds it.
        let hashes = self.hashes.as_ptr();
        for &pos in cand.iter().take(AHEAD) {
            scan::prefetch(hashes.wrapping_add(pos as usize));
        }
        let mut start = 0;
        for &(end, table) in spans.iter() {
            for (j, &pos) in cand[start..end].iter().enumerate() {
                if let Some(&next) = cand.get(start + j + AHEAD) {
                    scan::prefetch(hashes.wrapping_add(next as usize));
                }
                let h = &self.hashes[pos as usize].0;
                let d = distance(h, q);
                if d > radius {
                    continue;
                }
                let earlier = (0..table)
                    .any(|e| p.radii[e].is_some_and(|t| (plan::key(h, self.parts[e]) ^ qkeys[e]).count_ones() <= t));
                if !earlier {
                    hit(self.ids[pos as usize], d);
                }
            }
            start = end;
        }
    }
}

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

/// Every `bits`-bit value within distance `t` of `k`. Distances 1 and 2 (all the probe needs at
/// radius 31) by flat loops; 3 and more by recursion.
fn ball_keys(k: u32, bits: u32, t: u32, out: &mut Vec<u32>) {
    fn go(k: u32, bits: u32, from: u32, left: u32, out: &mut Vec<u32>) {
        for b in from..bits {
            let k2 = k ^ (1 << b);
            if left == 1 {
                out.push(k2);
            } else {
                go(k2, bits, b + 1, left - 1, out);
            }
        }
    }
    out.push(k);
    if t >= 1 {
        out.extend((0..bits).map(|a| k ^ (1 << a)));
    }
    if t >= 2 {
        for a in 0..bits {
            let ka = k ^ (1 << a);
            out.extend((a + 1..bits).map(|b| ka ^ (1 << b)));
        }
    }
    for exactly in 3..=t.min(bits) {
        go(k, bits, 0, exactly, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ball_keys_are_distinct_and_within_radius() {
        for t in 0..=5 {
            let mut out = Vec::new();
            ball_keys(0b1010, 8, t, &mut out);
            assert_eq!(out.len(), plan::ball(8, t) as usize, "t={t}");
            let mut sorted = out.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), out.len());
            assert!(out.iter().all(|k| (k ^ 0b1010).count_ones() <= t && *k < 256));
        }
    }
}
