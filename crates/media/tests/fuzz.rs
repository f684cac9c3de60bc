//! Property-based fuzzing of image decoding: small valid PNG, GIF, WebP, BMP, TIFF and JPEG files
//! (synthesised here; JPEG also from the shared benign photos when present) with their headers
//! damaged — flipped and overwritten bytes, truncations, width and height fields set to huge
//! values — are hashed under small limits. Each must give an error or a hash: never a panic
//! (including one caught inside a decoder), never an image over the pixel limit, and never a peak
//! of allocated memory above what the limits allow.
//!
//! Inputs that once broke decoding are rebuilt from the synthesised bases and replayed by the last test.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    io::Cursor,
    path::PathBuf,
    sync::OnceLock,
};

use image::{DynamicImage, ImageFormat, RgbImage};
use media::{DecodeError, DecodeOptions, JpegLuma, Limits};
use proptest::{prelude::*, sample::Index, test_runner::TestCaseError};

/// Counts the bytes allocated by each thread, so that one decode's peak can be read.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed on unchanged to the system allocator; only the sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the peak of bytes it held allocated at once.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, (PEAK.with(Cell::get) - base).max(0) as usize)
}

/// One megapixel and 1 MiB: far below the defaults, so that a header asking for more is refused.
const LIMITS: Limits = Limits { max_bytes: 1 << 20, max_pixels: 1 << 20 };

/// What decoding `input` under [`LIMITS`] may hold at once: the `image` crate's allocation limit
/// that `decode` sets (the pixel limit × 8, at least 64 MiB), plus room for the input's own size.
///
/// Known exception, not ours to fix: the `tiff` crate reads a TIFF's first directory with its own
/// default limits before `image` passes ours on, and reserves 32 bytes per value a tag claims to
/// have, up to its default decoding buffer of 256 MiB. Four bytes of a 4 KB file can ask for all of
/// it (the TIFF in `replay_regressions` asks for 69 MB; a count of 8 million, 256 MB).
fn allocation_bound(input: &[u8]) -> usize {
    const TIFF_DIRECTORY_BUFFER: usize = 256 << 20;
    let image_limit = (LIMITS.max_pixels as usize * 8).max(64 << 20);
    let tiff = input.starts_with(b"II*\0") || input.starts_with(b"MM\0*");
    let limit = if tiff { image_limit.max(TIFF_DIRECTORY_BUFFER) } else { image_limit };
    limit + 16 * input.len() + (1 << 20)
}

fn shared_images() -> Option<PathBuf> {
    let dir = match std::env::var_os("TOMAS_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")),
    };
    let dir = dir.join("pdq/images");
    dir.is_dir().then_some(dir)
}

/// A textured test image.
fn rgb(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 9 + y * 3) as u8, (x * y) as u8, (y * 17) as u8]))
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A minimal baseline JPEG, 24×16 grey: all-ones quantisation, one-code Huffman tables (DC
/// difference 0, end of block), every block flat. The `image` crate here has no JPEG encoder.
fn tiny_jpeg() -> Vec<u8> {
    let (w, h) = (24u16, 16u16);
    let mut j = vec![0xFF, 0xD8];
    j.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    j.extend([1u8; 64]);
    j.extend([0xFF, 0xC0, 0x00, 0x0B, 0x08]);
    j.extend(h.to_be_bytes());
    j.extend(w.to_be_bytes());
    j.extend([0x01, 0x01, 0x11, 0x00]);
    for class in [0x00, 0x10] {
        j.extend([0xFF, 0xC4, 0x00, 0x14, class, 1]);
        j.extend([0u8; 15]);
        j.push(0x00);
    }
    j.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    // Two zero bits per block, padded with ones.
    let bits = 2 * usize::from(w.div_ceil(8)) * usize::from(h.div_ceil(8));
    j.extend(vec![0x00; bits / 8]);
    if bits % 8 != 0 {
        j.push(0xFF >> (bits % 8));
    }
    j.extend([0xFF, 0xD9]);
    j
}

/// The valid files the mutations start from, with a name for messages.
fn bases() -> &'static [(String, Vec<u8>)] {
    static BASES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    BASES.get_or_init(|| {
        let img = DynamicImage::ImageRgb8(rgb(40, 30));
        let mut out = vec![
            ("png".to_string(), encode(&img, ImageFormat::Png)),
            ("png grey 16-bit".to_string(), encode(&DynamicImage::ImageLuma16(img.to_luma16()), ImageFormat::Png)),
            ("gif".to_string(), encode(&img, ImageFormat::Gif)),
            ("webp".to_string(), encode(&img, ImageFormat::WebP)),
            ("bmp".to_string(), encode(&img, ImageFormat::Bmp)),
            ("tiff".to_string(), encode(&img, ImageFormat::Tiff)),
            ("jpeg (synthesised)".to_string(), tiny_jpeg()),
        ];
        match shared_images() {
            Some(dir) => {
                for file in ["small.jpg", "wee.jpg"] {
                    out.push((file.to_string(), std::fs::read(dir.join(file)).unwrap()));
                }
            }
            None => eprintln!("shared/pdq/images not found (set TOMAS_SHARED): fuzzing synthesised JPEG only"),
        }
        for (name, bytes) in &out {
            let hashed = media::hash_bytes(bytes, &DecodeOptions { limits: LIMITS, ..DecodeOptions::default() });
            assert!(hashed.is_ok(), "base {name} must decode: {hashed:?}");
        }
        out
    })
}

