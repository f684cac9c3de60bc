//! PDQ, Meta's 256-bit perceptual hash, computed exactly as the C++ reference does at full resolution.
//!
//! The pipeline (see `pdq/cpp/hashing/pdqhashing.cpp` in facebook/ThreatExchange):
//!
//! 1. luma `Y = 0.299·R + 0.587·G + 0.114·B` in `f32` (greyscale pixels are used as they are);
//! 2. a tent blur: two rounds of a box filter along the rows and then along the columns, with windows
//!    `ceil(cols / 128)` and `ceil(rows / 128)`;
//! 3. decimation to 64×64 by sampling pixel centres;
//! 4. the quality metric (sum of quantised gradients of the 64×64 image, 0–100);
//! 5. the 16×16 low-frequency block of the 2-D DCT (rows 1–16, skipping DC), as two `f32` matrix
//!    products;
//! 6. bit `i·16 + j` is set iff coefficient `[i][j]` is greater than the median (the 128th smallest).
//!
//! The eight dihedral variants (rotations and flips of the image) come from sign changes and
//! transposes of the one 16×16 block, each thresholded against its own median.
//!
//! Every floating-point operation happens in the reference's order and precision (no fused
//! multiply-add, no reassociation), so the same pixels give the same bits. Two engines compute
//! steps 1–3: [`reference`](mod@reference), a line-by-line port over two full-size buffers that serves as the
//! test oracle, and the streaming engine used by [`pdq`] and [`pdq_dihedral`], which performs the
//! very same arithmetic on a few rows at a time, eight rows per SIMD vector, and only divides where
//! a later step reads the result. Tests assert that both give bit-identical 64×64 buffers.

mod fast;
pub mod reference;

use std::sync::LazyLock;

use crate::Hash256;

/// Images smaller than this in either dimension get the all-zero hash and quality 0.
pub const MIN_HASHABLE_DIM: usize = 5;

/// Pixels to hash: a borrowed, tightly packed, row-major image.
#[derive(Clone, Copy, Debug)]
pub struct Pixels<'a> {
    pub width: usize,
    pub height: usize,
    pub data: PixelData<'a>,
}

