//! PNG metadata the hash never reads must not cost more memory than the pixels: a 3 MB file with
//! an iCCP colour profile of 512 MiB of zeros (deflate makes about 2 bits of 258 zero bytes)
//! decodes within a small, fixed budget. Peak memory is measured with a counting global
//! allocator, so this file holds one test only: other tests' allocations would count too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use media::DecodeOptions;
use media::decode::{PNG_METADATA_BYTES, decode};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only the byte counts are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            let now = CURRENT.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bits for a deflate stream, least significant first (RFC 1951 §3.1.1).
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u64, bits: u32) {
        self.acc |= value << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code, which deflate sends most significant bit first.
    fn code(&mut self, code: u64, bits: u32) {
        let reversed = code.reverse_bits() >> (64 - bits);
        self.put(reversed, bits);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A zlib stream of `1 + 258 * repeats` zero bytes: one fixed-Huffman block, a literal 0 and then
/// matches of length 258 at distance 1 (13 bits each).
fn zlib_zeros(repeats: usize) -> Vec<u8> {
    let mut bits = Bits { out: vec![0x78, 0x01], ..Bits::default() };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE 01: fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    for _ in 0..repeats {
        bits.code(0xC5, 8); // length symbol 285: 258
        bits.code(0, 5); // distance symbol 0: 1
    }
    bits.code(0, 7); // end of block
    let mut out = bits.finish();
    let len = 1 + 258 * repeats as u64;
    let adler = ((len % 65_521) << 16 | 1) as u32;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A 64×48 RGB gradient as a PNG, by the `image` crate's encoder.
fn gradient_png() -> Vec<u8> {
    let pixels: Vec<u8> = (0..48u32)
        .flat_map(|y| (0..64u32).flat_map(move |x| [(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8]))
        .collect();
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &pixels,
        64,
        48,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    png
}

#[test]
fn a_huge_compressed_icc_profile_does_not_cost_its_inflated_size() {
    let plain = gradient_png();
    assert_eq!(&plain[12..16], b"IHDR");
    let mut profile = b"zeros\0\0".to_vec(); // name, NUL, compression method 0
    profile.extend_from_slice(&zlib_zeros((512 << 20) / 258));
    let mut bomb = plain[..33].to_vec(); // signature and IHDR
    bomb.extend_from_slice(&chunk(b"iCCP", &profile));
    bomb.extend_from_slice(&plain[33..]);
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());

    let options = DecodeOptions::default();
    let want = decode(&plain, &options).unwrap();
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = std::time::Instant::now();
    let got = decode(&bomb, &options);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("decoding the {} byte file took {secs:.2} s and at most {} MiB", bomb.len(), peak >> 20);
    // The profile is dropped (hashing never reads it) and the pixels are the image's.
    let got = got.unwrap();
    assert_eq!((got.width, got.height, &got.data), (want.width, want.height, &want.data));
    let budget = PNG_METADATA_BYTES as usize;
    assert!(peak < 3 * budget, "decoding took {} MiB, the metadata budget is {} MiB", peak >> 20, budget >> 20);
}
