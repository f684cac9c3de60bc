//! Reading the corpus directory into a [`Corpus`].
//!
//! Loading never panics and never stops at the first problem: a file that cannot be read or parsed
//! yields a [`Diagnostic`] and is skipped; everything else is still loaded so that [`crate::check`]
//! can report as much as possible in one run.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::Arc,
};

use serde::Deserialize;
use toml::Spanned;

use crate::{
    Corpus, Diagnostic,
    model::{
        Addressee, Assessment, Change, ChangeKind, Confidence, Deadline, Instrument, InstrumentKind, Jurisdiction,
        JurisdictionKind, Loc, Localized, Provision, ProvisionRef, Requirement, RequirementState, Scoring, Stage,
        Status, Topic,
    },
};

/// The largest requirement weight and topic weight: far above any sensible relative importance,
/// and small enough that weighted sums over any corpus stay finite.
pub const MAX_WEIGHT: f64 = 1000.0;

/// Loads every corpus file under `dir`. Problems come back as diagnostics beside the partial corpus.
pub fn load_dir(dir: &Path) -> (Corpus, Vec<Diagnostic>) {
    let mut loader = Loader { corpus: Corpus::default(), diags: Vec::new() };
    if !dir.is_dir() {
        loader.diags.push(Diagnostic::error(
            Loc { file: dir.display().to_string().into(), line: 0 },
            "not a corpus directory (expected jurisdictions.toml, instruments/, requirements/, assessments/)",
        ));
        return (loader.corpus, loader.diags);
    }

    if let Some(file) = loader.read(&dir.join("jurisdictions.toml")) {
        loader.jurisdictions(&file);
    }
    let scoring = dir.join("scoring.toml");
    if scoring.exists()
        && let Some(file) = loader.read(&scoring)
    {
        loader.scoring(&file);
    }
    for sub in loader.list(&dir.join("instruments"), true) {
        for path in loader.list(&sub, false) {
            if let Some(file) = loader.read(&path) {
                loader.instrument(&file);
            }
        }
    }
    for path in loader.list(&dir.join("requirements"), false) {
        if let Some(file) = loader.read(&path) {
            loader.requirements(&file);
        }
    }
    for path in loader.list(&dir.join("assessments"), false) {
        if let Some(file) = loader.read(&path) {
            loader.assessments(&file);
        }
    }
    loader.corpus.resolve_versions();
    (loader.corpus, loader.diags)
}

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A source file in memory, for turning byte offsets into line numbers.
pub(crate) struct SourceFile {
    pub(crate) name: Arc<str>,
    pub(crate) path: PathBuf,
    text: String,
    /// Byte offset of every `\n` in `text`, ascending: found once, so that each of the many
    /// offset-to-line lookups of a large file is a binary search rather than a count from byte 0.
    newlines: Vec<usize>,
}

impl SourceFile {
    pub(crate) fn new(name: &str, path: PathBuf, text: String) -> SourceFile {
        let newlines = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i).collect();
        SourceFile { name: name.into(), path, text, newlines }
    }

    /// The 1-based line holding byte `offset` (offsets past the end count as the end).
    fn line_of(&self, offset: usize) -> u32 {
        let end = offset.min(self.text.len());
        self.newlines.partition_point(|&nl| nl < end) as u32 + 1
    }

    pub(crate) fn loc(&self, offset: usize) -> Loc {
        Loc { file: self.name.clone(), line: self.line_of(offset) }
    }

    fn loc_of<T>(&self, spanned: &Spanned<T>) -> Loc {
        self.loc(spanned.span().start)
    }

    /// File stem: `requirements/eu-csar.toml` → `eu-csar`.
    fn stem(&self) -> String {
        self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    }

    fn parse<'de, T: Deserialize<'de>>(&'de self) -> Result<T, Diagnostic> {
        toml::from_str(&self.text).map_err(|err| {
            let line = err.span().map_or(1, |span| self.line_of(span.start));
            let mut message = err.message().trim().replace('\n', " ");
            // toml names a wrong value's expected type but not its key: take the key from the line.
            let key = err
                .span()
                .and_then(|span| self.text.get(..span.start.min(self.text.len())))
                .and_then(|before| before.rsplit('\n').next())
                .and_then(|line| line.rsplit_once('=').map(|(k, _)| k.rsplit(['{', ',']).next().unwrap_or(k).trim()))
                .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "_-.\"".contains(c)));
            if let Some(key) = key.filter(|k| !message.contains(*k)) {
                message = format!("{key}: {message}");
            }
            Diagnostic::error(Loc { file: self.name.clone(), line }, message)
        })
    }
}

