//! Decoding: every format on synthesised images, alpha and greyscale handling, the minimum size,
//! and bad input (truncation, garbage, decompression bombs) giving errors rather than panics.

use std::{io::Cursor, path::PathBuf};

use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};
use media::{
    DecodeError, DecodeOptions, Format, Hash256, Limits,
    decode::{self, Layout},
    pdq::{self, PixelData, Pixels},
};

fn shared_images() -> Option<PathBuf> {
    let dir = match std::env::var_os("TOMAS_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")),
    };
    let dir = dir.join("pdq/images");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no shared/pdq/images at {} (set TOMAS_SHARED)", dir.display());
        None
    }
}

/// A deterministic image with structure at several scales, so that its hash has quality.
fn rgb(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let v = (x * 7 + y * 3 + (x * y) % 61) % 256;
        let ring = (((x as i64 - 40).pow(2) + (y as i64 - 30).pow(2)) / 50 % 2 * 120) as u32;
        image::Rgb([v as u8, ((v + ring) % 256) as u8, ((x * 255 / w) as u8)])
    })
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn decode(bytes: &[u8]) -> Result<media::Image, DecodeError> {
    decode::decode(bytes, &DecodeOptions::default())
}

#[test]
fn lossless_formats_hash_like_the_pixels() {
    let img = rgb(120, 90);
    let expected = pdq::pdq(&Pixels::new(120, 90, PixelData::Rgb(img.as_raw())).unwrap());
    assert!(expected.quality > 50, "test image should be textured: {expected:?}");
    let dynamic = DynamicImage::ImageRgb8(img);
    for (format, ours) in [
        (ImageFormat::Png, Format::Png),
        (ImageFormat::Bmp, Format::Bmp),
        (ImageFormat::Tiff, Format::Tiff),
        (ImageFormat::WebP, Format::Webp),
    ] {
        let bytes = encode(&dynamic, format);
        let decoded = decode(&bytes).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(decoded.format, ours);
        assert_eq!((decoded.width, decoded.height), (120, 90));
        assert_eq!(pdq::pdq(&decoded.pixels()), expected, "{format:?}");
    }
}

#[test]
fn gif_first_frame_decodes() {
    let bytes = encode(&DynamicImage::ImageRgb8(rgb(64, 48)), ImageFormat::Gif);
    let decoded = decode(&bytes).unwrap();
    assert_eq!((decoded.format, decoded.width, decoded.height), (Format::Gif, 64, 48));
    assert!(pdq::pdq(&decoded.pixels()).quality > 0);
}

#[test]
fn alpha_is_ignored() {
    let img = rgb(100, 80);
    let rgba = RgbaImage::from_fn(100, 80, |x, y| {
        let p = img.get_pixel(x, y).0;
        image::Rgba([p[0], p[1], p[2], ((x * 13 + y) % 256) as u8])
    });
    let bytes = encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png);
    let decoded = decode(&bytes).unwrap();
    assert_eq!(decoded.layout, Layout::Rgba);
    let plain = pdq::pdq(&Pixels::new(100, 80, PixelData::Rgb(img.as_raw())).unwrap());
    assert_eq!(pdq::pdq(&decoded.pixels()), plain);
}

#[test]
fn greyscale_is_used_as_luma() {
    let grey = image::GrayImage::from_fn(90, 70, |x, y| image::Luma([((x * x + y * 5) % 256) as u8]));
    let bytes = encode(&DynamicImage::ImageLuma8(grey.clone()), ImageFormat::Png);
    let decoded = decode(&bytes).unwrap();
    assert_eq!(decoded.layout, Layout::Grey);
    let direct = pdq::pdq(&Pixels::new(90, 70, PixelData::Grey(grey.as_raw())).unwrap());
    assert_eq!(pdq::pdq(&decoded.pixels()), direct);
    // Grey with alpha: alpha dropped, still grey.
    let la = image::GrayAlphaImage::from_fn(90, 70, |x, y| image::LumaA([grey.get_pixel(x, y).0[0], 7]));
    let decoded = decode(&encode(&DynamicImage::ImageLumaA8(la), ImageFormat::Png)).unwrap();
    assert_eq!(decoded.layout, Layout::Grey);
    assert_eq!(pdq::pdq(&decoded.pixels()), direct);
}

