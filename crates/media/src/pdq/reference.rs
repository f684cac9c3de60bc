//! A line-by-line port of the reference's full-resolution path (`fillFloatLumaFromRGB`,
//! `jaroszFilterFloat`, `decimateFloat`): two full-size `f32` buffers and four complete box-filter
//! passes. It is slow and needs `8 × width × height` bytes; it exists as the oracle that the
//! streaming engine is tested against. Use [`super::pdq`] and [`super::pdq_dihedral`] instead.

use super::{Buffer64, DihedralHashes, Pdq, Pixels, finish, sample_positions, threshold, window_size};
use crate::Hash256;

/// PDQ via the reference path (including the 64×64 shortcut of `pdqFloat256FromFloatLuma`).
pub fn pdq(pixels: &Pixels<'_>) -> Pdq {
    if super::too_small(pixels) {
        return Pdq { hash: Hash256::default(), quality: 0 };
    }
    let buf = if pixels.width == 64 && pixels.height == 64 { super::copy64(pixels) } else { downsample(pixels) };
    let (dct, quality) = finish(&buf);
    Pdq { hash: threshold(&dct), quality }
}

/// The eight dihedral hashes via the reference path.
pub fn pdq_dihedral(pixels: &Pixels<'_>) -> DihedralHashes {
    if super::too_small(pixels) {
        return DihedralHashes { hashes: [Hash256::default(); 8], quality: 0 };
    }
    let (dct, quality) = finish(&downsample(pixels));
    DihedralHashes { hashes: super::dihedral_hashes(&dct), quality }
}

/// Luma, the two-round Jarosz tent filter over the whole image, and decimation to 64×64.
pub fn downsample(pixels: &Pixels<'_>) -> Box<Buffer64> {
    let (rows, cols) = (pixels.height, pixels.width);
    let mut buf1 = vec![0f32; rows * cols];
    for (i, row) in buf1.chunks_exact_mut(cols).enumerate() {
        pixels.luma_row(i, row);
    }
    let mut buf2 = vec![0f32; rows * cols];
    let along_rows = window_size(cols);
    let along_cols = window_size(rows);
    for _ in 0..2 {
        for i in 0..rows {
            box_1d(&buf1[i * cols..], &mut buf2[i * cols..], cols, 1, along_rows);
        }
        for j in 0..cols {
            box_1d(&buf2[j..], &mut buf1[j..], rows, cols, along_cols);
        }
    }
    let (ri, ci) = (sample_positions(rows), sample_positions(cols));
    let mut out = Box::new([[0f32; 64]; 64]);
    for (orow, &i) in out.iter_mut().zip(ri.iter()) {
        for (o, &j) in orow.iter_mut().zip(ci.iter()) {
            *o = buf1[i * cols + j];
        }
    }
    out
}

/// `box1DFloat`: a running-sum box filter of `window` samples over `len` samples `stride` apart,
/// averaging over the samples that exist at the edges, in four phases.
fn box_1d(input: &[f32], output: &mut [f32], len: usize, stride: usize, window: usize) {
    let half = (window + 2) / 2;
    let phase1 = half - 1;
    let phase2 = window - half + 1;
    let phase3 = len - window;
    let phase4 = half - 1;
    let (mut li, mut ri, mut oi) = (0, 0, 0);
    let mut sum = 0f32;
    let mut current = 0usize;
    for _ in 0..phase1 {
        sum += input[ri];
        current += 1;
        ri += stride;
    }
    for _ in 0..phase2 {
        sum += input[ri];
        current += 1;
        output[oi] = sum / current as f32;
        ri += stride;
        oi += stride;
    }
    for _ in 0..phase3 {
        sum += input[ri];
        sum -= input[li];
        output[oi] = sum / current as f32;
        li += stride;
        ri += stride;
        oi += stride;
    }
    for _ in 0..phase4 {
        sum -= input[li];
        current -= 1;
        output[oi] = sum / current as f32;
        li += stride;
        oi += stride;
    }
}
