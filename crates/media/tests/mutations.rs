//! Damaged real photos: random byte changes and truncations of a baseline and a progressive JPEG
//! must give an error or (damaged) pixels, never a panic, whichever JPEG mode is used.

use std::path::PathBuf;

use media::{DecodeError, DecodeOptions, JpegLuma, decode};

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

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn damaged_jpegs_never_panic() {
    let Some(dir) = shared_images() else { return };
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut outcomes = [0usize; 2];
    for file in ["wee.jpg", "small.jpg", "shrink-a-lot.jpg", "square-256x256.jpg", "bridge-3-rotate-180.jpg"] {
        let original = std::fs::read(dir.join(file)).unwrap();
        for round in 0..60 {
            let mut bytes = original.clone();
            // A few changed bytes, anywhere (headers included), sometimes a truncation too.
            for _ in 0..1 + round % 4 {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
            if round % 5 == 0 {
                bytes.truncate(rng.below(bytes.len()) + 1);
            }
            for jpeg_luma in [JpegLuma::YChannel, JpegLuma::Rgb] {
                let options = DecodeOptions { jpeg_luma, ..DecodeOptions::default() };
                match decode::decode(&bytes, &options) {
                    Ok(image) => {
                        outcomes[0] += 1;
                        let _ = media::pdq::pdq(&image.pixels());
                    }
                    Err(DecodeError::Corrupt { message, .. }) if message.starts_with("decoder failure") => {
                        panic!("{file} round {round}: a decoder panicked: {message}")
                    }
                    Err(_) => outcomes[1] += 1,
                }
            }
        }
    }
    eprintln!("decoded {}, refused {}", outcomes[0], outcomes[1]);
}
