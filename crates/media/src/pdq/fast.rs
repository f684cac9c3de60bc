//! The streaming engine: luma, the two-round Jarosz tent filter and the 64×64 decimation, with the
//! reference's arithmetic and a working set of a few rows.
//!
//! The reference runs four full passes over two image-sized buffers: box along rows (R1), along
//! columns (C1), along rows (R2), along columns (C2), then samples 64×64 pixels. Each box filter is
//! a running sum whose rounding depends on the exact sequence of additions and subtractions, so the
//! engine keeps every sum's sequence and changes only the schedule:
//!
//! - Rows are handled sixteen at a time. A block of rows is transposed so that each SIMD lane
//!   carries one row's running sum along the columns (R1, R2).
//! - The column passes (C1, C2) consume rows as they arrive, keeping a per-column running sum and a
//!   ring of the last `window` input rows to subtract; lanes are adjacent columns.
//! - The result of R2 is only read by C2 at the 64 sampled columns, and C2 only at the 64 sampled
//!   rows: C2 runs on those columns alone, and R2 and C2 divide only where a result is read. The
//!   running sums themselves still see every sample.
//!
//! The arithmetic on each value is that of `box1DFloat` — `sum += in[r]; sum -= in[l];
//! out = sum / count` in `f32` — so the sampled values are bit-identical to the reference's
//! (asserted by the tests against [`super::reference`]). On x86-64 the same code is compiled a
//! second time with AVX2 enabled and chosen at run time; Rust never contracts `a * b + c` into a
//! fused multiply-add, so that changes speed only.

use super::{Buffer64, Pixels, sample_positions, window_size};

/// Rows per block: two AVX2 vectors, so that two independent chains of dependent additions
/// overlap in the row passes (one chain leaves the adder idle most of the time).
const LANES: usize = 16;
type Lanes = [f32; LANES];

pub(super) fn downsample(pixels: &Pixels<'_>) -> Box<Buffer64> {
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(avx2) = x86::Avx2::detect() {
            return avx2.downsample(pixels);
        }
    }
    run(Portable, pixels)
}

/// Portable code for everything, used in tests and where AVX2 is missing.
pub(super) fn downsample_portable(pixels: &Pixels<'_>) -> Box<Buffer64> {
    run(Portable, pixels)
}

/// The transposes between row-major blocks of `LANES` rows and lane vectors: the one place where
/// explicit SIMD pays (compilers do not turn the index shuffles into vector shuffles).
trait Transpose: Copy {
    /// `LANES` rows of `cols` samples (row-major, `block[lane * cols + c]`) to `cols` lane vectors.
    fn rows_to_lanes(self, block: &[f32], cols: usize, out: &mut [Lanes]);
    /// The inverse of [`Transpose::rows_to_lanes`].
    fn lanes_to_rows(self, vectors: &[Lanes], cols: usize, block: &mut [f32]);
}

#[derive(Clone, Copy)]
struct Portable;

impl Transpose for Portable {
    #[inline(always)]
    fn rows_to_lanes(self, block: &[f32], cols: usize, out: &mut [Lanes]) {
        self.rows_to_lanes_from(block, cols, 0, out);
    }

    #[inline(always)]
    fn lanes_to_rows(self, vectors: &[Lanes], cols: usize, block: &mut [f32]) {
        self.lanes_to_rows_from(vectors, cols, 0, block);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Buffer64, LANES, Lanes, Pixels, Transpose, run};

    /// Proof that the CPU has AVX2: only [`Avx2::detect`] makes one.
    #[derive(Clone, Copy)]
    pub(super) struct Avx2(());

    impl Avx2 {
        pub(super) fn detect() -> Option<Avx2> {
            is_x86_feature_detected!("avx2").then_some(Avx2(()))
        }

        pub(super) fn downsample(self, pixels: &Pixels<'_>) -> Box<Buffer64> {
            // SAFETY: an `Avx2` exists only if the CPU supports AVX2.
            unsafe { downsample_avx2(self, pixels) }
        }
    }

