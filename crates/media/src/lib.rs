//! Hashing: decoding with limits, PDQ (with dihedral variants), MD5/SHA-1/SHA-256. Pure.

mod hash256;

pub use hash256::{Hash256, ParseHashError};