/// The sample layout of [`Pixels`]. Alpha, where present, is ignored, as in the reference.
#[derive(Clone, Copy, Debug)]
pub enum PixelData<'a> {
    /// One byte per pixel, used directly as luma.
    Grey(&'a [u8]),
    /// R, G, B bytes.
    Rgb(&'a [u8]),
    /// R, G, B, A bytes (A ignored).
    Rgba(&'a [u8]),
    /// Luma already in `f32` (the reference's `fillFloatLuma…` output).
    Luma(&'a [f32]),
}

impl PixelData<'_> {
    fn channels(&self) -> usize {
        match self {
            PixelData::Grey(_) | PixelData::Luma(_) => 1,
            PixelData::Rgb(_) => 3,
            PixelData::Rgba(_) => 4,
        }
    }

    fn len(&self) -> usize {
        match self {
            PixelData::Grey(d) | PixelData::Rgb(d) | PixelData::Rgba(d) => d.len(),
            PixelData::Luma(d) => d.len(),
        }
    }
}

impl<'a> Pixels<'a> {
    /// Checks that `data` holds exactly `width × height` pixels.
    pub fn new(width: usize, height: usize, data: PixelData<'a>) -> Result<Pixels<'a>, PixelsError> {
        let expected = width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(data.channels()))
            .ok_or(PixelsError::TooLarge { width, height })?;
        if data.len() != expected {
            return Err(PixelsError::Length { width, height, expected, actual: data.len() });
        }
        Ok(Pixels { width, height, data })
    }

    /// Luma of row `row`, columns `0..width`, into `out` (the reference's `fillFloatLuma…`).
    #[inline(always)]
    fn luma_row(&self, row: usize, out: &mut [f32]) {
        let w = self.width;
        let out = &mut out[..w];
        match self.data {
            PixelData::Grey(d) => {
                for (o, &p) in out.iter_mut().zip(&d[row * w..(row + 1) * w]) {
                    *o = f32::from(p);
                }
            }
            PixelData::Rgb(d) => {
                for (o, p) in out.iter_mut().zip(d[row * w * 3..(row + 1) * w * 3].chunks_exact(3)) {
                    *o = luma(p[0], p[1], p[2]);
                }
            }
            PixelData::Rgba(d) => {
                for (o, p) in out.iter_mut().zip(d[row * w * 4..(row + 1) * w * 4].chunks_exact(4)) {
                    *o = luma(p[0], p[1], p[2]);
                }
            }
            PixelData::Luma(d) => out.copy_from_slice(&d[row * w..(row + 1) * w]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PixelsError {
    #[error("a {width}×{height} image needs {expected} samples, the buffer has {actual}")]
    Length { width: usize, height: usize, expected: usize, actual: usize },
    #[error("a {width}×{height} image is too large to address")]
    TooLarge { width: usize, height: usize },
}

/// "From Wikipedia: YUV Y", in `f32` and in the reference's order of operations.
#[inline(always)]
fn luma(r: u8, g: u8, b: u8) -> f32 {
    0.299f32 * f32::from(r) + 0.587f32 * f32::from(g) + 0.114f32 * f32::from(b)
}

/// A PDQ hash with its quality (0–100; below 50 the hash should not be trusted for matching).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pdq {
    pub hash: Hash256,
    pub quality: u8,
}

/// The eight dihedral transforms, in the order of Meta's C++ API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dihedral {
    Original,
    Rotate90,
    Rotate180,
    Rotate270,
    FlipX,
    FlipY,
    FlipPlus1,
    FlipMinus1,
}

impl Dihedral {
    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];

    /// The name used in Meta's tools and in `tomas hash --format json`.
    pub fn name(self) -> &'static str {
        match self {
            Dihedral::Original => "original",
            Dihedral::Rotate90 => "rotate90",
            Dihedral::Rotate180 => "rotate180",
            Dihedral::Rotate270 => "rotate270",
            Dihedral::FlipX => "flipx",
            Dihedral::FlipY => "flipy",
            Dihedral::FlipPlus1 => "flipplus1",
            Dihedral::FlipMinus1 => "flipminus1",
        }
    }

    /// The DCT block of the transformed image, from the block `a` of the original.
    fn apply(self, a: &Dct16) -> Dct16 {
        let mut b = [[0f32; 16]; 16];
        for i in 0..16 {
            for j in 0..16 {
                let v = a[i][j];
                let (odd_i, odd_j, odd_ij) = (i & 1 == 1, j & 1 == 1, (i + j) & 1 == 1);
                match self {
                    Dihedral::Original => b[i][j] = v,
                    Dihedral::Rotate90 => b[j][i] = if odd_j { v } else { -v },
                    Dihedral::Rotate180 => b[i][j] = if odd_ij { -v } else { v },
                    Dihedral::Rotate270 => b[j][i] = if odd_i { v } else { -v },
                    Dihedral::FlipX => b[i][j] = if odd_i { v } else { -v },
                    Dihedral::FlipY => b[i][j] = if odd_j { v } else { -v },
                    Dihedral::FlipPlus1 => b[j][i] = v,
                    Dihedral::FlipMinus1 => b[j][i] = if odd_ij { -v } else { v },
                }
            }
        }
        b
    }
}

/// The hashes of the eight dihedral transforms of an image, indexed like [`Dihedral::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DihedralHashes {
    pub hashes: [Hash256; 8],
    pub quality: u8,
}

impl DihedralHashes {
    pub fn get(&self, d: Dihedral) -> Hash256 {
        self.hashes[d as usize]
    }
}

/// The 64×64 image-domain downsample, row-major.
pub(crate) type Buffer64 = [[f32; 64]; 64];
/// The 16×16 DCT block.
pub(crate) type Dct16 = [[f32; 16]; 16];

/// PDQ hash and quality of an image, as Meta's `pdqHash256FromFloatLuma` computes them (including
/// its shortcut for images of exactly 64×64, which skips the blur).
pub fn pdq(pixels: &Pixels<'_>) -> Pdq {
    if too_small(pixels) {
        return Pdq { hash: Hash256::default(), quality: 0 };
    }
    let buf = if pixels.width == 64 && pixels.height == 64 { copy64(pixels) } else { fast::downsample(pixels) };
    let (dct, quality) = finish(&buf);
    Pdq { hash: threshold(&dct), quality }
}

/// The eight dihedral hashes, as Meta's `pdqDihedralHash256esFromFloatLuma` computes them (which
/// always blurs, so for a 64×64 image the `Original` hash may differ slightly from [`pdq`]).
pub fn pdq_dihedral(pixels: &Pixels<'_>) -> DihedralHashes {
    if too_small(pixels) {
        return DihedralHashes { hashes: [Hash256::default(); 8], quality: 0 };
    }
    let (dct, quality) = finish(&fast::downsample(pixels));
    DihedralHashes { hashes: dihedral_hashes(&dct), quality }
}

/// Both [`pdq`] and [`pdq_dihedral`], sharing the work (which is all of it unless the image is
/// exactly 64×64).
pub fn pdq_with_dihedral(pixels: &Pixels<'_>) -> (Pdq, DihedralHashes) {
    if too_small(pixels) {
        let zero = Hash256::default();
        return (Pdq { hash: zero, quality: 0 }, DihedralHashes { hashes: [zero; 8], quality: 0 });
    }
    let (dct, quality) = finish(&fast::downsample(pixels));
    let dihedral = DihedralHashes { hashes: dihedral_hashes(&dct), quality };
    let plain = if pixels.width == 64 && pixels.height == 64 {
        let (dct, quality) = finish(&copy64(pixels));
        Pdq { hash: threshold(&dct), quality }
    } else {
        Pdq { hash: dihedral.hashes[0], quality }
    };
    (plain, dihedral)
}

/// Which code computes luma, blur and decimation; for tests and measurements.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// [`reference::downsample`].
    Reference,
    /// The streaming engine, with SIMD where the CPU has it (what [`pdq`] uses).
    Streaming,
    /// The streaming engine in portable code only.
    StreamingPortable,
}

