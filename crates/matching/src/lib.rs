//! Hash banks and the Hamming-space index. Pure: no network, no database; banks persist as files.
//!
//! - [`bank`]: named lists of indicators (PDQ, MD5, SHA-1, SHA-256, URL) with provenance, their
//!   import formats and their on-disk format.
//! - [`index`]: exact range search over 256-bit hashes (multi-index hashing, SIMD linear scan),
//!   updated incrementally while lookups go on.
//! - [`matcher`]: both together — a query's hashes against the enabled banks, minus the negative ones.
//! - [`synth`]: deterministic synthetic hashes for tests and benchmarks.
//! - [`text`]: outside text (file names, lines of hash lists) escaped for printing on a terminal.

pub mod bank;
pub mod index;
pub mod matcher;
pub mod synth;
pub mod text;

pub use bank::{Bank, Kind, Provenance, Value};
pub use index::{Hit, Index};
pub use matcher::{Match, Matcher, Query};
