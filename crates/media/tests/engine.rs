//! The streaming PDQ engine against the line-by-line reference port, on synthetic images.

use media::pdq::{self, Engine, PixelData, Pixels, reference};

/// xorshift64*: deterministic pseudo-random bytes without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 56) as u8).collect()
    }
}

/// A smooth-ish image with noise, so that the hash is not degenerate.
fn image(rng: &mut Rng, w: usize, h: usize, channels: usize) -> Vec<u8> {
    let noise = rng.bytes(w * h * channels);
    let mut out = Vec::with_capacity(w * h * channels);
    for y in 0..h {
        for x in 0..w {
            for c in 0..channels {
                let base = ((x * 255 / w.max(1)) + (y * 97 / h.max(1)) * (c + 1)) % 256;
                let n = noise[(y * w + x) * channels + c] as usize % 64;
                out.push(((base + n) % 256) as u8);
            }
        }
    }
    out
}

#[test]
fn streaming_engine_matches_reference_bit_for_bit() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let sizes = [
        (5, 5),
        (6, 5),
        (7, 13),
        (8, 8),
        (9, 17),
        (33, 200),
        (64, 64),
        (64, 65),
        (127, 129),
        (128, 128),
        (129, 300),
        (256, 17),
        (300, 41),
        (1000, 7),
        (7, 1000),
        (640, 480),
        (1003, 257),
        (1600, 1004),
    ];
    for (w, h) in sizes {
        for channels in [1, 3, 4] {
            let data = image(&mut rng, w, h, channels);
            let pd = match channels {
                1 => PixelData::Grey(&data),
                3 => PixelData::Rgb(&data),
                _ => PixelData::Rgba(&data),
            };
            let px = Pixels::new(w, h, pd).unwrap();
            let oracle = pdq::downsample(&px, Engine::Reference);
            for engine in [Engine::Streaming, Engine::StreamingPortable] {
                let got = pdq::downsample(&px, engine);
                let same = got.iter().flatten().zip(oracle.iter().flatten()).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{engine:?} differs from the reference on {w}×{h}, {channels} channels");
            }
            let fast = pdq::pdq_dihedral(&px);
            let slow = reference::pdq_dihedral(&px);
            assert_eq!(fast, slow, "{w}×{h}, {channels} channels");
            assert_eq!(pdq::pdq(&px), reference::pdq(&px), "{w}×{h}, {channels} channels");
        }
    }
}