    #[target_feature(enable = "avx2")]
    fn downsample_avx2(avx2: Avx2, pixels: &Pixels<'_>) -> Box<Buffer64> {
        run(avx2, pixels)
    }

    impl Transpose for Avx2 {
        #[inline(always)]
        fn rows_to_lanes(self, block: &[f32], cols: usize, out: &mut [Lanes]) {
            let block = &block[..LANES * cols];
            let out = &mut out[..cols];
            let mut c0 = 0;
            while c0 + 8 <= cols {
                for half in 0..LANES / 8 {
                    // SAFETY: AVX2 is present (`self`). Loads read
                    // `block[(half * 8 + lane) * cols + c0..][..8]` with `lane < 8`, `c0 + 8 <= cols`,
                    // inside `block` (`LANES * cols` long); stores write `out[c0 + k][half * 8..][..8]`.
                    unsafe {
                        let p = block.as_ptr().add(half * 8 * cols + c0);
                        let r: [__m256; 8] = std::array::from_fn(|lane| _mm256_loadu_ps(p.add(lane * cols)));
                        let t = transpose8(r);
                        for (k, v) in t.iter().enumerate() {
                            _mm256_storeu_ps(out[c0 + k][half * 8..half * 8 + 8].as_mut_ptr(), *v);
                        }
                    }
                }
                c0 += 8;
            }
            super::Portable.rows_to_lanes_from(block, cols, c0, out);
        }

        #[inline(always)]
        fn lanes_to_rows(self, vectors: &[Lanes], cols: usize, block: &mut [f32]) {
            let block = &mut block[..LANES * cols];
            let vectors = &vectors[..cols];
            let mut c0 = 0;
            while c0 + 8 <= cols {
                for half in 0..LANES / 8 {
                    // SAFETY: as above, with the roles of the slices swapped.
                    unsafe {
                        let r: [__m256; 8] =
                            std::array::from_fn(|k| _mm256_loadu_ps(vectors[c0 + k][half * 8..half * 8 + 8].as_ptr()));
                        let t = transpose8(r);
                        let p = block.as_mut_ptr().add(half * 8 * cols + c0);
                        for (lane, v) in t.iter().enumerate() {
                            _mm256_storeu_ps(p.add(lane * cols), *v);
                        }
                    }
                }
                c0 += 8;
            }
            super::Portable.lanes_to_rows_from(vectors, cols, c0, block);
        }
    }

    /// 8×8 transpose of `f32`s in registers. (A `target_feature` function, not
    /// `#[inline(always)]`, so that the intrinsics inline into it.)
    #[target_feature(enable = "avx2")]
    #[inline]
    fn transpose8(r: [__m256; 8]) -> [__m256; 8] {
        {
            let t0 = _mm256_unpacklo_ps(r[0], r[1]);
            let t1 = _mm256_unpackhi_ps(r[0], r[1]);
            let t2 = _mm256_unpacklo_ps(r[2], r[3]);
            let t3 = _mm256_unpackhi_ps(r[2], r[3]);
            let t4 = _mm256_unpacklo_ps(r[4], r[5]);
            let t5 = _mm256_unpackhi_ps(r[4], r[5]);
            let t6 = _mm256_unpacklo_ps(r[6], r[7]);
            let t7 = _mm256_unpackhi_ps(r[6], r[7]);
            let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
            let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
            let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
            let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
            let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
            let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
            [
                _mm256_permute2f128_ps::<0x20>(s0, s4),
                _mm256_permute2f128_ps::<0x20>(s1, s5),
                _mm256_permute2f128_ps::<0x20>(s2, s6),
                _mm256_permute2f128_ps::<0x20>(s3, s7),
                _mm256_permute2f128_ps::<0x31>(s0, s4),
                _mm256_permute2f128_ps::<0x31>(s1, s5),
                _mm256_permute2f128_ps::<0x31>(s2, s6),
                _mm256_permute2f128_ps::<0x31>(s3, s7),
            ]
        }
    }
}

