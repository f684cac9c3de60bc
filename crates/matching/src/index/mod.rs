//! Exact range search in Hamming space over 256-bit hashes.
//!
//! [`Index::search`] returns every stored hash within the radius: 100 % recall by construction.
//! Each [`Segment`] holds a substring (multi-index hashing) table set, probed with per-table radii
//! chosen by the generalised pigeonhole principle (see [`plan`]), or, when that would cost more
//! (small segments, large radii), is scanned linearly with SIMD popcount.
//!
//! Updates never rebuild the whole index and never block lookups for longer than a pointer swap:
//! readers clone an `Arc` of the current [`Snapshot`]; writers build a new one and swap it in.
//! - insert: into a small tail (scanned), frozen into a segment every [`TAIL_MAX`] hashes; small
//!   segments are merged on the spot (tiered, like an LSM tree), large merges wait for
//!   [`Index::compact`], which builds outside the lock;
//! - remove: the id goes into a tombstone set, filtered on every hit, purged by merges.

pub mod plan;
mod scan;
mod segment;
mod table;

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use media::Hash256;
pub use scan::distance;
pub use segment::Segment;

/// PDQ's "confident match" threshold, the default radius.
pub const DEFAULT_RADIUS: u32 = 31;
/// The largest radius the index accepts.
pub const MAX_RADIUS: u32 = 64;
/// Inserted hashes are scanned linearly until this many have accumulated.
pub const TAIL_MAX: usize = 1024;
/// Merges up to this many hashes happen during an insert; bigger ones wait for `compact`.
const SYNC_MERGE_MAX: usize = 1 << 20;

/// A number of substring parts the index cannot use (see [`check_parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0} substring parts is not supported: use 0 (no tables: a linear scan) or {min} to {max}",
    min = plan::MIN_PARTS,
    max = plan::MAX_PARTS
)]
pub struct BadParts(pub u32);

/// Checks a fixed number of substring parts: 0 (no tables) or [`plan::MIN_PARTS`]`..=`[`plan::MAX_PARTS`]
/// (fewer parts would be wider than [`plan::MAX_PART_BITS`]).
pub fn check_parts(parts: u32) -> Result<(), BadParts> {
    if parts == 0 || (plan::MIN_PARTS..=plan::MAX_PARTS).contains(&parts) { Ok(()) } else { Err(BadParts(parts)) }
}

/// One search result: the caller's id of a stored hash and its distance from the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub id: u32,
    pub distance: u32,
}

/// A consistent view of the index at one moment.
#[derive(Clone, Default)]
pub struct Snapshot {
    segments: Vec<Arc<Segment>>,
    tail: Arc<Vec<(u32, [u64; 4])>>,
    dead: Arc<HashSet<u32>>,
}

