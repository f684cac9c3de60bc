//! Cross-reference validation of a loaded [`Corpus`].
//!
//! Loading ([`crate::load_dir`]) catches what one file can tell on its own: syntax, unknown fields,
//! values outside their vocabulary, file names. This module catches what needs the whole corpus:
//! duplicate ids, references to provisions, requirements, jurisdictions and versions that do not
//! exist, assessments without sources, and requirements some jurisdiction has not assessed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::{Corpus, Diagnostic, Loc, ProvisionRef, Requirement};

/// Loads and checks `dir`; the diagnostics are sorted by file and line.
pub fn check_dir(dir: &std::path::Path) -> (Corpus, Vec<Diagnostic>) {
    let (corpus, mut diags) = crate::load_dir(dir);
    diags.extend(check(&corpus));
    diags.sort_by(|a, b| (&a.loc.file, a.loc.line, a.severity).cmp(&(&b.loc.file, b.loc.line, b.severity)));
    diags.dedup();
    (corpus, diags)
}

/// Every cross-reference problem in `corpus`.
pub fn check(corpus: &Corpus) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut err = |loc: &Loc, msg: String| out.push(Diagnostic::error(loc.clone(), msg));

    // Jurisdictions.
    let mut seen = HashSet::new();
    for j in &corpus.jurisdictions {
        if !valid_id(&j.id) {
            err(&j.loc, format!("jurisdiction id '{}' must be lowercase letters, digits and '-'", j.id));
        }
        if !seen.insert(j.id.as_str()) {
            err(&j.loc, format!("duplicate jurisdiction '{}'", j.id));
        }
        if !j.name.contains_key("en") {
            err(&j.loc, format!("jurisdiction '{}' needs an English name (name.en)", j.id));
        }
    }
    for (id, loc) in &corpus.assessment_files {
        if corpus.jurisdiction(id).is_none() {
            err(loc, format!("unknown jurisdiction '{id}' (add it to jurisdictions.toml)"));
        }
    }

    // Instruments and provisions.
    let mut seen = HashSet::new();
    for i in &corpus.instruments {
        if !valid_id(&i.id) || !valid_id(&i.version) {
            err(
                &i.loc,
                format!("instrument '{}@{}': ids and versions are lowercase letters, digits and '-'", i.id, i.version),
            );
        }
        if !seen.insert((i.id.as_str(), i.version.as_str())) {
            err(&i.loc, format!("duplicate instrument version '{}@{}'", i.id, i.version));
        }
        if corpus.jurisdiction(&i.jurisdiction).is_none() {
            err(&i.loc, format!("instrument '{}' names unknown jurisdiction '{}'", i.key(), i.jurisdiction));
        }
        if i.source.is_none() && i.sources.is_empty() && i.gazette.is_none() {
            err(&i.loc, format!("instrument '{}' needs a source (source, sources or gazette)", i.key()));
        }
        let eids: HashSet<&str> = i.provisions.iter().map(|p| p.eid.as_str()).collect();
        let mut seen_eid = HashSet::new();
        for p in &i.provisions {
            if let Err(msg) = valid_eid(&p.eid) {
                err(&p.loc, msg);
            }
            if !seen_eid.insert(p.eid.as_str()) {
                err(&p.loc, format!("duplicate provision '{}' in {}", p.eid, i.key()));
            }
            if let Some((parent, _)) = p.eid.rsplit_once("__")
                && !eids.contains(parent)
            {
                err(&p.loc, format!("provision '{}' needs its parent '{parent}' in {}", p.eid, i.key()));
            }
            if p.summary.trim().is_empty() {
                err(&p.loc, format!("provision '{}' needs a summary", p.eid));
            }
        }
    }

    // Requirements. Lookups go through maps built once: a corpus with many requirements or
    // provisions would otherwise be searched from the start for every reference.
    let mut provisions: HashMap<(&str, &str), HashSet<&str>> = HashMap::new();
    for i in &corpus.instruments {
        // The first instrument of a duplicated version is the one references resolve to.
        provisions
            .entry((i.id.as_str(), i.version.as_str()))
            .or_insert_with(|| i.provisions.iter().map(|p| p.eid.as_str()).collect());
    }
    let check_ref = |r: &ProvisionRef| -> Option<String> {
        let Some(eids) = provisions.get(&(r.instrument.as_str(), r.version.as_str())) else {
            return Some(if corpus.versions(&r.instrument).is_empty() {
                format!("'{r}': unknown instrument '{}'", r.instrument)
            } else {
                format!(
                    "'{r}': instrument '{}' has no version '{}' (it has: {})",
                    r.instrument,
                    r.version,
                    corpus.versions(&r.instrument).join(", ")
                )
            });
        };
        (!eids.contains(r.eid.as_str()))
            .then(|| format!("'{r}': no provision '{}' in {}@{}", r.eid, r.instrument, r.version))
    };
    let mut seen = HashSet::new();
    for r in &corpus.requirements {
        if !valid_id(&r.id) {
            err(&r.loc, format!("requirement id '{}' must be lowercase letters, digits and '-'", r.id));
        }
        if !seen.insert(r.id.as_str()) {
            err(&r.loc, format!("duplicate requirement '{}'", r.id));
        }
        let order = corpus.versions(&r.instrument);
        if order.is_empty() {
            err(&r.loc, format!("requirement '{}': unknown instrument '{}'", r.id, r.instrument));
            continue;
        }
        let Some(since) = order.iter().position(|v| v == &r.since) else {
            err(
                &r.loc,
                format!(
                    "requirement '{}': since = '{}' is not a version of {} ({})",
                    r.id,
                    r.since,
                    r.instrument,
                    order.join(", ")
                ),
            );
            continue;
        };
        if r.base.statement.trim().is_empty() {
            err(&r.loc, format!("requirement '{}' needs a statement", r.id));
        }
        if r.base.addressees.is_empty() {
            err(&r.loc, format!("requirement '{}' needs at least one addressee", r.id));
        }
        if r.base.derived_from.is_empty() {
            err(&r.loc, format!("requirement '{}' must derive from at least one provision", r.id));
        }
        for p in &r.base.derived_from {
            if let Some(msg) = check_ref(p) {
                err(&r.loc, format!("requirement '{}' derives from {msg}", r.id));
            }
        }
        for d in &r.base.deadlines {
            if !(d.amount.is_finite() && d.amount > 0.0) {
                err(&r.loc, format!("requirement '{}': deadline amount must be > 0", r.id));
            }
        }
        let mut last = since;
        let mut removed = false;
        for c in &r.changes {
            let Some(pos) = order.iter().position(|v| v == &c.version) else {
                err(
                    &c.loc,
                    format!(
                        "change to '{}': '{}' is not a version of {} ({})",
                        r.id,
                        c.version,
                        r.instrument,
                        order.join(", ")
                    ),
                );
                continue;
            };
            if pos <= last {
                err(
                    &c.loc,
                    format!(
                        "change to '{}' at '{}' must come after '{}' (changes go in version order, after `since`)",
                        r.id, c.version, order[last]
                    ),
                );
            }
            if removed {
                err(&c.loc, format!("change to '{}' at '{}' follows its removal", r.id, c.version));
            }
            last = last.max(pos);
            removed |= c.kind == crate::ChangeKind::Removed;
            if c.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                err(&c.loc, format!("change to '{}' at '{}' needs a note saying what changed", r.id, c.version));
            }
            if c.sources.is_empty() {
                err(&c.loc, format!("change to '{}' at '{}' needs a source", r.id, c.version));
            }
            for p in c.derived_from.iter().flatten() {
                if let Some(msg) = check_ref(p) {
                    err(&c.loc, format!("change to '{}' derives from {msg}", r.id));
                }
            }
        }
    }

    // Assessments.
    let mut requirements: HashMap<&str, &Requirement> = HashMap::new();
    for r in &corpus.requirements {
        requirements.entry(r.id.as_str()).or_insert(r);
    }
    let mut seen = HashSet::new();
    let mut assessed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in &corpus.assessments {
        if !seen.insert((a.jurisdiction.as_str(), a.requirement.as_str(), a.version.as_str())) {
            err(
                &a.loc,
                format!(
                    "duplicate assessment of '{}' at version '{}' for '{}'",
                    a.requirement, a.version, a.jurisdiction
                ),
            );
        }
        assessed.entry(a.jurisdiction.as_str()).or_default().insert(a.requirement.as_str());
        let Some(&r) = requirements.get(a.requirement.as_str()) else {
            err(&a.loc, format!("assessment of unknown requirement '{}'", a.requirement));
            continue;
        };
        let order = corpus.versions(&r.instrument);
        if !order.contains(&a.version) {
            err(
                &a.loc,
                format!(
                    "assessment of '{}': '{}' is not a version of {} ({})",
                    a.requirement,
                    a.version,
                    r.instrument,
                    order.join(", ")
                ),
            );
        } else if r.state_at(&a.version, order).is_none() {
            err(
                &a.loc,
                format!("assessment of '{}': the requirement does not exist in version '{}'", a.requirement, a.version),
            );
        }
        for e in &a.evidence {
            if let Some(msg) = check_ref(e) {
                err(&a.loc, format!("assessment of '{}': evidence {msg}", a.requirement));
            }
        }
        if a.status.is_substantive() {
            if a.sources.iter().all(|s| s.trim().is_empty()) {
                err(
                    &a.loc,
                    format!(
                        "assessment of '{}' is '{}' but has no source (sources = [\"…\"])",
                        a.requirement, a.status
                    ),
                );
            }
            if a.rationale.trim().is_empty() {
                err(&a.loc, format!("assessment of '{}' is '{}' but has no rationale", a.requirement, a.status));
            }
        }
        if a.status.is_gap() && a.recommendation.trim().is_empty() {
            warnings.push(Diagnostic::warning(
                a.loc.clone(),
                format!("assessment of '{}' is a gap ('{}') without a recommendation", a.requirement, a.status),
            ));
        }
    }
    for (jurisdiction, loc) in &corpus.assessment_files {
        let done = assessed.get(jurisdiction.as_str());
        let missing: Vec<&str> = corpus
            .requirements
            .iter()
            .filter(|r| !done.is_some_and(|d| d.contains(r.id.as_str())))
            .map(|r| r.id.as_str())
            .collect();
        if !missing.is_empty() {
            err(
                &Loc { file: loc.file.clone(), line: 1 },
                format!(
                    "'{jurisdiction}' has no assessment for {} requirement(s): {} (add them; status = \"not_assessed\" is allowed)",
                    missing.len(),
                    missing.join(", ")
                ),
            );
        }
    }
    out.extend(warnings);
    out
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.starts_with('-')
}

/// Akoma Ntoso-style eIds: `art_14__para_2__point_a`, `anx_4`, `topic_detection`.
fn valid_eid(eid: &str) -> Result<(), String> {
    const KINDS: &[&str] = &["art", "para", "subpara", "point", "anx", "chp", "sec", "topic", "intro", "wrap", "rec"];
    for part in eid.split("__") {
        let Some((kind, num)) = part.split_once('_') else {
            return Err(format!("eId '{eid}': '{part}' must be kind_number, e.g. art_14 or para_2"));
        };
        if !KINDS.contains(&kind) {
            return Err(format!("eId '{eid}': unknown component '{kind}' (use one of {})", KINDS.join(", ")));
        }
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("eId '{eid}': '{num}' is not a valid number or name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eids() {
        assert!(valid_eid("art_14__para_2__point_a").is_ok());
        assert!(valid_eid("anx_4").is_ok());
        assert!(valid_eid("topic_age_verification").is_ok());
        assert!(valid_eid("art14").is_err());
        assert!(valid_eid("article_14").is_err());
        assert!(valid_eid("art_").is_err());
    }
}