/// Steps 1–3 of the pipeline (luma, tent filter, decimation) by the chosen engine: the 64×64
/// buffer whose quality and DCT give the hash.
#[doc(hidden)]
pub fn downsample(pixels: &Pixels<'_>, engine: Engine) -> Box<[[f32; 64]; 64]> {
    match engine {
        Engine::Reference => reference::downsample(pixels),
        Engine::Streaming => fast::downsample(pixels),
        Engine::StreamingPortable => fast::downsample_portable(pixels),
    }
}

fn too_small(pixels: &Pixels<'_>) -> bool {
    pixels.width < MIN_HASHABLE_DIM || pixels.height < MIN_HASHABLE_DIM
}

fn copy64(pixels: &Pixels<'_>) -> Box<Buffer64> {
    let mut buf = Box::new([[0f32; 64]; 64]);
    for (i, row) in buf.iter_mut().enumerate() {
        pixels.luma_row(i, row);
    }
    buf
}

fn dihedral_hashes(dct: &Dct16) -> [Hash256; 8] {
    Dihedral::ALL.map(|d| threshold(&d.apply(dct)))
}

/// Quality and DCT of the 64×64 downsample.
pub(crate) fn finish(buf: &Buffer64) -> (Dct16, u8) {
    (dct64_to_16(buf), quality(buf))
}

/// `pdqImageDomainQualityMetric`: quantised gradients, integer arithmetic after an `f32` step.
pub(crate) fn quality(buf: &Buffer64) -> u8 {
    // `int d = ((u - v) * 100) / 255;` — float arithmetic, truncated toward zero.
    let step = |u: f32, v: f32| ((((u - v) * 100f32) / 255f32) as i32).unsigned_abs();
    let mut sum: u32 = 0;
    for (upper, lower) in buf.iter().zip(&buf[1..]) {
        for (&u, &v) in upper.iter().zip(lower) {
            sum += step(u, v);
        }
    }
    for row in buf.iter() {
        for (&u, &v) in row.iter().zip(&row[1..]) {
            sum += step(u, v);
        }
    }
    (sum / 90).min(100) as u8
}

/// Rows 1–16 of the 64-point DCT-II matrix, as the reference builds it: an `f32` scale factor
/// times a `f64` cosine, the product rounded to `f32`.
static DCT_MATRIX: LazyLock<[[f32; 64]; 16]> = LazyLock::new(|| {
    let scale = (2.0f64 / 64.0).sqrt() as f32;
    let mut d = [[0f32; 64]; 16];
    for (i, row) in d.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let angle = (std::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64;
            *v = (f64::from(scale) * angle.cos()) as f32;
        }
    }
    d
});

/// `dct64To16`: `B = D·A·Dᵀ` as `T = D·A`, then `B = T·Dᵀ`, each sum accumulated in `f32` in
/// index order. The loops run over independent outputs innermost so they vectorise without
/// changing any sum's order.
pub(crate) fn dct64_to_16(a: &Buffer64) -> Dct16 {
    let d = &*DCT_MATRIX;
    let mut t = [[0f32; 64]; 16];
    for (trow, drow) in t.iter_mut().zip(d.iter()) {
        for (k, arow) in a.iter().enumerate() {
            let dk = drow[k];
            for (tv, &av) in trow.iter_mut().zip(arow.iter()) {
                *tv += dk * av;
            }
        }
    }
    // dt[k][j] = d[j][k], so that B's inner loop runs over j.
    let mut dt = [[0f32; 16]; 64];
    for (j, drow) in d.iter().enumerate() {
        for (k, &v) in drow.iter().enumerate() {
            dt[k][j] = v;
        }
    }
    let mut b = [[0f32; 16]; 16];
    for (brow, trow) in b.iter_mut().zip(t.iter()) {
        for (k, &tk) in trow.iter().enumerate() {
            for (bv, &dv) in brow.iter_mut().zip(dt[k].iter()) {
                *bv += tk * dv;
            }
        }
    }
    b
}

/// `pdqBuffer16x16ToBits`: bit `i·16 + j` is set iff the coefficient exceeds the median, which
/// Torben's selection returns as the 128th smallest of the 256 values.
pub(crate) fn threshold(dct: &Dct16) -> Hash256 {
    let mut values: Vec<f32> = dct.iter().flatten().copied().collect();
    let (_, &mut median, _) = values.select_nth_unstable_by(127, f32::total_cmp);
    let mut hash = Hash256::default();
    for (k, &v) in dct.iter().flatten().enumerate() {
        if v > median {
            hash.set_bit(k, true);
        }
    }
    hash
}

/// `decimateFloat`'s sample positions: `(int)(((out + 0.5) · n) / 64)`, in `f64`.
pub(crate) fn sample_positions(n: usize) -> [usize; 64] {
    std::array::from_fn(|o| (((o as f64 + 0.5) * n as f64) / 64.0) as usize)
}

/// `computeJaroszFilterWindowSize(n, 64)`: `ceil(n / 128)`.
pub(crate) fn window_size(n: usize) -> usize {
    n.div_ceil(128)
}
