//! Memory layout helpers for the substring tables: bucket boundaries packed one cache line per
//! block of buckets ([`Offsets`]), a branch-light candidate buffer ([`Sink`]), and huge-page
//! backed allocation ([`huge_vec`]).

/// One cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub struct Line(pub [u8; 64]);

impl Default for Line {
    fn default() -> Line {
        Line([0; 64])
    }
}

#[inline(always)]
fn u32_at(line: &[u8; 64], at: usize) -> u32 {
    u32::from_le_bytes([line[at], line[at + 1], line[at + 2], line[at + 3]])
}

/// Where each bucket starts and ends, one cache line per block of buckets: a little-endian `u32`
/// base (the position of the block's first entry), then the cumulative end, relative to the base,
/// of each bucket in the block. Ends are `u8` (60 buckets per line, about 1.07 bytes per bucket)
/// when every block holds fewer than 256 entries, else `u16` (30 per line), else `u32` (15 per
/// line; heavily duplicated data).
pub struct Offsets {
    lines: Box<[Line]>,
    /// Bytes per end: 1, 2 or 4.
    width: u8,
}

impl Offsets {
    /// Packs `plain` (`plain[k]` = start of bucket `k`, one more entry than there are buckets).
    pub fn pack(plain: &[u32]) -> Offsets {
        let buckets = plain.len() - 1;
        let widest = |per: usize| {
            (0..buckets.div_ceil(per)).map(|b| plain[((b + 1) * per).min(buckets)] - plain[b * per]).max().unwrap_or(0)
        };
        let width: u8 = if widest(60) <= u32::from(u8::MAX) {
            1
        } else if widest(30) <= u32::from(u16::MAX) {
            2
        } else {
            4
        };
        let per = 60 / usize::from(width);
        let mut lines = huge_vec::<Line>(buckets.div_ceil(per));
        for (b, line) in lines.iter_mut().enumerate() {
            let base = plain[b * per];
            line.0[..4].copy_from_slice(&base.to_le_bytes());
            for j in 0..per.min(buckets - b * per) {
                let end = plain[b * per + j + 1] - base;
                let at = 4 + j * usize::from(width);
                match width {
                    1 => line.0[at] = end as u8,
                    2 => line.0[at..at + 2].copy_from_slice(&(end as u16).to_le_bytes()),
                    _ => line.0[at..at + 4].copy_from_slice(&end.to_le_bytes()),
                }
            }
        }
        Offsets { lines: lines.into(), width }
    }

    /// The line holding bucket `k`'s boundaries and `k`'s place in it.
    #[inline(always)]
    fn locate(&self, k: usize) -> (usize, usize) {
        // Constant divisors, so each arm compiles to a multiplication.
        match self.width {
            1 => (k / 60, k % 60),
            2 => (k / 30, k % 30),
            _ => (k / 15, k % 15),
        }
    }

    /// The line to prefetch before calling [`Offsets::range`] for `k`.
    #[inline(always)]
    pub fn line(&self, k: usize) -> *const Line {
        self.lines.as_ptr().wrapping_add(self.locate(k).0)
    }

    /// Bucket `k` is `start..end`.
    #[inline(always)]
    pub fn range(&self, k: usize) -> (usize, usize) {
        let (b, j) = self.locate(k);
        let line = &self.lines[b].0;
        let base = u32_at(line, 0) as usize;
        let (lo, hi) = match self.width {
            1 => (if j == 0 { 0 } else { line[3 + j] }.into(), line[4 + j].into()),
            2 => {
                let at = 4 + 2 * j;
                let hi = u16::from_le_bytes([line[at], line[at + 1]]);
                let lo = if j == 0 { 0 } else { u16::from_le_bytes([line[at - 2], line[at - 1]]) };
                (lo.into(), hi.into())
            }
            _ => {
                let at = 4 + 4 * j;
                let lo = if j == 0 { 0 } else { u32_at(line, at - 4) };
                (lo as usize, u32_at(line, at) as usize)
            }
        };
        (base + lo, base + hi)
    }

