//! Hashing: decoding with limits, PDQ (with dihedral variants), MD5/SHA-1/SHA-256. Pure.
//!
//! The crate's one job is to turn image bytes into the hashes that hash banks exchange:
//! [`hash_bytes`] decodes within [`Limits`] ([`decode`]), computes Meta's PDQ perceptual hash with
//! its eight dihedral variants ([`pdq`]) and the MD5, SHA-1 and SHA-256 of the bytes ([`digest`]).
//! No I/O: callers read files themselves (and should refuse files over [`Limits::max_bytes`]
//! before reading them).
//!
//! PDQ matches Meta's C++ reference bit for bit on the same pixels (see [`pdq`] for how), at full
//! resolution with no pre-resizing. Hex output is Meta's ([`Hash256`]).

pub mod decode;
pub mod digest;
mod hash256;
pub mod pdq;

pub use decode::{DecodeError, DecodeOptions, Format, Image, ImageInfo, JpegLuma, Limits};
pub use digest::Digests;
pub use hash256::{Hash256, ParseHashError};
pub use pdq::{Dihedral, DihedralHashes, Pdq};

/// Everything `tomas hash --format json` reports about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hashes {
    pub format: Format,
    pub width: usize,
    pub height: usize,
    pub pdq: Pdq,
    pub dihedral: DihedralHashes,
    pub digests: Digests,
}

/// Hashes one file after another, reusing its buffers (one per thread).
#[derive(Debug, Default)]
pub struct Hasher {
    options: DecodeOptions,
    pixels: Vec<u8>,
    scratch: Vec<u8>,
}

impl Hasher {
    pub fn new(options: DecodeOptions) -> Hasher {
        Hasher { options, pixels: Vec::new(), scratch: Vec::new() }
    }

    pub fn options(&self) -> &DecodeOptions {
        &self.options
    }

    /// Decodes `bytes` into the hasher's pixel buffer.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<(ImageInfo, &[u8]), DecodeError> {
        let info = decode::decode_with(bytes, &self.options, &mut self.pixels, &mut self.scratch)?;
        Ok((info, &self.pixels))
    }

    /// Decodes `bytes` and computes PDQ only.
    pub fn pdq(&mut self, bytes: &[u8]) -> Result<Pdq, DecodeError> {
        let info = decode::decode_with(bytes, &self.options, &mut self.pixels, &mut self.scratch)?;
        Ok(pdq::pdq(&info.pixels(&self.pixels)))
    }

    /// Decodes `bytes` and computes PDQ, its dihedral variants and the digests of the bytes.
    pub fn hash(&mut self, bytes: &[u8]) -> Result<Hashes, DecodeError> {
        let info = decode::decode_with(bytes, &self.options, &mut self.pixels, &mut self.scratch)?;
        let (pdq, dihedral) = pdq::pdq_with_dihedral(&info.pixels(&self.pixels));
        Ok(Hashes {
            format: info.format,
            width: info.width,
            height: info.height,
            pdq,
            dihedral,
            digests: Digests::of(bytes),
        })
    }
}

/// Decodes `bytes` and computes PDQ only (see [`Hasher`] for many files).
pub fn pdq_of_bytes(bytes: &[u8], options: &DecodeOptions) -> Result<Pdq, DecodeError> {
    Hasher::new(*options).pdq(bytes)
}

/// Decodes `bytes` and computes PDQ, its dihedral variants and the digests (see [`Hasher`] for
/// many files).
pub fn hash_bytes(bytes: &[u8], options: &DecodeOptions) -> Result<Hashes, DecodeError> {
    Hasher::new(*options).hash(bytes)
}