impl Snapshot {
    /// Number of live hashes.
    pub fn len(&self) -> usize {
        self.segments.iter().map(|s| s.len()).sum::<usize>() + self.tail.len() - self.dead.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn search_with(&self, q: &[u64; 4], radius: u32, scratch: &mut segment::Scratch, out: &mut Vec<Hit>) {
        let dead = &self.dead;
        let mut push = |id: u32, distance: u32| {
            if dead.is_empty() || !dead.contains(&id) {
                out.push(Hit { id, distance });
            }
        };
        for seg in &self.segments {
            seg.search(q, radius, scratch, &mut push);
        }
        for (id, h) in self.tail.iter() {
            let d = distance(h, q);
            if d <= radius {
                push(*id, d);
            }
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<segment::Scratch> = RefCell::new(segment::Scratch::default());
}

/// The incremental index. Share it between threads with `Arc<Index>`.
#[derive(Default)]
pub struct Index {
    state: RwLock<Arc<Snapshot>>,
    writer: Mutex<()>,
    compactor: Mutex<()>,
    compacting: AtomicBool,
    /// `Some(m)`: every segment with tables uses `m` parts (tests and benchmarks); `None`: chosen from size.
    parts: Option<u32>,
}

/// Bytes of memory used per stored hash and other figures, for reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexStats {
    pub hashes: usize,
    pub segments: usize,
    pub tables: usize,
    pub heap_bytes: usize,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// An index over `items` (id, hash), built in one go as a single segment.
    pub fn build(items: Vec<(u32, Hash256)>) -> Index {
        let items: Vec<(u32, [u64; 4])> = items.into_iter().map(|(id, h)| (id, h.words())).collect();
        Index::from_words(items, None)
    }

    /// Like [`Index::build`] with a fixed number of substring parts (`Some(16)` = 16 × 16 bits,
    /// `Some(0)` = no tables: always a linear scan); refused unless [`check_parts`] accepts it.
    pub fn build_with(items: Vec<(u32, Hash256)>, parts: Option<u32>) -> Result<Index, BadParts> {
        let items: Vec<(u32, [u64; 4])> = items.into_iter().map(|(id, h)| (id, h.words())).collect();
        Index::build_words(items, parts)
    }

    /// [`Index::build_with`] on hashes already in word form (see [`Hash256::words`]).
    pub fn build_words(items: Vec<(u32, [u64; 4])>, parts: Option<u32>) -> Result<Index, BadParts> {
        if let Some(m) = parts {
            check_parts(m)?;
        }
        Ok(Index::from_words(items, parts))
    }

    /// [`Index::build_words`] with the number of parts already checked (or `None`).
    pub(crate) fn from_words(items: Vec<(u32, [u64; 4])>, parts: Option<u32>) -> Index {
        let segments = if items.is_empty() { Vec::new() } else { vec![Arc::new(Segment::build(items, parts))] };
        Index { state: RwLock::new(Arc::new(Snapshot { segments, ..Snapshot::default() })), parts, ..Index::default() }
    }

    /// The current snapshot; later updates do not change it.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.state.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn publish(&self, snap: Snapshot) {
        let mut state = match self.state.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        *state = Arc::new(snap);
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, ()> {
        match self.writer.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every stored hash within `radius` (clamped to [`MAX_RADIUS`]) of `q`, in no particular order.
    pub fn search(&self, q: &Hash256, radius: u32) -> Vec<Hit> {
        let mut out = Vec::new();
        self.search_into(&q.words(), radius, &mut out);
        out
    }

    /// [`Index::search`] on a hash in word form, appending to `out` (no allocation when reused).
    pub fn search_into(&self, q: &[u64; 4], radius: u32, out: &mut Vec<Hit>) {
        let snap = self.snapshot();
        let radius = radius.min(MAX_RADIUS);
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut scratch) => snap.search_with(q, radius, &mut scratch, out),
            Err(_) => snap.search_with(q, radius, &mut segment::Scratch::default(), out),
        });
    }

    /// The oracle: a linear scan of everything, for tests.
    pub fn search_linear(&self, q: &Hash256, radius: u32) -> Vec<Hit> {
        let snap = self.snapshot();
        let q = q.words();
        let mut out = Vec::new();
        for seg in &snap.segments {
            seg.scan(&q, radius, &mut |id, distance| {
                if !snap.dead.contains(&id) {
                    out.push(Hit { id, distance })
                }
            });
        }
        for (id, h) in snap.tail.iter() {
            let d = distance(h, &q);
            if d <= radius && !snap.dead.contains(id) {
                out.push(Hit { id: *id, distance: d });
            }
        }
        out
    }

    /// Adds hashes. Ids must not already be live in the index (an id removed earlier may return).
    /// They are visible to every search that starts after this returns.
    pub fn insert(&self, items: &[(u32, Hash256)]) {
        let _w = self.lock_writer();
        let mut snap = (*self.snapshot()).clone();
        let mut dead = None;
        for (id, _) in items {
            if snap.dead.contains(id) {
                // A removed id coming back: its old copy must stay dead, so purge it first.
                dead.get_or_insert_with(|| (*snap.dead).clone());
            }
        }
        if let Some(mut d) = dead {
            let returning: HashSet<u32> = items.iter().map(|(id, _)| *id).filter(|id| d.contains(id)).collect();
            snap.segments = snap
                .segments
                .iter()
                .map(|s| {
                    if s.items().any(|(id, _)| returning.contains(&id)) {
                        let kept: Vec<_> = s.items().filter(|(id, _)| !returning.contains(id)).collect();
                        Arc::new(Segment::build(kept, self.parts_for(s.len())))
                    } else {
                        Arc::clone(s)
                    }
                })
                .collect();
            let tail: Vec<_> = snap.tail.iter().copied().filter(|(id, _)| !returning.contains(id)).collect();
            snap.tail = Arc::new(tail);
            d.retain(|id| !returning.contains(id));
            snap.dead = Arc::new(d);
        }
        let mut tail = (*snap.tail).clone();
        for (id, h) in items {
            tail.push((*id, h.words()));
            if tail.len() >= TAIL_MAX {
                snap.segments.push(Arc::new(Segment::build(std::mem::take(&mut tail), Some(0))));
                self.merge_small(&mut snap);
            }
        }
        snap.tail = Arc::new(tail);
        self.publish(snap);
    }

