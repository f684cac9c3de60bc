//! Hash banks: named lists of indicators (PDQ, MD5, SHA-1, SHA-256, URL), each entry with its
//! provenance and an enabled flag. A negative bank lists known false positives: a query that
//! matches it has its matches from other banks suppressed (see [`crate::matcher`]).

pub mod import;
pub mod store;

use std::collections::HashSet;
use std::fmt;

use media::Hash256;

/// The kind of indicator an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Pdq,
    Md5,
    Sha1,
    Sha256,
    Url,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Pdq, Kind::Md5, Kind::Sha1, Kind::Sha256, Kind::Url];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Pdq => "pdq",
            Kind::Md5 => "md5",
            Kind::Sha1 => "sha1",
            Kind::Sha256 => "sha256",
            Kind::Url => "url",
        }
    }

    /// Parses a kind name as the formats spell it (`pdq`, `MD5`, `sha-1`, `HASH_PDQ`, `video_md5`…).
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let s = s.strip_prefix("hash_").unwrap_or(&s);
        match s {
            "pdq" | "photo_pdq" | "imagepdq" => Some(Kind::Pdq),
            "md5" | "video_md5" | "photo_md5" | "videomd5" => Some(Kind::Md5),
            "sha1" => Some(Kind::Sha1),
            "sha256" => Some(Kind::Sha256),
            "url" | "uri" => Some(Kind::Url),
            _ => None,
        }
    }

    /// Length in bytes of a binary value of this kind (0 for URLs).
    pub fn width(self) -> usize {
        match self {
            Kind::Pdq | Kind::Sha256 => 32,
            Kind::Md5 => 16,
            Kind::Sha1 => 20,
            Kind::Url => 0,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An indicator value: hash bytes (in the order of their hex form) or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    Pdq(Hash256),
    Md5([u8; 16]),
    Sha1([u8; 20]),
    Sha256([u8; 32]),
    Url(String),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Pdq(_) => Kind::Pdq,
            Value::Md5(_) => Kind::Md5,
            Value::Sha1(_) => Kind::Sha1,
            Value::Sha256(_) => Kind::Sha256,
            Value::Url(_) => Kind::Url,
        }
    }

    /// The hash bytes (empty for a URL).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Value::Pdq(h) => &h.0,
            Value::Md5(b) => b,
            Value::Sha1(b) => b,
            Value::Sha256(b) => b,
            Value::Url(_) => &[],
        }
    }

    /// A value of `kind` from its bytes (`None` if the length is wrong or the kind is URL).
    pub fn from_bytes(kind: Kind, b: &[u8]) -> Option<Value> {
        Some(match kind {
            Kind::Pdq => Value::Pdq(Hash256(b.try_into().ok()?)),
            Kind::Md5 => Value::Md5(b.try_into().ok()?),
            Kind::Sha1 => Value::Sha1(b.try_into().ok()?),
            Kind::Sha256 => Value::Sha256(b.try_into().ok()?),
            Kind::Url => return None,
        })
    }

    /// Parses a value of a known kind: hex digits (either case) of the right length, or a URL.
    pub fn parse(kind: Kind, text: &str) -> Result<Value, String> {
        let text = text.trim();
        if kind == Kind::Url {
            if text.is_empty() || text.chars().any(char::is_whitespace) {
                return Err(format!("'{}' is not a URL", shorten(text)));
            }
            return Ok(Value::Url(text.to_owned()));
        }
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("'{}' is not a hexadecimal {kind} hash", shorten(text)));
        }
        if text.len() != kind.width() * 2 {
            return Err(format!(
                "a {kind} hash has {} hex digits, '{}' has {}",
                kind.width() * 2,
                shorten(text),
                text.len()
            ));
        }
        let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        let bytes: Vec<u8> = text.as_bytes().chunks_exact(2).map(|p| digit(p[0]) << 4 | digit(p[1])).collect();
        Value::from_bytes(kind, &bytes).ok_or_else(|| format!("'{}' is not a {kind} hash", shorten(text)))
    }

    /// Guesses the kind of a bare value from its length: 32 hex digits MD5, 40 SHA-1, 64 PDQ
    /// (pass the kind explicitly for SHA-256), anything with `://` a URL.
    pub fn guess(text: &str) -> Result<Value, String> {
        let text = text.trim();
        let kind = match text.len() {
            _ if text.contains("://") => Kind::Url,
            32 => Kind::Md5,
            40 => Kind::Sha1,
            64 => Kind::Pdq,
            n => {
                return Err(format!(
                    "'{}' ({n} characters) is not an MD5 (32 hex digits), SHA-1 (40), PDQ (64) or URL",
                    shorten(text)
                ));
            }
        };
        Value::parse(kind, text)
    }

    pub fn as_pdq(&self) -> Option<Hash256> {
        match self {
            Value::Pdq(h) => Some(*h),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Url(u) => f.write_str(u),
            other => {
                for b in other.bytes() {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// Where an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Provenance {
    /// The file or exchange it was imported from (and member, where the format says).
    pub source: String,
    /// Unix time of the import, in seconds.
    pub imported_at: i64,
    /// Classification label: the ICCAM vocabulary `baseline`, `national`, `not-illegal`, or the
    /// source's own (`A1`…`B2` from NCMEC, `vics:1` from Project VIC, ThreatExchange tags); empty if none.
    pub label: String,
}

/// One indicator in a bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub value: Value,
    pub provenance: u32,
    pub enabled: bool,
}

/// A named list of indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    pub name: String,
    /// Known false positives: matching it suppresses other banks' matches.
    pub negative: bool,
    pub enabled: bool,
    /// Distinct provenance records; entries refer to them by index.
    pub provenance: Vec<Provenance>,
    /// The entries, in import order.
    pub entries: Vec<Entry>,
}

/// Why a bank name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bank name '{0}' is not allowed: use 1 to 64 letters, digits, '_' or '-', starting with a letter or digit")]
pub struct BadName(pub String);

/// Checks a bank name (it becomes a file name).
pub fn check_name(name: &str) -> Result<(), BadName> {
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && name.as_bytes()[0].is_ascii_alphanumeric();
    if ok { Ok(()) } else { Err(BadName(name.to_owned())) }
}

/// The outcome of adding records to a bank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    pub added: usize,
    /// Records whose value the bank already held.
    pub duplicates: usize,
}