    pub fn bytes(&self) -> usize {
        self.lines.len() * size_of::<Line>()
    }
}

/// Appends candidates to a buffer in blocks of four (whole blocks are written, the length moves by
/// the real count), so that the usual bucket of one to four members costs no branch mispredict.
pub struct Sink<'a> {
    buf: &'a mut Vec<u32>,
    len: usize,
}

impl<'a> Sink<'a> {
    pub fn new(buf: &'a mut Vec<u32>) -> Sink<'a> {
        let len = buf.len();
        Sink { buf, len }
    }

    #[inline(always)]
    fn room(&mut self, extra: usize) {
        if self.len + extra > self.buf.len() {
            let want = (self.len + extra).max(2 * self.buf.len()).max(256);
            self.buf.resize(want, 0);
        }
    }

    /// Appends the first `count` (at most 4) of `four`.
    #[inline(always)]
    pub fn push4(&mut self, four: [u32; 4], count: usize) {
        debug_assert!(count <= 4);
        self.room(4);
        self.buf[self.len..self.len + 4].copy_from_slice(&four);
        self.len += count;
    }

    #[inline(always)]
    pub fn push_slice(&mut self, values: &[u32]) {
        self.room(values.len());
        self.buf[self.len..self.len + values.len()].copy_from_slice(values);
        self.len += values.len();
    }

    /// Appends `start..end`.
    #[inline(always)]
    pub fn push_range(&mut self, start: usize, end: usize) {
        let s = start as u32;
        if end - start <= 4 {
            self.push4([s, s + 1, s + 2, s + 3], end - start);
        } else {
            self.room(end - start);
            for (slot, v) in self.buf[self.len..self.len + end - start].iter_mut().zip(s..) {
                *slot = v;
            }
            self.len += end - start;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

impl Drop for Sink<'_> {
    fn drop(&mut self) {
        self.buf.truncate(self.len);
    }
}

/// A zeroed vector of `len` elements whose memory the kernel is asked to back with huge pages:
/// the index reads it at random, and 2 MiB pages spare most TLB misses.
pub fn huge_vec<T: Copy + Default>(len: usize) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(len);
    advise_huge(v.as_ptr() as usize, len * size_of::<T>());
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
        // SAFETY: madvise only gives the kernel a hint about pages of our own allocation (not yet
        // touched); a failure (e.g. huge pages disabled) changes nothing.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_addr: usize, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_return_every_bucket_in_each_width() {
        // Bucket sizes that need u8, u16 and u32 ends (the last: one bucket of 70,000 members).
        let small: Vec<u32> = (0..997u32).map(|k| if k % 97 < 5 { 9 } else { (k * 7919) % 4 }).collect();
        let medium: Vec<u32> = small.iter().map(|s| s * 30).collect();
        let mut large = small.clone();
        large[500] = 70_000;
        for (sizes, width) in [(small, 1), (medium, 2), (large, 4)] {
            let mut offs = vec![0u32];
            for s in &sizes {
                offs.push(offs.last().copied().unwrap_or(0) + s);
            }
            let packed = Offsets::pack(&offs);
            assert_eq!(packed.width, width);
            for k in 0..sizes.len() {
                assert_eq!(packed.range(k), (offs[k] as usize, offs[k + 1] as usize), "bucket {k}");
            }
        }
    }

    #[test]
    fn sink_appends_exactly_what_it_is_given() {
        let mut buf = vec![7];
        let mut sink = Sink::new(&mut buf);
        sink.push4([1, 2, 3, 4], 2);
        sink.push_range(10, 10);
        sink.push_range(20, 23);
        sink.push_range(30, 37);
        sink.push_slice(&[5, 6]);
        sink.push4([8, 9, 9, 9], 1);
        assert_eq!(sink.len(), 16);
        drop(sink);
        assert_eq!(buf, [7, 1, 2, 20, 21, 22, 30, 31, 32, 33, 34, 35, 36, 5, 6, 8]);
    }
}
