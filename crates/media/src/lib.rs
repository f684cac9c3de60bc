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

pub use decode::{DecodeError, DecodeOptions, Format, Image, JpegLuma, Limits};
pub use digest::Digests;
pub use hash256::{Hash256, ParseHashError};
pub use pdq::{Dihedral, DihedralHashes, Pdq};

/// Everything `tomas hash` reports about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hashes {
    pub format: Format,
    pub width: usize,
    pub height: usize,
    pub pdq: Pdq,
    pub dihedral: DihedralHashes,
    pub digests: Digests,
}

/// Decodes `bytes` and computes PDQ only (the fast path for `hash,quality` output).
pub fn pdq_of_bytes(bytes: &[u8], options: &DecodeOptions) -> Result<Pdq, DecodeError> {
    let image = decode::decode(bytes, options)?;
    Ok(pdq::pdq(&image.pixels()))
}

/// Decodes `bytes` and computes PDQ, its dihedral variants and the digests.
pub fn hash_bytes(bytes: &[u8], options: &DecodeOptions) -> Result<Hashes, DecodeError> {
    let image = decode::decode(bytes, options)?;
    let (pdq, dihedral) = pdq::pdq_with_dihedral(&image.pixels());
    Ok(Hashes {
        format: image.format,
        width: image.width,
        height: image.height,
        pdq,
        dihedral,
        digests: Digests::of(bytes),
    })
}