struct Loader {
    corpus: Corpus,
    diags: Vec<Diagnostic>,
}

impl Loader {
    fn read(&mut self, path: &Path) -> Option<SourceFile> {
        let name = path.display().to_string();
        match fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let file = SourceFile::new(&name, path.to_path_buf(), text);
                    // Legal text must read as it is stored: no bidirectional overrides anywhere.
                    for (offset, c) in file.text.char_indices().filter(|&(_, c)| is_bidi_control(c)) {
                        self.diags.push(Diagnostic::error(
                            file.loc(offset),
                            format!(
                                "contains the bidirectional control character U+{:04X}, which makes text display in another order than it is stored; remove it",
                                c as u32
                            ),
                        ));
                    }
                    Some(file)
                }
                Err(err) => {
                    let line = SourceFile::new(
                        &name,
                        path.to_path_buf(),
                        String::from_utf8_lossy(err.as_bytes()).into_owned(),
                    )
                    .line_of(err.utf8_error().valid_up_to());
                    self.diags.push(Diagnostic::error(Loc { file: name.into(), line }, "file is not valid UTF-8"));
                    None
                }
            },
            Err(err) => {
                self.diags.push(Diagnostic::error(Loc { file: name.into(), line: 0 }, format!("cannot read: {err}")));
                None
            }
        }
    }

    /// Sorted `*.toml` files (or, with `dirs`, subdirectories) of `dir`; a missing dir is empty.
    /// A directory that cannot be read, an entry that cannot be read and a `*.toml` entry that is
    /// not a file are reported.
    fn list(&mut self, dir: &Path, dirs: bool) -> Vec<PathBuf> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(err) => {
                self.error(
                    Loc { file: dir.display().to_string().into(), line: 0 },
                    format!("cannot read directory: {err}"),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for entry in entries {
            let path = match entry {
                Ok(entry) => entry.path(),
                Err(err) => {
                    self.error(
                        Loc { file: dir.display().to_string().into(), line: 0 },
                        format!("cannot read directory: {err}"),
                    );
                    continue;
                }
            };
            if dirs {
                if path.is_dir() {
                    out.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "toml") {
                if path.is_file() {
                    out.push(path);
                } else {
                    self.error(
                        Loc { file: path.display().to_string().into(), line: 0 },
                        "not a file (a corpus .toml entry must be a regular file)",
                    );
                }
            }
        }
        out.sort();
        out
    }

    fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(loc, message));
    }

    fn jurisdictions(&mut self, file: &SourceFile) {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            jurisdiction: Vec<RawJurisdiction>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawJurisdiction {
            id: Spanned<String>,
            kind: JurisdictionKind,
            #[serde(default)]
            name: Localized,
            #[serde(default)]
            languages: Vec<String>,
            #[serde(default)]
            candidate: bool,
        }
        let raw: Raw = match file.parse() {
            Ok(raw) => raw,
            Err(d) => return self.diags.push(d),
        };
        for j in raw.jurisdiction {
            let loc = file.loc_of(&j.id);
            self.corpus.jurisdictions.push(Jurisdiction {
                id: j.id.into_inner(),
                kind: j.kind,
                name: j.name,
                languages: j.languages,
                candidate: j.candidate,
                loc,
            });
        }
    }

    fn scoring(&mut self, file: &SourceFile) {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            status_credit: std::collections::BTreeMap<Status, Spanned<f64>>,
            #[serde(default)]
            topic_weight: std::collections::BTreeMap<Topic, Spanned<f64>>,
        }
        let raw: Raw = match file.parse() {
            Ok(raw) => raw,
            Err(d) => return self.diags.push(d),
        };
        let mut scoring = Scoring::default();
        for (status, credit) in raw.status_credit {
            let value = *credit.get_ref();
            if matches!(status, Status::NotApplicable | Status::NotAssessed) {
                self.error(file.loc_of(&credit), format!("status '{status}' earns no credit; remove this line"));
            } else if !(0.0..=1.0).contains(&value) {
                self.error(
                    file.loc_of(&credit),
                    format!("credit for '{status}' must be between 0 and 1, not {}", number(value)),
                );
            } else {
                scoring.status_credit.insert(status, value);
            }
        }
        for (topic, weight) in raw.topic_weight {
            let value = *weight.get_ref();
            if !(0.0..=MAX_WEIGHT).contains(&value) {
                self.error(
                    file.loc_of(&weight),
                    format!("weight for '{topic}' must be a number from 0 to {MAX_WEIGHT}, not {}", number(value)),
                );
            } else {
                scoring.topic_weight.insert(topic, value);
            }
        }
        self.corpus.scoring = scoring;
    }

    fn instrument(&mut self, file: &SourceFile) {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            instrument: Spanned<RawInstrument>,
            #[serde(default)]
            provision: Vec<RawProvision>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawInstrument {
            id: Spanned<String>,
            version: Spanned<String>,
            #[serde(default)]
            short: Option<String>,
            #[serde(default)]
            title: Localized,
            kind: InstrumentKind,
            jurisdiction: Spanned<String>,
            stage: Stage,
            #[serde(default)]
            date: Option<Spanned<String>>,
            #[serde(default)]
            celex: Option<String>,
            #[serde(default)]
            eli: Option<String>,
            #[serde(default)]
            gazette: Option<String>,
            #[serde(default)]
            source: Option<String>,
            #[serde(default)]
            languages: Vec<String>,
            #[serde(default)]
            confidence: Confidence,
            #[serde(default)]
            note: Option<String>,
            #[serde(default)]
            sources: Vec<String>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawProvision {
            eid: Spanned<String>,
            #[serde(default)]
            num: Option<String>,
            #[serde(default)]
            heading: Option<String>,
            summary: String,
            #[serde(default)]
            chapter: Option<String>,
            #[serde(default)]
            section: Option<String>,
            #[serde(default)]
            confidence: Option<Confidence>,
            #[serde(default)]
            sources: Vec<String>,
            #[serde(default)]
            text: Localized,
        }
        let raw: Raw = match file.parse() {
            Ok(raw) => raw,
            Err(d) => return self.diags.push(d),
        };
        let loc = file.loc_of(&raw.instrument);
        let i = raw.instrument.into_inner();
        let (id_loc, version_loc) = (file.loc_of(&i.id), file.loc_of(&i.version));
        let (id, version) = (i.id.into_inner(), i.version.into_inner());
        let dir = file.path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
        if dir.as_deref() != Some(id.as_str()) {
            self.error(
                id_loc,
                format!("instrument '{id}' must live in instruments/{id}/, not in {}", dir.unwrap_or_default()),
            );
        }
        if file.stem() != version {
            self.error(
                version_loc,
                format!("version '{version}' must be the file name: instruments/{id}/{version}.toml"),
            );
        }
        let date = i.date.map(|d| {
            let loc = file.loc_of(&d);
            let d = d.into_inner();
            if !valid_date(&d) {
                self.error(loc, format!("date '{d}' is not a valid date (YYYY-MM-DD)"));
            }
            d
        });
        let mut provisions = Vec::with_capacity(raw.provision.len());
        for p in raw.provision {
            provisions.push(Provision {
                loc: file.loc_of(&p.eid),
                eid: p.eid.into_inner(),
                num: p.num,
                heading: p.heading,
                summary: p.summary,
                chapter: p.chapter,
                section: p.section,
                confidence: p.confidence.unwrap_or(i.confidence),
                sources: p.sources,
                text: p.text,
            });
        }
        let short = i.short.unwrap_or_else(|| i.title.get("en").cloned().unwrap_or_else(|| id.clone()));
        self.corpus.instruments.push(Instrument {
            jurisdiction: i.jurisdiction.into_inner(),
            id,
            version,
            short,
            title: i.title,
            kind: i.kind,
            stage: i.stage,
            date,
            celex: i.celex,
            eli: i.eli,
            gazette: i.gazette,
            source: i.source,
            languages: i.languages,
            confidence: i.confidence,
            note: i.note,
            sources: i.sources,
            provisions,
            loc,
        });
    }

    fn requirements(&mut self, file: &SourceFile) {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            instrument: Spanned<String>,
            #[serde(default)]
            requirement: Vec<RawRequirement>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawRequirement {
            id: Spanned<String>,
            statement: String,
            topic: Topic,
            addressee: Vec<Addressee>,
            derived_from: Vec<Spanned<String>>,
            #[serde(default)]
            deadlines: Vec<Deadline>,
            #[serde(default)]
            weight: Option<Spanned<f64>>,
            #[serde(default)]
            since: Option<Spanned<String>>,
            #[serde(default)]
            confidence: Confidence,
            #[serde(default)]
            note: Option<String>,
            #[serde(default)]
            sources: Vec<String>,
            #[serde(default)]
            change: Vec<RawChange>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawChange {
            version: Spanned<String>,
            kind: ChangeKind,
            #[serde(default)]
            statement: Option<String>,
            #[serde(default)]
            topic: Option<Topic>,
            #[serde(default)]
            addressee: Option<Vec<Addressee>>,
            #[serde(default)]
            derived_from: Option<Vec<Spanned<String>>>,
            #[serde(default)]
            deadlines: Option<Vec<Deadline>>,
            #[serde(default)]
            weight: Option<Spanned<f64>>,
            #[serde(default)]
            note: Option<String>,
            #[serde(default)]
            sources: Vec<String>,
            #[serde(default)]
            confidence: Confidence,
        }
        let raw: Raw = match file.parse() {
            Ok(raw) => raw,
            Err(d) => return self.diags.push(d),
        };
        let instrument = raw.instrument.get_ref().clone();
        if file.stem() != instrument {
            self.error(
                file.loc_of(&raw.instrument),
                format!("requirements of '{instrument}' must be in requirements/{instrument}.toml"),
            );
        }
        for r in raw.requirement {
            let loc = file.loc_of(&r.id);
            // `since` is resolved against the instrument's first version once everything is loaded.
            let since = r.since.map(|s| s.into_inner()).unwrap_or_default();
            let weight = self.weight(file, r.weight);
            let mut changes = Vec::new();
            for c in r.change {
                let version = c.version.get_ref().clone();
                changes.push(Change {
                    loc: file.loc_of(&c.version),
                    kind: c.kind,
                    statement: c.statement,
                    topic: c.topic,
                    addressees: c.addressee,
                    derived_from: c.derived_from.map(|refs| self.refs(file, refs, &instrument, &version)),
                    deadlines: c.deadlines,
                    weight: c.weight.map(|w| self.weight(file, Some(w))),
                    note: c.note,
                    sources: c.sources,
                    confidence: c.confidence,
                    version,
                });
            }
            let derived_from = self.refs(file, r.derived_from, &instrument, &since);
            self.corpus.requirements.push(Requirement {
                id: r.id.into_inner(),
                instrument: instrument.clone(),
                base: RequirementState {
                    statement: r.statement,
                    topic: r.topic,
                    addressees: r.addressee,
                    // A bare eId is resolved at `since`; when `since` was omitted, once versions are known.
                    derived_from,
                    deadlines: r.deadlines,
                    weight,
                },
                since,
                changes,
                confidence: r.confidence,
                note: r.note,
                sources: r.sources,
                loc,
            });
        }
    }

    fn weight(&mut self, file: &SourceFile, weight: Option<Spanned<f64>>) -> f64 {
        match weight {
            None => 1.0,
            Some(w) => {
                let value = *w.get_ref();
                if value > 0.0 && value <= MAX_WEIGHT {
                    value
                } else {
                    self.error(
                        file.loc_of(&w),
                        format!("weight must be a number > 0 and at most {MAX_WEIGHT}, not {}", number(value)),
                    );
                    1.0
                }
            }
        }
    }

    /// Parses provision references; a bare eId means `instrument@version#eid` (version may be empty
    /// here and is filled in by [`Corpus::resolve_versions`]).
    fn refs(
        &mut self,
        file: &SourceFile,
        refs: Vec<Spanned<String>>,
        instrument: &str,
        version: &str,
    ) -> Vec<ProvisionRef> {
        let mut out = Vec::with_capacity(refs.len());
        for r in refs {
            let loc = file.loc_of(&r);
            let text = r.into_inner();
            let parsed = if text.contains('#') {
                ProvisionRef::parse(&text, None)
            } else if text.contains('@') || text.trim().is_empty() {
                Err(format!("'{text}' is not of the form instrument@version#eid or a bare eid"))
            } else {
                Ok(ProvisionRef { instrument: instrument.into(), version: version.into(), eid: text.trim().into() })
            };
            match parsed {
                Ok(p) => out.push(p),
                Err(msg) => self.error(loc, msg),
            }
        }
        out
    }

    fn assessments(&mut self, file: &SourceFile) {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            jurisdiction: Spanned<String>,
            #[serde(default)]
            assessment: Vec<RawAssessment>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawAssessment {
            requirement: Spanned<String>,
            version: String,
            status: Status,
            #[serde(default)]
            evidence: Vec<Spanned<String>>,
            #[serde(default)]
            rationale: String,
            #[serde(default)]
            recommendation: String,
            #[serde(default)]
            sources: Vec<String>,
            #[serde(default)]
            confidence: Confidence,
            #[serde(default)]
            assessed: Option<Spanned<String>>,
            #[serde(default)]
            assessor: Option<String>,
        }
        let raw: Raw = match file.parse() {
            Ok(raw) => raw,
            Err(d) => return self.diags.push(d),
        };
        let jurisdiction = raw.jurisdiction.get_ref().clone();
        if file.stem() != jurisdiction {
            self.error(
                file.loc_of(&raw.jurisdiction),
                format!("assessments for '{jurisdiction}' must be in assessments/{jurisdiction}.toml"),
            );
        }
        self.corpus.assessment_files.push((jurisdiction.clone(), file.loc(0)));
        for a in raw.assessment {
            let loc = file.loc_of(&a.requirement);
            let mut evidence = Vec::new();
            for e in a.evidence {
                let eloc = file.loc_of(&e);
                match ProvisionRef::parse(e.get_ref(), None) {
                    Ok(p) => evidence.push(p),
                    Err(msg) => self.error(eloc, format!("evidence {msg}")),
                }
            }
            let assessed = a.assessed.map(|d| {
                let dloc = file.loc_of(&d);
                let d = d.into_inner();
                if !valid_date(&d) {
                    self.error(dloc, format!("assessed date '{d}' is not a valid date (YYYY-MM-DD)"));
                }
                d
            });
            self.corpus.assessments.push(Assessment {
                jurisdiction: jurisdiction.clone(),
                requirement: a.requirement.into_inner(),
                version: a.version,
                status: a.status,
                evidence,
                rationale: a.rationale,
                recommendation: a.recommendation,
                sources: a.sources,
                confidence: a.confidence,
                assessed,
                assessor: a.assessor,
                loc,
            });
        }
    }
}

/// A number as written in a message: `1e308`, not its 309 digits.
fn number(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e9 { format!("{v:e}") } else { v.to_string() }
}

/// `YYYY-MM-DD` naming a day that exists in the (proleptic) Gregorian calendar.
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r.clone()].iter().all(u8::is_ascii_digit).then(|| s[r].parse::<u32>().ok()).flatten()
    };
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(y), Some(m), Some(d)) => (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d),
        _ => false,
    }
}

