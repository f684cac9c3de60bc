//! Matching a query against banks: PDQ hashes within a radius through the [`Index`], MD5, SHA-1,
//! SHA-256 and URLs exactly. Matches from negative banks suppress every other match of the query.

use std::collections::HashMap;

use media::Hash256;

use crate::bank::{Bank, Kind, Provenance, Value};
use crate::index::Index;

/// What is known about one piece of content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// PDQ hashes (the image's, and optionally its dihedral variants).
    pub pdq: Vec<Hash256>,
    pub md5: Option<[u8; 16]>,
    pub sha1: Option<[u8; 20]>,
    pub sha256: Option<[u8; 32]>,
    pub url: Option<String>,
}

/// One stored indicator that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub bank: String,
    /// The bank is a negative (known false positive) bank.
    pub negative: bool,
    /// The stored value.
    pub stored: Value,
    /// Hamming distance for PDQ, 0 for exact matches.
    pub distance: u32,
    /// Which of the query's PDQ hashes matched (index into [`Query::pdq`]); `None` for exact kinds.
    pub query_pdq: Option<usize>,
    pub provenance: Provenance,
}

/// The result of a lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Matches from positive banks, unless suppressed.
    pub matches: Vec<Match>,
    /// Matches from negative banks.
    pub negative: Vec<Match>,
    /// Positive matches suppressed because the query also matched a negative bank.
    pub suppressed: Vec<Match>,
}

/// A bank entry: (bank index, entry index).
type Ref = (u32, u32);

/// Enabled banks with an index over their enabled PDQ entries and maps for exact kinds.
pub struct Matcher {
    banks: Vec<Bank>,
    index: Index,
    /// Distinct PDQ hash `i`'s entries are `pdq_refs[pdq_offsets[i]..pdq_offsets[i + 1]]`.
    pdq_offsets: Vec<u32>,
    pdq_refs: Vec<Ref>,
    exact: HashMap<Value, Vec<Ref>>,
}

impl Matcher {
    /// Indexes the enabled entries of the enabled banks. Identical PDQ hashes (in one bank or
    /// several) share one index slot.
    pub fn new(banks: Vec<Bank>) -> Matcher {
        let mut pdq: Vec<(Hash256, Ref)> = Vec::new();
        let mut exact: HashMap<Value, Vec<Ref>> = HashMap::new();
        for (b, bank) in banks.iter().enumerate().filter(|(_, b)| b.enabled) {
            for (e, entry) in bank.entries.iter().enumerate().filter(|(_, e)| e.enabled) {
                let r = (b as u32, e as u32);
                match &entry.value {
                    Value::Pdq(h) => pdq.push((*h, r)),
                    v => exact.entry(v.clone()).or_default().push(r),
                }
            }
        }
        pdq.sort_by_key(|p| p.0); // stable: equal hashes keep bank order
        let mut items: Vec<(u32, [u64; 4])> = Vec::new();
        let mut pdq_offsets = Vec::new();
        let mut pdq_refs = Vec::with_capacity(pdq.len());
        for (i, (h, r)) in pdq.iter().enumerate() {
            if i == 0 || pdq[i - 1].0 != *h {
                pdq_offsets.push(pdq_refs.len() as u32);
                items.push((items.len() as u32, h.words()));
            }
            pdq_refs.push(*r);
        }
        pdq_offsets.push(pdq_refs.len() as u32);
        Matcher { banks, index: Index::build_words(items, None), pdq_offsets, pdq_refs, exact }
    }

    pub fn banks(&self) -> &[Bank] {
        &self.banks
    }

    /// Distinct PDQ hashes in the index.
    pub fn pdq_hashes(&self) -> usize {
        self.pdq_offsets.len().saturating_sub(1)
    }

    fn to_match(&self, r: Ref, distance: u32, query_pdq: Option<usize>) -> Option<Match> {
        let bank = self.banks.get(r.0 as usize)?;
        let entry = bank.entries.get(r.1 as usize)?;
        Some(Match {
            bank: bank.name.clone(),
            negative: bank.negative,
            stored: entry.value.clone(),
            distance,
            query_pdq,
            provenance: bank.provenance_of(entry).cloned().unwrap_or(Provenance {
                source: String::new(),
                imported_at: 0,
                label: String::new(),
            }),
        })
    }

    /// Every match of `q`: PDQ within `radius`, other kinds exactly. For a stored PDQ hash that
    /// several query hashes reach, only the closest is reported.
    pub fn lookup(&self, q: &Query, radius: u32) -> Outcome {
        let mut all: Vec<Match> = Vec::new();
        let mut best: HashMap<u32, (u32, usize)> = HashMap::new();
        for (qi, h) in q.pdq.iter().enumerate() {
            for hit in self.index.search(h, radius) {
                let e = best.entry(hit.id).or_insert((hit.distance, qi));
                if hit.distance < e.0 {
                    *e = (hit.distance, qi);
                }
            }
        }
        let mut ids: Vec<_> = best.into_iter().collect();
        ids.sort_by_key(|(id, (d, _))| (*d, *id));
        for (id, (d, qi)) in ids {
            let (lo, hi) = (self.pdq_offsets[id as usize] as usize, self.pdq_offsets[id as usize + 1] as usize);
            for &r in &self.pdq_refs[lo..hi] {
                all.extend(self.to_match(r, d, Some(qi)));
            }
        }
        let exact = [
            q.md5.map(Value::Md5),
            q.sha1.map(Value::Sha1),
            q.sha256.map(Value::Sha256),
            q.url.clone().map(Value::Url),
        ];
        for v in exact.into_iter().flatten() {
            for &r in self.exact.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
                all.extend(self.to_match(r, 0, None));
            }
        }
        let (negative, positive): (Vec<Match>, Vec<Match>) = all.into_iter().partition(|m| m.negative);
        if negative.is_empty() {
            Outcome { matches: positive, negative, suppressed: Vec::new() }
        } else {
            Outcome { matches: Vec::new(), negative, suppressed: positive }
        }
    }

    /// Number of enabled entries of `kind` the matcher holds.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Pdq => self.pdq_refs.len(),
            k => self.exact.iter().filter(|(v, _)| v.kind() == k).map(|(_, r)| r.len()).sum(),
        }
    }
}