    fn parts_for(&self, n: usize) -> Option<u32> {
        if n <= plan::FLAT_MAX { Some(0) } else { self.parts }
    }

    /// Tiered merging of the newest segments, while it stays cheap.
    fn merge_small(&self, snap: &mut Snapshot) {
        if self.compacting.load(Ordering::Acquire) {
            return;
        }
        while snap.segments.len() >= 2 {
            let n = snap.segments.len();
            let (a, b) = (snap.segments[n - 2].len(), snap.segments[n - 1].len());
            if b * 2 < a || a + b > SYNC_MERGE_MAX {
                break;
            }
            let (Some(last), Some(prev)) = (snap.segments.pop(), snap.segments.pop()) else {
                break;
            };
            let merged = merge(&[prev, last], Arc::make_mut(&mut snap.dead), self.parts);
            snap.segments.push(Arc::new(merged));
        }
    }

    /// Removes (disables) hashes by id; effective for every search that starts after this returns.
    pub fn remove(&self, ids: &[u32]) {
        let _w = self.lock_writer();
        let mut snap = (*self.snapshot()).clone();
        let mut dead = (*snap.dead).clone();
        // Ids still in the tail are dropped from it directly.
        let tail: Vec<_> = snap.tail.iter().copied().filter(|(id, _)| !ids.contains(id)).collect();
        let in_tail: HashSet<u32> = snap.tail.iter().map(|(id, _)| *id).filter(|id| ids.contains(id)).collect();
        dead.extend(ids.iter().copied().filter(|id| !in_tail.contains(id)));
        snap.tail = Arc::new(tail);
        snap.dead = Arc::new(dead);
        self.publish(snap);
    }

    /// Merges every segment into one and purges removed ids. Builds outside the writer lock:
    /// inserts and removals go on meanwhile and are carried over. Call it from a background thread.
    pub fn compact(&self) {
        let _c = match self.compactor.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        self.compacting.store(true, Ordering::Release);
        let before = {
            let _w = self.lock_writer();
            let mut snap = (*self.snapshot()).clone();
            if !snap.tail.is_empty() {
                let tail = std::mem::take(&mut *Arc::make_mut(&mut snap.tail));
                snap.segments.push(Arc::new(Segment::build(tail, Some(0))));
                snap.tail = Arc::new(Vec::new());
            }
            self.publish(snap.clone());
            snap
        };
        let mut purged = (*before.dead).clone();
        let merged = merge(&before.segments, &mut purged, self.parts);
        // `purged` now holds the removed ids that were not in these segments.
        let removed_here: HashSet<u32> = before.dead.difference(&purged).copied().collect();
        {
            let _w = self.lock_writer();
            let mut now = (*self.snapshot()).clone();
            let newer = now.segments.split_off(before.segments.len());
            now.segments = std::iter::once(Arc::new(merged)).filter(|s| !s.is_empty()).chain(newer).collect();
            let mut dead = (*now.dead).clone();
            dead.retain(|id| !removed_here.contains(id));
            now.dead = Arc::new(dead);
            self.publish(now);
        }
        self.compacting.store(false, Ordering::Release);
    }

    pub fn stats(&self) -> IndexStats {
        let snap = self.snapshot();
        IndexStats {
            hashes: snap.len(),
            segments: snap.segments.len() + usize::from(!snap.tail.is_empty()),
            tables: snap.segments.iter().map(|s| s.tables()).max().unwrap_or(0),
            heap_bytes: snap.segments.iter().map(|s| s.heap_bytes()).sum::<usize>()
                + snap.tail.len() * 36
                + snap.dead.len() * 8,
        }
    }
}

/// One segment holding the live hashes of `segs`; ids found in `dead` are dropped and taken out of it.
fn merge(segs: &[Arc<Segment>], dead: &mut HashSet<u32>, parts: Option<u32>) -> Segment {
    let mut items = Vec::with_capacity(segs.iter().map(|s| s.len()).sum());
    for s in segs {
        for (id, h) in s.items() {
            if !dead.remove(&id) {
                items.push((id, h));
            }
        }
    }
    let n = items.len();
    Segment::build(items, if n <= plan::FLAT_MAX { Some(0) } else { parts })
}