#[test]
fn below_minimum_size_gives_zero_hash_and_quality() {
    for (w, h) in [(4, 4), (4, 100), (100, 4), (1, 1)] {
        let bytes = encode(&DynamicImage::ImageRgb8(rgb(w, h)), ImageFormat::Png);
        let hashes = media::hash_bytes(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(hashes.pdq.hash, Hash256::default(), "{w}×{h}");
        assert_eq!(hashes.pdq.quality, 0);
        assert!(hashes.dihedral.hashes.iter().all(|h| *h == Hash256::default()));
    }
    let bytes = encode(&DynamicImage::ImageRgb8(rgb(5, 5)), ImageFormat::Png);
    let pdq = media::pdq_of_bytes(&bytes, &DecodeOptions::default()).unwrap();
    assert_ne!(pdq.hash, Hash256::default(), "5×5 is hashable");
}

#[test]
fn truncated_files_are_errors() {
    let png = encode(&DynamicImage::ImageRgb8(rgb(200, 150)), ImageFormat::Png);
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for cut in [8, 20, 40, png.len() / 2, png.len() - 13] {
        cases.push((format!("PNG cut at {cut}"), png[..cut].to_vec()));
    }
    if let Some(dir) = shared_images() {
        // A baseline and a progressive JPEG.
        for file in ["bridge-1-original.jpg", "bridge-3-rotate-180.jpg"] {
            let jpeg = std::fs::read(dir.join(file)).unwrap();
            for cut in [3, 100, 600, jpeg.len() / 10, jpeg.len() / 2, jpeg.len() - 200] {
                cases.push((format!("{file} cut at {cut}"), jpeg[..cut].to_vec()));
            }
        }
    }
    for (name, bytes) in cases {
        for jpeg_luma in [media::JpegLuma::YChannel, media::JpegLuma::Rgb] {
            let options = DecodeOptions { jpeg_luma, ..DecodeOptions::default() };
            let result = decode::decode(&bytes, &options);
            assert!(result.is_err(), "{name} ({jpeg_luma:?}) decoded: {result:?}");
            eprintln!("{name}: {}", result.unwrap_err());
        }
    }
}

/// xorshift64*, for garbage.
fn garbage(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert_eq!(decode(&garbage(1, 1000)).unwrap_err(), DecodeError::UnknownFormat);
    assert_eq!(decode(&[]).unwrap_err(), DecodeError::UnknownFormat);
    let magics: [&[u8]; 7] = [
        &[0xFF, 0xD8, 0xFF],
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"RIFF\x00\x10\x00\x00WEBPVP8 ",
        b"BM",
        b"II*\0",
        b"MM\0*",
    ];
    for (i, magic) in magics.iter().enumerate() {
        for seed in 0..20u64 {
            let mut bytes = magic.to_vec();
            bytes.extend(garbage(seed * 31 + i as u64 + 7, 64 + seed as usize * 97));
            // Must return (either way) without panicking; garbage after a magic is never an image.
            let result = decode(&bytes);
            assert!(result.is_err(), "garbage after {magic:?} decoded");
        }
    }
    // A real JPEG with its entropy-coded data overwritten.
    if let Some(dir) = shared_images() {
        let mut jpeg = std::fs::read(dir.join("bridge-1-original.jpg")).unwrap();
        let n = jpeg.len();
        jpeg[n / 3..n / 3 + 5000].copy_from_slice(&garbage(99, 5000));
        let _ = decode(&jpeg); // an error or damaged pixels, but no panic
    }
}

/// A PNG chunk with its CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in kind.iter().chain(data) {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&(!crc).to_be_bytes());
    out
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    // A PNG header claiming 100000×100000 RGB, with a token IDAT.
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    match decode(&png) {
        Err(DecodeError::TooManyPixels { width: 100_000, height: 100_000, .. }) => {}
        other => panic!("expected TooManyPixels, got {other:?}"),
    }
    // A JPEG whose frame header claims 65000×65000.
    if let Some(dir) = shared_images() {
        let mut jpeg = std::fs::read(dir.join("wee.jpg")).unwrap();
        // Walk the marker segments to the frame header.
        let mut sof = 2;
        while !matches!(jpeg[sof + 1], 0xC0..=0xC2) {
            sof += 2 + usize::from(u16::from_be_bytes([jpeg[sof + 2], jpeg[sof + 3]]));
        }
        jpeg[sof + 5..sof + 7].copy_from_slice(&65_000u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&65_000u16.to_be_bytes());
        assert!(matches!(decode(&jpeg), Err(DecodeError::TooManyPixels { .. })), "{:?}", decode(&jpeg));
    }
    // A modest limit applies to an ordinary image too, and so does the byte limit.
    let small = encode(&DynamicImage::ImageRgb8(rgb(100, 100)), ImageFormat::Png);
    let tight = DecodeOptions { limits: Limits { max_pixels: 9_999, ..Limits::DEFAULT }, ..DecodeOptions::default() };
    assert!(matches!(decode::decode(&small, &tight), Err(DecodeError::TooManyPixels { .. })));
    let tiny = DecodeOptions { limits: Limits { max_bytes: 100, ..Limits::DEFAULT }, ..DecodeOptions::default() };
    assert!(matches!(decode::decode(&small, &tiny), Err(DecodeError::TooManyBytes { .. })));
}

#[test]
fn dropping_chroma_scans_leaves_luma_identical() {
    let Some(dir) = shared_images() else { return };
    use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    for file in ["bridge-1-original.jpg", "bridge-3-rotate-180.jpg", "wee.jpg", "small.jpg"] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::Luma);
        let plain = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(&bytes[..]), options).decode().unwrap();
        let ours = decode(&bytes).unwrap();
        assert_eq!(ours.layout, Layout::Grey);
        assert!(ours.data == plain, "{file}: Y channel differs");
    }
}