impl Portable {
    /// Columns `c0..cols` of [`Transpose::rows_to_lanes`].
    #[inline(always)]
    fn rows_to_lanes_from(self, block: &[f32], cols: usize, c0: usize, out: &mut [Lanes]) {
        for (c, v) in out.iter_mut().enumerate().take(cols).skip(c0) {
            for (lane, x) in v.iter_mut().enumerate() {
                *x = block[lane * cols + c];
            }
        }
    }

    /// Columns `c0..cols` of [`Transpose::lanes_to_rows`].
    #[inline(always)]
    fn lanes_to_rows_from(self, vectors: &[Lanes], cols: usize, c0: usize, block: &mut [f32]) {
        for (c, v) in vectors.iter().enumerate().take(cols).skip(c0) {
            for (lane, &x) in v.iter().enumerate() {
                block[lane * cols + c] = x;
            }
        }
    }
}

/// The whole pipeline. It and everything it calls are `#[inline(always)]` (no closures, which
/// would be separate functions) so that all of it is compiled with the caller's target features.
#[inline(always)]
fn run(kernel: impl Transpose, pixels: &Pixels<'_>) -> Box<Buffer64> {
    let mut s = Stream::new(pixels);
    let (rows, cols) = (pixels.height, pixels.width);
    let mut row0 = 0;
    while row0 < rows {
        let n = LANES.min(rows - row0);
        for (lane, dst) in s.block.chunks_exact_mut(cols).take(n).enumerate() {
            pixels.luma_row(row0 + lane, dst);
        }
        // R1, then each row into C1.
        kernel.rows_to_lanes(&s.block, cols, &mut s.lanes);
        box_lanes(&s.lanes, s.row_window, &mut DivideAll(&mut s.filtered));
        kernel.lanes_to_rows(&s.filtered, cols, &mut s.block);
        for lane in 0..n {
            let row = &s.block[lane * cols..(lane + 1) * cols];
            if let Some(count) = s.c1.push(row) {
                s.c1_output(kernel, count);
            }
        }
        row0 += n;
    }
    for k in 0..s.c1.tail_len() {
        let count = s.c1.tail(k);
        s.c1_output(kernel, count);
    }
    if s.c1_filled > 0 {
        s.r2(kernel, s.c1_filled);
    }
    for k in 0..s.c2.tail_len() {
        let count = s.c2.tail(k);
        s.c2_output(count);
    }
    s.gather()
}

/// The state of the pipeline between rows.
struct Stream {
    cols: usize,
    row_window: usize,
    sample_rows: [usize; 64],
    sample_cols: [usize; 64],
    /// Column index → slot among the distinct sampled columns (several outputs share a column
    /// when the image is narrower than 64); likewise for rows.
    col_slot: Vec<Option<usize>>,
    /// `col_slot[c].is_some()`, compactly, for R2's inner loop.
    col_needed: Vec<bool>,
    row_slot: Vec<Option<usize>>,
    n_col_slots: usize,
    /// `LANES` rows, row-major: luma, then R1's output.
    block: Vec<f32>,
    /// The same transposed (one row per lane), as input of a row pass.
    lanes: Vec<Lanes>,
    /// R1's output, transposed.
    filtered: Vec<Lanes>,
    c1: ColumnBox,
    /// C1's output rows, gathered `LANES` at a time for R2.
    c1_block: Vec<f32>,
    c1_filled: usize,
    /// R2's output at the sampled columns, one row per lane; then one row of it.
    r2_sampled: Vec<Lanes>,
    r2_row: Vec<f32>,
    c2: ColumnBox,
    c2_out_row: usize,
    /// C2's output at the sampled rows and columns: the decimated image.
    c2_out: Vec<f32>,
}

