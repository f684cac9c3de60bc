//! The legal model of TOMAS: EU acts and national laws as machine-readable requirements, the
//! assessments that map each country's law to them, and everything computed from those — alignment
//! scores, version diffs, gap reports and the JSON export.
//!
//! Pure: no HTTP, no SQL. Files come in through [`load_dir`] (the shipped `corpus/` directory) and
//! [`overlay`] (official texts a user imported); everything else is computation over [`Corpus`].
//!
//! ```text
//! corpus/*.toml ──load_dir──▶ Corpus ──check──▶ diagnostics (file:line: message)
//!                                │
//!                                ├─ score ──▶ alignment index + coverage per jurisdiction/topic/instrument
//!                                ├─ diff  ──▶ requirements added/changed/removed between versions
//!                                └─ render / export ──▶ matrix, gaps, report, JSON
//! ```

pub mod check;
pub mod diff;
pub mod eurlex;
pub mod export;
mod load;
pub mod model;
pub mod overlay;
pub mod render;
pub mod score;

use std::{collections::BTreeMap, fmt};

pub use load::{load_dir, valid_date};
pub use model::*;

/// A problem found while loading or checking the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: Loc,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Diagnostic {
    pub fn error(loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic { loc, severity: Severity::Error, message: message.into() }
    }

    pub fn warning(loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic { loc, severity: Severity::Warning, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {kind}: {}", self.loc, self.message)
    }
}

/// Everything the shipped corpus holds.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub jurisdictions: Vec<Jurisdiction>,
    pub instruments: Vec<Instrument>,
    pub requirements: Vec<Requirement>,
    pub assessments: Vec<Assessment>,
    pub scoring: Scoring,
    /// Instrument id → its versions, oldest first.
    versions: BTreeMap<String, Vec<String>>,
    /// Jurisdictions with an assessments file, and where it is.
    assessment_files: Vec<(String, Loc)>,
    /// (jurisdiction, requirement) → indices into `assessments`; see [`Corpus::reindex`].
    index: std::collections::HashMap<String, std::collections::HashMap<String, Vec<usize>>>,
    /// Requirement id → index of its first occurrence in `requirements`; see [`Corpus::reindex`].
    requirement_index: std::collections::HashMap<String, usize>,
}

impl Corpus {
    /// Orders each instrument's versions by date (then label), and fills in what depends on that
    /// order: a requirement's default `since` and the version of its bare eId references.
    fn resolve_versions(&mut self) {
        self.instruments.sort_by(|a, b| {
            (a.id.as_str(), a.date.as_deref().unwrap_or(""), a.version.as_str()).cmp(&(
                b.id.as_str(),
                b.date.as_deref().unwrap_or(""),
                b.version.as_str(),
            ))
        });
        self.versions.clear();
        for i in &self.instruments {
            let versions = self.versions.entry(i.id.clone()).or_default();
            if !versions.contains(&i.version) {
                versions.push(i.version.clone());
            }
        }
        self.reindex();
        for r in &mut self.requirements {
            if r.since.is_empty()
                && let Some(first) = self.versions.get(&r.instrument).and_then(|v| v.first())
            {
                r.since = first.clone();
            }
            for p in &mut r.base.derived_from {
                if p.version.is_empty() {
                    p.version = r.since.clone();
                }
            }
        }
    }

    /// The versions of an instrument, oldest first (empty when unknown).
    pub fn versions(&self, instrument: &str) -> &[String] {
        self.versions.get(instrument).map_or(&[], Vec::as_slice)
    }

    /// The latest version of an instrument.
    pub fn latest_version(&self, instrument: &str) -> Option<&str> {
        self.versions(instrument).last().map(String::as_str)
    }

    pub fn instrument(&self, id: &str, version: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id && i.version == version)
    }

    pub fn provision(&self, r: &ProvisionRef) -> Option<(&Instrument, &Provision)> {
        let i = self.instrument(&r.instrument, &r.version)?;
        Some((i, i.provision(&r.eid)?))
    }

    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        // The index only answers when it still agrees with `requirements`, which may have changed.
        let indexed = self.requirement_index.get(id).and_then(|&i| self.requirements.get(i));
        indexed.filter(|r| r.id == id).or_else(|| self.requirements.iter().find(|r| r.id == id))
    }

    pub fn jurisdiction(&self, id: &str) -> Option<&Jurisdiction> {
        self.jurisdictions.iter().find(|j| j.id == id)
    }

    /// Jurisdictions whose law is assessed (those with an assessments file), in file order of
    /// `jurisdictions.toml`.
    pub fn assessed_jurisdictions(&self) -> Vec<&Jurisdiction> {
        self.jurisdictions.iter().filter(|j| self.assessment_files.iter().any(|(id, _)| id == &j.id)).collect()
    }

    /// Instruments that carry requirements, in a stable order (the CSAR first, then by id).
    pub fn requirement_instruments(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.requirements.iter().map(|r| r.instrument.as_str()).collect();
        ids.sort_by_key(|id| (*id != "eu-csar", *id));
        ids.dedup();
        ids
    }

    pub fn assessments_for(&self, jurisdiction: &str, requirement: &str) -> Vec<&Assessment> {
        let matches = |a: &&Assessment| a.jurisdiction == jurisdiction && a.requirement == requirement;
        if self.index.is_empty() {
            return self.assessments.iter().filter(matches).collect();
        }
        match self.index.get(jurisdiction).and_then(|by_requirement| by_requirement.get(requirement)) {
            Some(ids) => ids.iter().filter_map(|&i| self.assessments.get(i)).filter(matches).collect(),
            None => Vec::new(),
        }
    }

    /// Rebuilds the lookup indexes after `assessments` or `requirements` was replaced (loading does
    /// it itself).
    pub fn reindex(&mut self) {
        self.requirement_index.clear();
        for (i, r) in self.requirements.iter().enumerate() {
            self.requirement_index.entry(r.id.clone()).or_insert(i);
        }
        self.index.clear();
        for (i, a) in self.assessments.iter().enumerate() {
            self.index.entry(a.jurisdiction.clone()).or_default().entry(a.requirement.clone()).or_default().push(i);
        }
    }

    /// Marks a jurisdiction as assessed (as an assessments file would), for corpora built in memory.
    pub fn track_jurisdiction(&mut self, id: &str) {
        if !self.assessment_files.iter().any(|(j, _)| j == id) {
            self.assessment_files.push((id.to_string(), Loc { file: "database".into(), line: 0 }));
        }
    }
}
