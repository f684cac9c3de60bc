//! Version diffs as text (terminal) and JSON.

use super::*;

pub fn diff_text(corpus: &Corpus, d: &Diff<'_>, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.paint("1", &format!("{}: {} → {}", d.instrument, d.from, d.to)));
    let _ = writeln!(
        out,
        "{} added · {} changed · {} removed · {} unchanged · {} assessments to re-review · {} to assess\n",
        d.count(DiffKind::Added),
        d.count(DiffKind::Changed),
        d.count(DiffKind::Removed),
        d.count(DiffKind::Unchanged),
        d.rereview.len(),
        d.to_assess.len()
    );
    for (kind, title, mark) in
        [(DiffKind::Added, "Added", "+"), (DiffKind::Changed, "Changed", "~"), (DiffKind::Removed, "Removed", "-")]
    {
        let entries: Vec<_> = d.entries.iter().filter(|e| e.kind == kind).collect();
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", style.paint("1", title));
        for e in entries {
            let unverified = if e.unverified() { " [unverified]" } else { "" };
            let fields = if e.fields.is_empty() { String::new() } else { format!(" ({})", e.fields.join(", ")) };
            let _ = writeln!(out, "  {mark} {}{fields}{unverified}", e.requirement.id);
            match (&e.before, &e.after) {
                (Some(b), Some(a)) if b.statement != a.statement => {
                    let _ = writeln!(out, "      before: {}", b.statement);
                    let _ = writeln!(out, "      after:  {}", a.statement);
                }
                (_, Some(a)) | (Some(a), None) => {
                    let _ = writeln!(out, "      {}", a.statement);
                }
                (None, None) => {}
            }
            for n in &e.notes {
                let mark = if n.confidence == Confidence::Unverified { " [unverified]" } else { "" };
                let _ = writeln!(out, "      {}: {}{mark}", n.version, n.note);
            }
        }
        out.push('\n');
    }
    if !d.rereview.is_empty() {
        let _ = writeln!(out, "{}", style.paint("1", "Assessments to re-review"));
        for r in &d.rereview {
            let a = r.assessment;
            let name = corpus.jurisdiction(&a.jurisdiction).map_or(a.jurisdiction.as_str(), |j| j.name("en"));
            let _ = writeln!(
                out,
                "  {} {} — {} against {}; requirement {} in {}",
                a.jurisdiction,
                a.requirement,
                a.status.label(),
                a.version,
                r.kind.as_str(),
                d.to
            );
            let _ = name;
        }
        out.push('\n');
    }
    if !d.to_assess.is_empty() {
        let _ = writeln!(out, "{}", style.paint("1", "Added requirements to assess"));
        for (j, r) in &d.to_assess {
            let _ = writeln!(out, "  {j} {}", r.id);
        }
    }
    out
}

#[derive(Serialize)]
struct DiffJson<'a> {
    format: &'static str,
    instrument: &'a str,
    from: &'a str,
    to: &'a str,
    requirements: Vec<DiffEntryJson<'a>>,
    rereview: Vec<ReReviewJson<'a>>,
    to_assess: Vec<ToAssessJson<'a>>,
}

#[derive(Serialize)]
struct DiffEntryJson<'a> {
    id: &'a str,
    change: DiffKind,
    fields: &'a [&'static str],
    before: Option<&'a str>,
    after: Option<&'a str>,
    unverified: bool,
    notes: &'a [crate::diff::ChangeNote],
}

#[derive(Serialize)]
struct ReReviewJson<'a> {
    jurisdiction: &'a str,
    requirement: &'a str,
    assessed_version: &'a str,
    status: Status,
    change: DiffKind,
}

#[derive(Serialize)]
struct ToAssessJson<'a> {
    jurisdiction: &'a str,
    requirement: &'a str,
}

pub fn diff_json(d: &Diff<'_>) -> String {
    let doc = DiffJson {
        format: "tomas-diff/1",
        instrument: &d.instrument,
        from: &d.from,
        to: &d.to,
        requirements: d
            .entries
            .iter()
            .filter(|e| e.kind != DiffKind::Unchanged)
            .map(|e| DiffEntryJson {
                id: &e.requirement.id,
                change: e.kind,
                fields: &e.fields,
                before: e.before.as_ref().map(|s| s.statement.as_str()),
                after: e.after.as_ref().map(|s| s.statement.as_str()),
                unverified: e.unverified(),
                notes: &e.notes,
            })
            .collect(),
        rereview: d
            .rereview
            .iter()
            .map(|r| ReReviewJson {
                jurisdiction: &r.assessment.jurisdiction,
                requirement: &r.assessment.requirement,
                assessed_version: &r.assessment.version,
                status: r.assessment.status,
                change: r.kind,
            })
            .collect(),
        to_assess: d.to_assess.iter().map(|(j, r)| ToAssessJson { jurisdiction: j, requirement: &r.id }).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
