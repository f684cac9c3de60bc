//! The streaming engine: luma, the two-round Jarosz tent filter and the 64×64 decimation, with the
//! reference's arithmetic and a working set of a few rows.
//!
//! The reference runs four full passes over two image-sized buffers: box along rows (R1), along
//! columns (C1), along rows (R2), along columns (C2), then samples 64×64 pixels. Each box filter is
//! a running sum whose rounding depends on the exact sequence of additions and subtractions, so the
//! engine keeps every sum's sequence and changes only the schedule:
//!
//! - Rows are handled eight at a time. A block of eight rows is transposed so that each SIMD lane
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

const LANES: usize = 8;
type Lanes = [f32; LANES];

pub(super) fn downsample(pixels: &Pixels<'_>) -> Box<Buffer64> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { downsample_avx2(pixels) };
        }
    }
    run(pixels)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn downsample_avx2(pixels: &Pixels<'_>) -> Box<Buffer64> {
    run(pixels)
}

/// The whole pipeline; everything it calls is `#[inline(always)]` so that it is compiled with the
/// caller's target features.
#[inline(always)]
fn run(pixels: &Pixels<'_>) -> Box<Buffer64> {
    let (rows, cols) = (pixels.height, pixels.width);
    let row_window = window_size(cols); // box along rows
    let col_window = window_size(rows); // box along columns
    let sample_rows = sample_positions(rows);
    let sample_cols = sample_positions(cols);

    // Column index → slot among the distinct sampled columns (several outputs can share one
    // column when the image is narrower than 64); likewise for rows.
    let (col_slot, n_col_slots) = slots(cols, &sample_cols);
    let (row_slot, n_row_slots) = slots(rows, &sample_rows);

    let mut block = vec![0f32; LANES * cols]; // eight rows, row-major
    let mut transposed: Vec<Lanes> = vec![[0f32; LANES]; cols]; // the same, column-major
    let mut filtered: Vec<Lanes> = vec![[0f32; LANES]; cols];
    let mut r2_sampled: Vec<Lanes> = vec![[0f32; LANES]; n_col_slots];
    let mut r2_row = vec![0f32; n_col_slots];

    let mut c1 = ColumnBox::new(cols, col_window);
    let mut c2 = ColumnBox::new(n_col_slots, col_window);
    let mut c1_block = vec![0f32; LANES * cols];
    let mut c1_filled = 0usize;
    let mut c2_out = vec![0f32; n_row_slots * n_col_slots];

    // C2 consumes one row of R2's sampled output.
    let feed_c2 = |c2: &mut ColumnBox, row: &[f32], c2_out: &mut [f32]| {
        c2.push(row, |out_row, sum, count| {
            if let Some(slot) = row_slot[out_row] {
                divide_into(
                    &mut c2_out[slot * n_col_slots..(slot + 1) * n_col_slots],
                    sum,
                    count,
                );
            }
        });
    };
    // R2 over a block of `n` rows of C1's output, then each row into C2.
    let r2_block = |c1_block: &[f32],
                    n: usize,
                    transposed: &mut [Lanes],
                    r2_sampled: &mut [Lanes],
                    r2_row: &mut [f32],
                    c2: &mut ColumnBox,
                    c2_out: &mut [f32]| {
        transpose_in(c1_block, cols, transposed);
        box_lanes(transposed, row_window, |out, sum, count| {
            if let Some(slot) = col_slot[out] {
                r2_sampled[slot] = div_lanes(sum, count);
            }
        });
        for lane in 0..n {
            for (v, s) in r2_row.iter_mut().zip(r2_sampled.iter()) {
                *v = s[lane];
            }
            feed_c2(c2, r2_row, c2_out);
        }
    };

    let mut row0 = 0;
    while row0 < rows {
        let n = LANES.min(rows - row0);
        for (lane, dst) in block.chunks_exact_mut(cols).take(n).enumerate() {
            pixels.luma_row(row0 + lane, dst);
        }
        // R1.
        transpose_in(&block, cols, &mut transposed);
        box_lanes(&transposed, row_window, |out, sum, count| {
            filtered[out] = div_lanes(sum, count);
        });
        transpose_out(&filtered, cols, &mut block);
        // C1, whose output rows gather into blocks for R2.
        for r1_row in block.chunks_exact(cols).take(n) {
            c1.push(r1_row, |_, sum, count| {
                let dst = &mut c1_block[c1_filled * cols..(c1_filled + 1) * cols];
                divide_into(dst, sum, count);
                c1_filled += 1;
            });
            if c1_filled == LANES {
                r2_block(
                    &c1_block,
                    LANES,
                    &mut transposed,
                    &mut r2_sampled,
                    &mut r2_row,
                    &mut c2,
                    &mut c2_out,
                );
                c1_filled = 0;
            }
        }
        row0 += n;
    }
    // C1's tail, which may fill more than one block.
    c1.finish(|_, sum, count| {
        let dst = &mut c1_block[c1_filled * cols..(c1_filled + 1) * cols];
        divide_into(dst, sum, count);
        c1_filled += 1;
        if c1_filled == LANES {
            r2_block(
                &c1_block,
                LANES,
                &mut transposed,
                &mut r2_sampled,
                &mut r2_row,
                &mut c2,
                &mut c2_out,
            );
            c1_filled = 0;
        }
    });
    if c1_filled > 0 {
        r2_block(
            &c1_block,
            c1_filled,
            &mut transposed,
            &mut r2_sampled,
            &mut r2_row,
            &mut c2,
            &mut c2_out,
        );
    }
    c2.finish(|out_row, sum, count| {
        if let Some(slot) = row_slot[out_row] {
            divide_into(
                &mut c2_out[slot * n_col_slots..(slot + 1) * n_col_slots],
                sum,
                count,
            );
        }
    });

    let mut out = Box::new([[0f32; 64]; 64]);
    for (orow, &r) in out.iter_mut().zip(sample_rows.iter()) {
        let slot = row_slot[r].unwrap_or(0);
        let src = &c2_out[slot * n_col_slots..(slot + 1) * n_col_slots];
        for (o, &c) in orow.iter_mut().zip(sample_cols.iter()) {
            *o = src[col_slot[c].unwrap_or(0)];
        }
    }
    out
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

/// `box1DFloat` along the columns of a transposed block, one row per lane. Calls
/// `emit(output index, running sum, sample count)` for each output, in order.
#[inline(always)]
fn box_lanes(x: &[Lanes], window: usize, mut emit: impl FnMut(usize, &Lanes, usize)) {
    let n = x.len();
    let half = (window + 2) / 2;
    let mut sum = [0f32; LANES];
    for v in &x[..half - 1] {
        add(&mut sum, v);
    }
    for (c, v) in x.iter().enumerate().take(window).skip(half - 1) {
        add(&mut sum, v);
        emit(c + 1 - half, &sum, c + 1);
    }
    for c in window..n {
        add(&mut sum, &x[c]);
        sub(&mut sum, &x[c - window]);
        emit(c + 1 - half, &sum, window);
    }
    for k in 0..half - 1 {
        sub(&mut sum, &x[n - window + k]);
        emit(n + 1 - half + k, &sum, window - 1 - k);
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

/// Eight rows of `cols` samples (row-major) to `cols` lane vectors.
#[inline(always)]
fn transpose_in(block: &[f32], cols: usize, out: &mut [Lanes]) {
    let mut c0 = 0;
    while c0 + LANES <= cols {
        let mut tile = [[0f32; LANES]; LANES];
        for (lane, row) in tile.iter_mut().enumerate() {
            row.copy_from_slice(&block[lane * cols + c0..lane * cols + c0 + LANES]);
        }
        for k in 0..LANES {
            for lane in 0..LANES {
                out[c0 + k][lane] = tile[lane][k];
            }
        }
        c0 += LANES;
    }
    for c in c0..cols {
        for lane in 0..LANES {
            out[c][lane] = block[lane * cols + c];
        }
    }
}

/// The inverse of [`transpose_in`].
#[inline(always)]
fn transpose_out(vectors: &[Lanes], cols: usize, block: &mut [f32]) {
    let mut c0 = 0;
    while c0 + LANES <= cols {
        let mut tile = [[0f32; LANES]; LANES];
        for (lane, row) in tile.iter_mut().enumerate() {
            for k in 0..LANES {
                row[k] = vectors[c0 + k][lane];
            }
        }
        for (lane, row) in tile.iter().enumerate() {
            block[lane * cols + c0..lane * cols + c0 + LANES].copy_from_slice(row);
        }
        c0 += LANES;
    }
    for (c, v) in vectors.iter().enumerate().skip(c0) {
        for (lane, &x) in v.iter().enumerate() {
            block[lane * cols + c] = x;
        }
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

    /// Adds input row `self.pushed`; calls `emit(output row, sums, count)` once an output row
    /// is complete.
    #[inline(always)]
    fn push(&mut self, row: &[f32], mut emit: impl FnMut(usize, &[f32], usize)) {
        let r = self.pushed;
        let w = self.width;
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
        slot.copy_from_slice(&row[..w]);
        self.pushed += 1;
        if r + 1 >= self.half {
            emit(r + 1 - self.half, &self.sum, (r + 1).min(self.window));
        }
    }

    /// The last `half - 1` outputs, as the window shrinks past the end.
    #[inline(always)]
    fn finish(&mut self, mut emit: impl FnMut(usize, &[f32], usize)) {
        let n = self.pushed;
        let w = self.width;
        for k in 0..self.half - 1 {
            let r = n - self.window + k;
            let slot = &self.ring[(r % self.window) * w..(r % self.window + 1) * w];
            for (s, &old) in self.sum.iter_mut().zip(slot) {
                *s -= old;
            }
            emit(n + 1 - self.half + k, &self.sum, self.window - 1 - k);
        }
    }
}