impl Stream {
    #[inline(always)]
    fn new(pixels: &Pixels<'_>) -> Stream {
        let (rows, cols) = (pixels.height, pixels.width);
        let sample_rows = sample_positions(rows);
        let sample_cols = sample_positions(cols);
        let (col_slot, n_col_slots) = slots(cols, &sample_cols);
        let (row_slot, n_row_slots) = slots(rows, &sample_rows);
        let col_window = window_size(rows);
        Stream {
            cols,
            row_window: window_size(cols),
            sample_rows,
            sample_cols,
            col_needed: col_slot.iter().map(Option::is_some).collect(),
            col_slot,
            row_slot,
            n_col_slots,
            block: vec![0f32; LANES * cols],
            lanes: vec![[0f32; LANES]; cols],
            filtered: vec![[0f32; LANES]; cols],
            c1: ColumnBox::new(cols, col_window),
            c1_block: vec![0f32; LANES * cols],
            c1_filled: 0,
            r2_sampled: vec![[0f32; LANES]; n_col_slots],
            r2_row: vec![0f32; n_col_slots],
            c2: ColumnBox::new(n_col_slots, col_window),
            c2_out_row: 0,
            c2_out: vec![0f32; n_row_slots * n_col_slots],
        }
    }

    /// C1 has an output row (its sums over `count` rows): divide into the block for R2.
    #[inline(always)]
    fn c1_output(&mut self, kernel: impl Transpose, count: usize) {
        let cols = self.cols;
        let dst = &mut self.c1_block[self.c1_filled * cols..(self.c1_filled + 1) * cols];
        divide_into(dst, &self.c1.sum, count);
        self.c1_filled += 1;
        if self.c1_filled == LANES {
            self.r2(kernel, LANES);
            self.c1_filled = 0;
        }
    }

    /// R2 over the first `n` rows of `c1_block`, dividing only at the sampled columns, then each
    /// row into C2.
    #[inline(always)]
    fn r2(&mut self, kernel: impl Transpose, n: usize) {
        kernel.rows_to_lanes(&self.c1_block, self.cols, &mut self.lanes);
        let mut emit = DivideSampled { needed: &self.col_needed, next: 0, out: &mut self.r2_sampled };
        box_lanes(&self.lanes, self.row_window, &mut emit);
        for lane in 0..n {
            for (v, s) in self.r2_row.iter_mut().zip(self.r2_sampled.iter()) {
                *v = s[lane];
            }
            if let Some(count) = self.c2.push(&self.r2_row) {
                self.c2_output(count);
            }
        }
    }

    /// C2 has an output row: keep it if the decimation samples it.
    #[inline(always)]
    fn c2_output(&mut self, count: usize) {
        if let Some(slot) = self.row_slot[self.c2_out_row] {
            let n = self.n_col_slots;
            divide_into(&mut self.c2_out[slot * n..(slot + 1) * n], &self.c2.sum, count);
        }
        self.c2_out_row += 1;
    }

    /// `decimateFloat` from the sampled rows and columns.
    #[inline(always)]
    fn gather(&self) -> Box<Buffer64> {
        let n = self.n_col_slots;
        let mut out = Box::new([[0f32; 64]; 64]);
        for (orow, &r) in out.iter_mut().zip(self.sample_rows.iter()) {
            let slot = self.row_slot[r].unwrap_or(0);
            let src = &self.c2_out[slot * n..(slot + 1) * n];
            for (o, &c) in orow.iter_mut().zip(self.sample_cols.iter()) {
                *o = src[self.col_slot[c].unwrap_or(0)];
            }
        }
        out
    }
}

/// For each index below `n`, its slot among the distinct values of `samples` (which are sorted).
fn slots(n: usize, samples: &[usize; 64]) -> (Vec<Option<usize>>, usize) {
    let mut slot = vec![None; n];
    let mut count = 0;
    for &s in samples {
        if slot[s].is_none() {
            slot[s] = Some(count);
            count += 1;
        }
    }
    (slot, count)
}

/// What a row pass does with each running sum.
trait Emit {
    fn emit(&mut self, out: usize, sum: &Lanes, count: usize);
}

/// R1: every output is needed.
struct DivideAll<'a>(&'a mut [Lanes]);

impl Emit for DivideAll<'_> {
    #[inline(always)]
    fn emit(&mut self, out: usize, sum: &Lanes, count: usize) {
        self.0[out] = div_lanes(sum, count);
    }
}

/// R2: only the sampled columns are needed.
/// Outputs come in column order, so the sampled ones fill `out` in order.
struct DivideSampled<'a> {
    needed: &'a [bool],
    next: usize,
    out: &'a mut [Lanes],
}