/// Hashes `bytes` under [`LIMITS`] both ways JPEGs can be decoded, and holds the outcome to the
/// rules in the module comment.
fn hash_within_limits(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    for jpeg_luma in [JpegLuma::YChannel, JpegLuma::Rgb] {
        let options = DecodeOptions { limits: LIMITS, jpeg_luma };
        let (result, peak) = peak_of(|| media::hash_bytes(bytes, &options));
        prop_assert!(
            peak <= allocation_bound(bytes),
            "{name}: {peak} bytes allocated at once, over {}",
            allocation_bound(bytes)
        );
        match result {
            Ok(h) => prop_assert!(
                (h.width as u64) * (h.height as u64) <= LIMITS.max_pixels,
                "{name}: decoded {}×{} over the pixel limit",
                h.width,
                h.height
            ),
            Err(DecodeError::Corrupt { message, .. }) if message.starts_with("decoder failure") => {
                return Err(TestCaseError::fail(format!("{name}: a decoder panicked: {message}")));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum Mutation {
    /// XOR a byte of the first 64 (the headers) or, with `anywhere`, of the whole file.
    Flip {
        at: Index,
        anywhere: bool,
        mask: u8,
    },
    /// Overwrite four bytes of the first 64 with an extreme value.
    Overwrite(Index, [u8; 4]),
    Truncate(Index),
    /// Set the format's width and height fields to an extreme value.
    Dimensions([u8; 4]),
}

const EXTREMES: &[[u8; 4]] = &[
    [0xFF, 0xFF, 0xFF, 0xFF],
    [0x7F, 0xFF, 0xFF, 0xFF],
    [0x80, 0x00, 0x00, 0x00],
    [0x00, 0x00, 0x00, 0x00],
    [0x00, 0x01, 0x00, 0x00],
    [0x00, 0x00, 0xFF, 0xFF],
    [0xFF, 0xFF, 0x00, 0x00],
    [0x00, 0x00, 0x01, 0x01],
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let extreme = prop::sample::select(EXTREMES);
    prop_oneof![
        3 => (any::<Index>(), any::<bool>(), 1u8..=255).prop_map(|(at, anywhere, mask)| Mutation::Flip { at, anywhere, mask }),
        2 => (any::<Index>(), extreme.clone()).prop_map(|(at, v)| Mutation::Overwrite(at, v)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        3 => extreme.prop_map(Mutation::Dimensions),
    ]
}

/// Byte ranges of the width and height fields of the file's format (as far as a simple walk of
/// its headers finds them).
fn dimension_fields(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let le16 = |at: usize| b.get(at..at + 2).map_or(0, |s| usize::from(u16::from_le_bytes([s[0], s[1]])));
    let mut fields = Vec::new();
    if b.starts_with(b"\x89PNG") {
        fields.extend([16..20, 20..24]);
    } else if b.starts_with(b"GIF") {
        fields.extend([6..8, 8..10]);
        // The first image descriptor, after the global colour table if there is one.
        let table = if b.get(10).is_some_and(|f| f & 0x80 != 0) { 3 << ((b[10] & 7) + 1) } else { 0 };
        if let Some(d) = b.iter().skip(13 + table).position(|&x| x == 0x2C).map(|p| 13 + table + p) {
            fields.extend([d + 5..d + 7, d + 7..d + 9]);
        }
    } else if b.starts_with(b"BM") {
        fields.extend([18..22, 22..26]);
    } else if b.starts_with(b"RIFF") {
        match b.get(12..16) {
            Some(b"VP8L") => fields.push(21..25),
            Some(b"VP8X") => fields.extend([24..27, 27..30]),
            Some(b"VP8 ") => fields.extend([26..28, 28..30]),
            _ => {}
        }
    } else if b.starts_with(b"II*\0") {
        // ImageWidth (256) and ImageLength (257) entries of the first IFD.
        let ifd = b.get(4..8).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize);
        for i in 0..le16(ifd) {
            let entry = ifd + 2 + 12 * i;
            if matches!(le16(entry), 256 | 257) {
                fields.push(entry + 8..entry + 12);
            }
        }
    } else if b.starts_with(&[0xFF, 0xD8]) {
        // The frame header: walk the marker segments to the first SOFn.
        let mut at = 2;
        while at + 9 < b.len() && b[at] == 0xFF {
            if matches!(b[at + 1], 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                fields.extend([at + 5..at + 7, at + 7..at + 9]);
                break;
            }
            at += 2 + usize::from(u16::from_be_bytes([b[at + 2], b[at + 3]]));
        }
    }
    fields.retain(|f| f.end <= b.len());
    fields
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Flip { at, anywhere, mask } => {
            let span = if *anywhere { bytes.len() } else { bytes.len().min(64) };
            bytes[at.index(span)] ^= mask;
        }
        Mutation::Overwrite(at, value) => {
            let start = at.index(bytes.len().min(64));
            let end = (start + 4).min(bytes.len());
            bytes[start..end].copy_from_slice(&value[..end - start]);
        }
        Mutation::Truncate(at) => bytes.truncate(at.index(bytes.len())),
        Mutation::Dimensions(value) => {
            for field in dimension_fields(bytes) {
                let n = field.len();
                bytes[field].copy_from_slice(&value[4 - n..]);
            }
        }
    }
}

/// CRC-32 (ISO-HDLC), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Rewrites the CRC of every whole PNG chunk, so that a damaged header is read, not refused for
/// its checksum.
fn fix_png_crcs(b: &mut [u8]) {
    if !b.starts_with(b"\x89PNG") {
        return;
    }
    let mut at = 8;
    while at + 12 <= b.len() {
        let len = u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
        let Some(end) = (at + 8).checked_add(len).filter(|&e| e + 4 <= b.len()) else { return };
        let crc = crc32(&b[at + 4..end]);
        b[end..end + 4].copy_from_slice(&crc.to_be_bytes());
        at = end + 4;
    }
}

/// The first bytes [`media::Format::sniff`] recognises.
const MAGICS: &[&[u8]] = &[
    b"\xFF\xD8\xFF",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\0\0\0\0WEBPVP8L",
    b"RIFF\0\0\0\0WEBPVP8X",
    b"RIFF\0\0\0\0WEBPVP8 ",
    b"BM",
    b"II*\0",
    b"MM\0*",
];

/// `default` cases per property, or `FUZZ_CASES` for a longer run (`FUZZ_CASES=1000000 cargo test
/// -p media --test fuzz`).
fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(20_000), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_headers_give_an_error_or_a_hash(
        base in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
        fix_crc in any::<bool>(),
    ) {
        let (name, original) = base.get(bases());
        let mut bytes = original.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        if fix_crc {
            fix_png_crcs(&mut bytes);
        }
        hash_within_limits(name, &bytes)?;
    }

    #[test]
    fn arbitrary_bytes_behind_a_magic_number(
        magic in prop::sample::select(MAGICS),
        tail in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend(tail);
        hash_within_limits("arbitrary", &bytes)?;
    }
}

/// Found by the fuzzing above: a 40×30 GIF whose first frame's descriptor claims 65280×255
/// pixels passed the pixel limit (checked on the 40×30 screen) and had 83 MB allocated for it.
#[test]
fn gif_frame_larger_than_its_screen_is_refused() {
    let (_, gif) = &bases()[2];
    let mut bytes = gif.clone();
    let descriptor = bytes.iter().position(|&b| b == 0x2C).unwrap();
    bytes[descriptor + 5..descriptor + 9].copy_from_slice(&[0x00, 0xFF, 0xFF, 0x00]);
    let options = DecodeOptions { limits: LIMITS, ..DecodeOptions::default() };
    let (result, peak) = peak_of(|| media::hash_bytes(&bytes, &options));
    assert!(matches!(result, Err(DecodeError::TooManyPixels { width: 65280, height: 255, .. })), "{result:?}");
    assert!(peak < 1 << 20, "{peak} bytes allocated");
}

#[test]
fn every_base_has_its_dimension_fields_found() {
    for (name, bytes) in bases() {
        // Two fields, or one holding both (WebP lossless packs them into four bytes).
        let fields = dimension_fields(bytes);
        assert!(fields.len() >= 2 || name == "webp" && fields.first() == Some(&(21..25)), "{name}: {fields:?}");
    }
}

/// Found by the fuzzing above, rebuilt here from the synthesised bases (no image files are kept):
/// a TIFF whose first tag claims two million values, and the GIF of the test before.
#[test]
fn replay_regressions() {
    let (_, tiff) = &bases().iter().find(|(name, _)| name == "tiff").unwrap();
    let mut bytes = tiff.clone();
    assert!(bytes.starts_with(b"II*\0"), "the base TIFF is little-endian");
    let ifd = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    // The first directory entry: tag (2), type (2), count (4), value (4).
    bytes[ifd + 2 + 4..ifd + 2 + 8].copy_from_slice(&2_000_000u32.to_le_bytes());
    hash_within_limits("tiff-tag-count-2-million", &bytes).unwrap();

    let (_, gif) = &bases().iter().find(|(name, _)| name == "gif").unwrap();
    let mut bytes = gif.clone();
    let descriptor = bytes.iter().position(|&b| b == 0x2C).unwrap();
    bytes[descriptor + 5..descriptor + 9].copy_from_slice(&[0x00, 0xFF, 0xFF, 0x00]);
    hash_within_limits("gif-frame-larger-than-its-screen", &bytes).unwrap();
}
