//! PDQ against Meta's expected hashes for the reference photos in `shared/pdq`.
//!
//! `expected-pdq.csv` was computed with Meta's C++ PDQ core at full resolution on pixels decoded by
//! libjpeg-turbo / libpng. PNG: identical hash and quality. JPEG: decoders round the inverse DCT
//! differently, so the contract is distance ≤ 6 and quality within 2.

use std::path::PathBuf;

use media::{DecodeOptions, Dihedral, Hash256, JpegLuma, pdq};

fn shared() -> Option<PathBuf> {
    let dir = match std::env::var_os("TOMAS_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")),
    };
    let dir = dir.join("pdq");
    if dir.join("expected-pdq.csv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: no shared/pdq at {} (set TOMAS_SHARED)", dir.display());
        None
    }
}

struct Expected {
    hash: Hash256,
    quality: u8,
    file: String,
}

fn expected(dir: &std::path::Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(dir.join("expected-pdq.csv")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("hash,"))
        .map(|line| {
            let mut parts = line.splitn(3, ',');
            let hash = parts.next().unwrap().parse().unwrap();
            let quality = parts.next().unwrap().parse().unwrap();
            let file = parts.next().unwrap().to_string();
            Expected { hash, quality, file }
        })
        .collect()
}

fn check(luma: JpegLuma) {
    let Some(dir) = shared() else { return };
    let options = DecodeOptions { jpeg_luma: luma, ..DecodeOptions::default() };
    let mut worst = 0;
    let mut total = 0;
    for e in expected(&dir) {
        let bytes = std::fs::read(dir.join("images").join(&e.file)).unwrap();
        let got = media::pdq_of_bytes(&bytes, &options).unwrap();
        let distance = got.hash.distance(&e.hash);
        let dq = i32::from(got.quality) - i32::from(e.quality);
        eprintln!("{luma:?}\t{:<26} distance {distance:>2}  quality {} ({dq:+})", e.file, got.quality);
        if e.file.ends_with(".png") {
            assert_eq!((got.hash, got.quality), (e.hash, e.quality), "{}", e.file);
        } else {
            assert!(distance <= 6, "{}: distance {distance}", e.file);
            assert!(dq.abs() <= 2, "{}: quality {} vs {}", e.file, got.quality, e.quality);
        }
        worst = worst.max(distance);
        total += distance;
    }
    eprintln!("{luma:?}: worst distance {worst}, total {total}");
}

#[test]
fn expected_hashes_with_y_channel_jpeg_decoding() {
    check(JpegLuma::YChannel);
}

#[test]
fn expected_hashes_with_rgb_jpeg_decoding() {
    check(JpegLuma::Rgb);
}

#[test]
fn dihedral_hashes_match_transformed_files() {
    let Some(dir) = shared() else { return };
    let images = dir.join("images");
    let files = [
        "bridge-1-original.jpg",
        "bridge-2-rotate-90.jpg",
        "bridge-3-rotate-180.jpg",
        "bridge-4-rotate-270.jpg",
        "bridge-5-flipx.jpg",
        "bridge-6-flipy.jpg",
        "bridge-7-flip-plus-1.jpg",
        "bridge-8-flip-minus-1.jpg",
    ];
    let options = DecodeOptions::default();
    let original = media::hash_bytes(&std::fs::read(images.join(files[0])).unwrap(), &options).unwrap();
    assert_eq!(original.dihedral.get(Dihedral::Original), original.pdq.hash);
    for (d, file) in Dihedral::ALL.iter().zip(files) {
        let plain = media::pdq_of_bytes(&std::fs::read(images.join(file)).unwrap(), &options).unwrap();
        let distance = original.dihedral.get(*d).distance(&plain.hash);
        eprintln!("{:<11} vs {file:<26} distance {distance}", d.name());
        assert!(distance <= 8, "{} vs {file}: {distance}", d.name());
    }
}

#[test]
fn pdq_of_decoded_pixels_equals_reference_engine_on_real_photos() {
    let Some(dir) = shared() else { return };
    for file in ["pen-and-coaster.png", "bridge-1-original.jpg", "wee.jpg", "small.jpg"] {
        let bytes = std::fs::read(dir.join("images").join(file)).unwrap();
        for luma in [JpegLuma::YChannel, JpegLuma::Rgb] {
            let options = DecodeOptions { jpeg_luma: luma, ..DecodeOptions::default() };
            let image = media::decode::decode(&bytes, &options).unwrap();
            let px = image.pixels();
            assert_eq!(pdq::pdq_dihedral(&px), pdq::reference::pdq_dihedral(&px), "{file}");
        }
    }
}