impl Emit for DivideSampled<'_> {
    #[inline(always)]
    fn emit(&mut self, out: usize, sum: &Lanes, count: usize) {
        if self.needed[out] {
            self.out[self.next] = div_lanes(sum, count);
            self.next += 1;
        }
    }
}

#[inline(always)]
fn div_lanes(sum: &Lanes, count: usize) -> Lanes {
    let c = count as f32;
    let mut out = [0f32; LANES];
    for (o, s) in out.iter_mut().zip(sum) {
        *o = s / c;
    }
    out
}

#[inline(always)]
fn divide_into(dst: &mut [f32], sum: &[f32], count: usize) {
    let c = count as f32;
    for (d, s) in dst.iter_mut().zip(sum) {
        *d = s / c;
    }
}

/// `box1DFloat` along the columns of a transposed block, one row per lane. Hands each output's
/// index, running sum and sample count to `emit`, in order.
#[inline(always)]
fn box_lanes(x: &[Lanes], window: usize, emit: &mut impl Emit) {
    let n = x.len();
    let half = (window + 2) / 2;
    let mut sum = [0f32; LANES];
    for v in &x[..half - 1] {
        add(&mut sum, v);
    }
    for (c, v) in x.iter().enumerate().take(window).skip(half - 1) {
        add(&mut sum, v);
        emit.emit(c + 1 - half, &sum, c + 1);
    }
    for c in window..n {
        add(&mut sum, &x[c]);
        sub(&mut sum, &x[c - window]);
        emit.emit(c + 1 - half, &sum, window);
    }
    for k in 0..half - 1 {
        sub(&mut sum, &x[n - window + k]);
        emit.emit(n + 1 - half + k, &sum, window - 1 - k);
    }
}

#[inline(always)]
fn add(sum: &mut Lanes, v: &Lanes) {
    for (s, x) in sum.iter_mut().zip(v) {
        *s += x;
    }
}

#[inline(always)]
fn sub(sum: &mut Lanes, v: &Lanes) {
    for (s, x) in sum.iter_mut().zip(v) {
        *s -= x;
    }
}

/// `box1DFloat` down the columns of a stream of rows: a running sum per column and a ring of the
/// last `window` rows for the subtractions.
struct ColumnBox {
    width: usize,
    window: usize,
    half: usize,
    pushed: usize,
    sum: Vec<f32>,
    ring: Vec<f32>,
}

impl ColumnBox {
    fn new(width: usize, window: usize) -> ColumnBox {
        ColumnBox {
            width,
            window,
            half: (window + 2) / 2,
            pushed: 0,
            sum: vec![0f32; width],
            ring: vec![0f32; width * window],
        }
    }

    /// Adds input row `self.pushed`. When that completes an output row (the next in order),
    /// returns the number of rows `self.sum` is over.
    #[inline(always)]
    fn push(&mut self, row: &[f32]) -> Option<usize> {
        let r = self.pushed;
        let w = self.width;
        let row = &row[..w];
        let slot = &mut self.ring[(r % self.window) * w..(r % self.window + 1) * w];
        if r >= self.window {
            for ((s, &x), old) in self.sum.iter_mut().zip(row).zip(slot.iter()) {
                *s += x;
                *s -= old;
            }
        } else {
            for (s, &x) in self.sum.iter_mut().zip(row) {
                *s += x;
            }
        }
        slot.copy_from_slice(row);
        self.pushed += 1;
        (r + 1 >= self.half).then(|| (r + 1).min(self.window))
    }

    /// How many outputs remain after the last row: the window shrinks past the end.
    fn tail_len(&self) -> usize {
        self.half - 1
    }

    /// Tail output `k`: subtracts the row leaving the window; returns the count.
    #[inline(always)]
    fn tail(&mut self, k: usize) -> usize {
        let w = self.width;
        let r = self.pushed - self.window + k;
        let slot = &self.ring[(r % self.window) * w..(r % self.window + 1) * w];
        for (s, &old) in self.sum.iter_mut().zip(slot) {
            *s -= old;
        }
        self.window - 1 - k
    }
}