/// Days in month `m` (1..=12) of year `y`, leap years included.
fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use proptest::prelude::*;

    use super::{SourceFile, valid_date};

    /// The line of `offset` by counting newlines from byte 0, as loading once did.
    fn naive_line(text: &str, offset: usize) -> u32 {
        text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u32 + 1
    }

    proptest! {
        #[test]
        fn line_of_agrees_with_counting_newlines(text in "[a\n\r=é]{0,200}", offsets in prop::collection::vec(0usize..260, 1..20)) {
            let file = SourceFile::new("t.toml", PathBuf::from("t.toml"), text.clone());
            for offset in offsets.into_iter().chain([0, text.len(), text.len() + 1, usize::MAX]) {
                prop_assert_eq!(file.line_of(offset), naive_line(&text, offset), "offset {}", offset);
            }
        }
    }

    #[test]
    fn line_of_at_every_offset_of_edge_texts() {
        for text in ["", "\n", "\n\n", "a", "a\n", "\na", "ab\ncd\n\nef", "\r\n\r\n"] {
            let file = SourceFile::new("t.toml", PathBuf::from("t.toml"), text.to_string());
            for offset in 0..=text.len() + 2 {
                assert_eq!(file.line_of(offset), naive_line(text, offset), "{text:?} at {offset}");
            }
        }
    }

    #[test]
    fn dates() {
        assert!(valid_date("2022-05-11"));
        assert!(!valid_date("2022-13-01"));
        assert!(!valid_date("11.5.2022"));
        assert!(!valid_date("2022-5-11"));
        assert!(valid_date("2024-02-29"));
        assert!(valid_date("2000-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("1900-02-29"));
        assert!(!valid_date("2024-02-30"));
        assert!(!valid_date("2023-04-31"));
        assert!(valid_date("2023-12-31"));
        assert!(!valid_date("2023-01-00"));
    }
}
