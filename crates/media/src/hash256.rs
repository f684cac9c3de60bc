use std::fmt;

/// A 256-bit perceptual hash (PDQ), stored in the byte order of its hex form.
///
/// The hex form is Meta's: 64 lowercase hex digits, the big-endian 256-bit integer whose bit `n`
/// (least significant = 0) is the DCT coefficient at row `n / 16`, column `n % 16`. So `bytes[31 - n / 8]`
/// holds bit `n` at position `n % 8`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash256(pub [u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseHashError {
    #[error("a PDQ hash has 64 hex digits, this has {0}")]
    Length(usize),
    #[error("'{0}' is not a hex digit")]
    Digit(char),
}

impl Hash256 {
    /// Bit `n` (0 = least significant, coefficient row `n / 16`, column `n % 16`).
    pub fn bit(&self, n: usize) -> bool {
        self.0[31 - n / 8] >> (n % 8) & 1 == 1
    }

    pub fn set_bit(&mut self, n: usize, value: bool) {
        let byte = &mut self.0[31 - n / 8];
        if value {
            *byte |= 1 << (n % 8);
        } else {
            *byte &= !(1 << (n % 8));
        }
    }

    /// Hamming distance: the number of differing bits.
    pub fn distance(&self, other: &Hash256) -> u32 {
        self.words().iter().zip(other.words()).map(|(a, b)| (a ^ b).count_ones()).sum()
    }

    /// Number of set bits (a PDQ hash normally has 128).
    pub fn count_ones(&self) -> u32 {
        self.words().iter().map(|w| w.count_ones()).sum()
    }

    /// The hash as four 64-bit words, in byte order (for fast popcount).
    pub fn words(&self) -> [u64; 4] {
        let mut out = [0u64; 4];
        for (i, chunk) in self.0.chunks_exact(8).enumerate() {
            out[i] = u64::from_be_bytes(chunk.try_into().expect("8-byte chunk"));
        }
        out
    }

    pub fn from_words(words: [u64; 4]) -> Hash256 {
        let mut out = [0u8; 32];
        for (i, w) in words.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&w.to_be_bytes());
        }
        Hash256(out)
    }

    /// Parses 64 hex digits (either case; surrounding whitespace is the caller's business).
    pub fn from_hex(s: &str) -> Result<Hash256, ParseHashError> {
        let s = s.as_bytes();
        if s.len() != 64 {
            return Err(ParseHashError::Length(s.len()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.chunks_exact(2).enumerate() {
            out[i] = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
        }
        Ok(Hash256(out))
    }

    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

fn hex_digit(c: u8) -> Result<u8, ParseHashError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(ParseHashError::Digit(c as char)),
    }
}

impl fmt::Display for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash256({self})")
    }
}

impl std::str::FromStr for Hash256 {
    type Err = ParseHashError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hash256::from_hex(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_bit_order() {
        let hex = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let h = Hash256::from_hex(hex).unwrap();
        assert_eq!(h.to_hex(), hex);
        assert_eq!(h.count_ones(), 128);
        // The last hex digit (2 = 0b0010) holds bits 3..0: bit 1 set, bit 0 clear.
        assert!(h.bit(1));
        assert!(!h.bit(0));
        // The first hex digit (f) holds bits 255..252.
        assert!(h.bit(255) && h.bit(252));
        assert_eq!(Hash256::from_words(h.words()), h);
    }

    #[test]
    fn distance_counts_differing_bits() {
        let a = Hash256::default();
        let mut b = a;
        b.set_bit(0, true);
        b.set_bit(200, true);
        assert_eq!(a.distance(&b), 2);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(Hash256::from_hex("abc"), Err(ParseHashError::Length(3)));
        let bad = format!("{}g", "0".repeat(63));
        assert_eq!(Hash256::from_hex(&bad), Err(ParseHashError::Digit('g')));
    }
}