/// One parsed record of an import file, before it becomes an [`Entry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub value: Value,
    /// Label from the file (empty: the import's default label applies).
    pub label: String,
    /// Source detail from the file (e.g. an NCMEC member), appended to the import's source.
    pub source: String,
}

impl Bank {
    pub fn new(name: &str, negative: bool) -> Result<Bank, BadName> {
        check_name(name)?;
        Ok(Bank { name: name.to_owned(), negative, enabled: true, provenance: Vec::new(), entries: Vec::new() })
    }

    /// Adds records with the given import provenance, skipping values the bank already holds.
    pub fn add(&mut self, records: Vec<Record>, source: &str, imported_at: i64, default_label: &str) -> Added {
        let mut seen: HashSet<Value> = self.entries.iter().map(|e| e.value.clone()).collect();
        let mut prov_index: std::collections::HashMap<Provenance, u32> =
            self.provenance.iter().cloned().enumerate().map(|(i, p)| (p, i as u32)).collect();
        let mut out = Added::default();
        for r in records {
            if !seen.insert(r.value.clone()) {
                out.duplicates += 1;
                continue;
            }
            let source = if r.source.is_empty() { source.to_owned() } else { format!("{source} ({})", r.source) };
            let label = if r.label.is_empty() { default_label.to_owned() } else { r.label };
            let p = Provenance { source, imported_at, label };
            let idx = *prov_index.entry(p.clone()).or_insert_with(|| {
                self.provenance.push(p);
                (self.provenance.len() - 1) as u32
            });
            self.entries.push(Entry { value: r.value, provenance: idx, enabled: true });
            out.added += 1;
        }
        out
    }

    /// Enables or disables the entries holding `value`; returns how many changed.
    pub fn set_entry_enabled(&mut self, value: &Value, enabled: bool) -> usize {
        let mut n = 0;
        for e in self.entries.iter_mut().filter(|e| &e.value == value) {
            if e.enabled != enabled {
                e.enabled = enabled;
                n += 1;
            }
        }
        n
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.entries.iter().filter(|e| e.value.kind() == kind).count()
    }

    pub fn provenance_of(&self, e: &Entry) -> Option<&Provenance> {
        self.provenance.get(e.provenance as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_and_print() {
        let md5 = Value::guess("D41D8CD98F00B204E9800998ECF8427E").unwrap();
        assert_eq!(md5.kind(), Kind::Md5);
        assert_eq!(md5.to_string(), "d41d8cd98f00b204e9800998ecf8427e");
        assert!(Value::guess("xyz").is_err());
        assert!(Value::parse(Kind::Sha1, "00").unwrap_err().contains("40 hex digits"));
        assert!(Value::parse(Kind::Md5, &"g".repeat(32)).unwrap_err().contains("not a hexadecimal"));
        assert_eq!(Kind::parse("HASH_PDQ"), Some(Kind::Pdq));
        assert_eq!(Kind::parse("video_md5"), Some(Kind::Md5));
    }

    #[test]
    fn names() {
        assert!(check_name("ICCAM_baseline-2026").is_ok());
        assert!(check_name("../x").is_err());
        assert!(check_name("").is_err());
        assert!(check_name("_x").is_err());
    }

    #[test]
    fn add_dedupes_and_shares_provenance() {
        let mut b = Bank::new("b", false).unwrap();
        let r = |s: &str| Record { value: Value::guess(s).unwrap(), label: String::new(), source: String::new() };
        let a = b.add(vec![r(&"a".repeat(32)), r(&"b".repeat(32)), r(&"a".repeat(32))], "f.txt", 1, "baseline");
        assert_eq!(a, Added { added: 2, duplicates: 1 });
        assert_eq!(b.provenance.len(), 1);
        assert_eq!(b.provenance[0].label, "baseline");
    }
}
