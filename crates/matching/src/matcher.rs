//! Matching a query against banks: PDQ hashes within a radius through the [`Index`], MD5, SHA-1,
//! SHA-256 and URLs exactly. Matches from negative banks suppress every other match of the query.
//!
//! A [`Matcher`] is shared between threads (`Arc<Matcher>`) and changed while lookups go on:
//! enabling or disabling a bank or an entry only flips a flag that lookups check on each hit, and
//! added entries go into the index's incremental tail. Neither rebuilds anything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use media::Hash256;

use crate::bank::{Added, Bank, Kind, Provenance, Record, Value};
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

/// Why a change to a matcher was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatcherError {
    #[error("no bank named '{0}'")]
    NoSuchBank(String),
    #[error("bank {bank} holds no entry {value}")]
    NoSuchEntry { bank: String, value: String },
}

/// Banks with an index over their PDQ entries and a map for the exact kinds.
pub struct Matcher {
    banks: RwLock<Vec<Bank>>,
    index: Index,
    /// Index id `i < pdq_offsets.len() - 1` (a distinct PDQ value at build time) stands for the
    /// entries `pdq_refs[pdq_offsets[i]..pdq_offsets[i + 1]]`.
    pdq_offsets: Vec<u32>,
    pdq_refs: Vec<Ref>,
    /// Ids of PDQ entries added later, one id each.
    added: RwLock<HashMap<u32, Ref>>,
    next_id: AtomicU32,
    exact: RwLock<HashMap<Value, Vec<Ref>>>,
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

impl Matcher {
    /// Indexes every entry of `banks`; disabled banks and entries are indexed too (so that enabling
    /// them is instant) and skipped at lookup. Identical PDQ values share one index slot.
    pub fn new(banks: Vec<Bank>) -> Matcher {
        let mut pdq: Vec<(Hash256, Ref)> = Vec::new();
        let mut exact: HashMap<Value, Vec<Ref>> = HashMap::new();
        for (b, bank) in banks.iter().enumerate() {
            for (e, entry) in bank.entries.iter().enumerate() {
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
        let next_id = AtomicU32::new(items.len() as u32);
        Matcher {
            banks: RwLock::new(banks),
            index: Index::from_words(items, None),
            pdq_offsets,
            pdq_refs,
            added: RwLock::new(HashMap::new()),
            next_id,
            exact: RwLock::new(exact),
        }
    }

    /// Names of the banks, with (negative, enabled).
    pub fn banks(&self) -> Vec<(String, bool, bool)> {
        read(&self.banks).iter().map(|b| (b.name.clone(), b.negative, b.enabled)).collect()
    }

    /// Distinct PDQ values indexed at build time plus PDQ entries added since.
    pub fn pdq_hashes(&self) -> usize {
        self.pdq_offsets.len().saturating_sub(1) + read(&self.added).len()
    }

    /// Number of enabled entries of `kind` in enabled banks.
    pub fn count(&self, kind: Kind) -> usize {
        read(&self.banks)
            .iter()
            .filter(|b| b.enabled)
            .flat_map(|b| &b.entries)
            .filter(|e| e.enabled && e.value.kind() == kind)
            .count()
    }

    fn to_match(banks: &[Bank], r: Ref, distance: u32, query_pdq: Option<usize>) -> Option<Match> {
        let bank = banks.get(r.0 as usize).filter(|b| b.enabled)?;
        let entry = bank.entries.get(r.1 as usize).filter(|e| e.enabled)?;
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

    /// Every match of `q` in the enabled entries of enabled banks: PDQ within `radius`, other
    /// kinds exactly. A stored PDQ hash that several query hashes reach is reported once, at the
    /// smallest distance.
    pub fn lookup(&self, q: &Query, radius: u32) -> Outcome {
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
        let banks = read(&self.banks);
        let mut all: Vec<Match> = Vec::new();
        let built = self.pdq_offsets.len().saturating_sub(1);
        let added = read(&self.added);
        for (id, (d, qi)) in ids {
            let i = id as usize;
            if i < built {
                let (lo, hi) = (self.pdq_offsets[i] as usize, self.pdq_offsets[i + 1] as usize);
                for &r in &self.pdq_refs[lo..hi] {
                    all.extend(Self::to_match(&banks, r, d, Some(qi)));
                }
            } else if let Some(&r) = added.get(&id) {
                all.extend(Self::to_match(&banks, r, d, Some(qi)));
            }
        }
        let exact = [
            q.md5.map(Value::Md5),
            q.sha1.map(Value::Sha1),
            q.sha256.map(Value::Sha256),
            q.url.clone().map(Value::Url),
        ];
        let map = read(&self.exact);
        for v in exact.into_iter().flatten() {
            for &r in map.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
                all.extend(Self::to_match(&banks, r, 0, None));
            }
        }
        let (negative, positive): (Vec<Match>, Vec<Match>) = all.into_iter().partition(|m| m.negative);
        if negative.is_empty() {
            Outcome { matches: positive, negative, suppressed: Vec::new() }
        } else {
            Outcome { matches: Vec::new(), negative, suppressed: positive }
        }
    }

    fn bank_index(banks: &[Bank], name: &str) -> Result<usize, MatcherError> {
        banks.iter().position(|b| b.name == name).ok_or_else(|| MatcherError::NoSuchBank(name.to_owned()))
    }

    /// Enables or disables a whole bank; the next lookup sees it.
    pub fn set_bank_enabled(&self, bank: &str, enabled: bool) -> Result<(), MatcherError> {
        let mut banks = write(&self.banks);
        let i = Self::bank_index(&banks, bank)?;
        banks[i].enabled = enabled;
        Ok(())
    }

    /// Enables or disables the entries of `bank` holding `value`; returns how many changed.
    pub fn set_entry_enabled(&self, bank: &str, value: &Value, enabled: bool) -> Result<usize, MatcherError> {
        let mut banks = write(&self.banks);
        let i = Self::bank_index(&banks, bank)?;
        if !banks[i].entries.iter().any(|e| &e.value == value) {
            return Err(MatcherError::NoSuchEntry { bank: bank.to_owned(), value: value.to_string() });
        }
        Ok(banks[i].set_entry_enabled(value, enabled))
    }

    /// Adds records to a bank (see [`Bank::add`]) and makes them matchable at once.
    pub fn add(
        &self,
        bank: &str,
        records: Vec<Record>,
        source: &str,
        imported_at: i64,
        default_label: &str,
    ) -> Result<Added, MatcherError> {
        let mut banks = write(&self.banks);
        let b = Self::bank_index(&banks, bank)?;
        let first = banks[b].entries.len();
        let added = banks[b].add(records, source, imported_at, default_label);
        let mut pdq = Vec::new();
        let mut new_refs = Vec::new();
        {
            let mut exact = write(&self.exact);
            for (e, entry) in banks[b].entries.iter().enumerate().skip(first) {
                let r = (b as u32, e as u32);
                match &entry.value {
                    Value::Pdq(h) => {
                        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                        new_refs.push((id, r));
                        pdq.push((id, *h));
                    }
                    v => exact.entry(v.clone()).or_default().push(r),
                }
            }
        }
        write(&self.added).extend(new_refs);
        self.index.insert(&pdq);
        Ok(added)
    }

    /// Merges the index's incremental segments (see [`Index::compact`]); for a background thread.
    pub fn compact(&self) {
        self.index.compact();
    }
}
