//! Human-readable and machine-readable renderings: the regional matrix, a jurisdiction's gaps, the
//! gap report, version diffs. Every rendering marks unverified facts; none prints anything itself.

use std::fmt::Write;

use serde::Serialize;

use crate::{
    Assessment, Confidence, Corpus, Provision, ProvisionRef, Status, Topic,
    diff::{Diff, DiffKind},
    eid_label,
    score::{self, Cell, InScope, Scores, View},
};

mod diff;

pub use diff::{diff_json, diff_text};

/// Terminal styling: ANSI colours when writing to a terminal, nothing otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Ansi,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        match self {
            Style::Plain => text.to_string(),
            Style::Ansi => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }

    /// Colour-blind-safe hues (blue / yellow / magenta), always paired with the status text.
    fn status(self, status: Status, text: &str) -> String {
        let code = match status {
            Status::Full => "1;34",
            Status::Partial => "1;33",
            Status::None => "1;35",
            Status::NotApplicable | Status::NotAssessed => "2",
        };
        self.paint(code, text)
    }
}

pub const LEGEND: &str =
    "full · partial · none · n/a = not applicable · — = not assessed · * = unverified · ↻ = needs re-review";

fn cell_text(cell: &Cell<'_>) -> String {
    let mut s = match (cell.stale, cell.assessment) {
        (true, Some(a)) => format!("↻{}", a.status.label()),
        (_, None) => "—".to_string(),
        _ if cell.status == Status::NotAssessed => "—".to_string(),
        _ => cell.status.label().to_string(),
    };
    if cell.unverified && cell.assessment.is_some_and(|a| a.status.is_substantive()) {
        s.push('*');
    }
    s
}

fn score_text(s: &score::Score) -> String {
    match s.index {
        Some(i) => format!("{i:.1} ({:.0}%)", s.coverage),
        None => format!("– ({:.0}%)", s.coverage),
    }
}

fn pad(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len >= width { s.to_string() } else { format!("{s}{}", " ".repeat(width - len)) }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The regional matrix as a text table.
pub fn matrix_table(corpus: &Corpus, view: &View, style: Style) -> String {
    let scope = score::in_scope(corpus, view);
    let js = corpus.assessed_jurisdictions();
    let id_width = scope.iter().map(|s| s.requirement.id.chars().count()).max().unwrap_or(10).clamp(24, 44);
    let col = 15;
    let mut out = String::new();
    let _ = writeln!(out, "TOMAS alignment matrix — {}", view.describe(corpus).join(", "));
    let _ = writeln!(out, "Legend: {LEGEND}\n");
    let mut header = pad("requirement", id_width + 2);
    for j in &js {
        header.push_str(&pad(&j.id, col));
    }
    let _ = writeln!(out, "{}", style.paint("1", header.trim_end()));
    let mut topic = None;
    for s in &scope {
        if topic != Some(s.state.topic) {
            topic = Some(s.state.topic);
            let _ = writeln!(out, "{}", style.paint("1", &format!("── {} ", s.state.topic.title())));
        }
        let mut id = truncate(&s.requirement.id, id_width);
        if s.unverified {
            id = truncate(&format!("{id}*"), id_width);
        }
        let mut line = pad(&id, id_width + 2);
        for j in &js {
            let c = score::cell(corpus, &j.id, s);
            let text = cell_text(&c);
            line.push_str(&style.status(c.shown_status(), &pad(&text, col)));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let all: Vec<(String, Scores)> = js.iter().map(|j| (j.id.clone(), score::scores(corpus, &j.id, &scope))).collect();
    let _ = writeln!(out, "\n{}", style.paint("1", "Alignment index (coverage)"));
    let mut line = pad("overall", id_width + 2);
    for (_, s) in &all {
        line.push_str(&pad(&score_text(&s.overall), col));
    }
    let _ = writeln!(out, "{}", style.paint("1", line.trim_end()));
    for topic in Topic::ALL {
        if !all.iter().any(|(_, s)| s.by_topic.contains_key(topic)) {
            continue;
        }
        let mut line = pad(&format!("  {}", topic.title()), id_width + 2);
        for (_, s) in &all {
            line.push_str(&pad(&s.by_topic.get(topic).map_or("".into(), score_text), col));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for instrument in corpus.requirement_instruments() {
        let mut line = pad(&format!("  {instrument}"), id_width + 2);
        for (_, s) in &all {
            line.push_str(&pad(&s.by_instrument.get(instrument).map_or("".into(), score_text), col));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let unverified: usize = all.iter().map(|(_, s)| s.overall.unverified).sum();
    let stale: usize = all.iter().map(|(_, s)| s.overall.stale).sum();
    let _ = writeln!(
        out,
        "\n{} requirements · {unverified} unverified assessments (*) · {stale} need re-review (↻) · index 0–100, coverage = share assessed (docs/scoring.md)",
        scope.len()
    );
    out
}

#[derive(Serialize)]
struct MatrixJson<'a> {
    format: &'static str,
    view: Vec<String>,
    legend: &'static str,
    jurisdictions: Vec<&'a str>,
    requirements: Vec<MatrixRow<'a>>,
    scores: std::collections::BTreeMap<&'a str, Scores>,
}

#[derive(Serialize)]
struct MatrixRow<'a> {
    id: &'a str,
    instrument: &'a str,
    version: &'a str,
    topic: Topic,
    weight: f64,
    statement: &'a str,
    unverified: bool,
    cells: std::collections::BTreeMap<&'a str, CellJson<'a>>,
}

/// One matrix cell as JSON (also used by the web API).
#[derive(Serialize, Debug, Clone)]
pub struct CellJson<'a> {
    /// The status that counts in this view (`not_assessed` when missing or stale).
    pub status: Status,
    /// The status of the assessment shown (differs from `status` when it needs re-review).
    pub assessed_status: Option<Status>,
    pub assessed_version: Option<&'a str>,
    pub needs_review: bool,
    pub confidence: Confidence,
}

impl<'a> CellJson<'a> {
    pub fn new(cell: &Cell<'a>) -> CellJson<'a> {
        CellJson {
            status: cell.status,
            assessed_status: cell.assessment.map(|a| a.status),
            assessed_version: cell.assessment.map(|a| a.version.as_str()),
            needs_review: cell.stale,
            confidence: if cell.unverified { Confidence::Unverified } else { Confidence::Verified },
        }
    }
}

pub fn matrix_json(corpus: &Corpus, view: &View) -> String {
    let scope = score::in_scope(corpus, view);
    let js = corpus.assessed_jurisdictions();
    let doc = MatrixJson {
        format: "tomas-matrix/1",
        view: view.describe(corpus),
        legend: LEGEND,
        jurisdictions: js.iter().map(|j| j.id.as_str()).collect(),
        requirements: scope
            .iter()
            .map(|s| MatrixRow {
                id: &s.requirement.id,
                instrument: &s.requirement.instrument,
                version: s.version,
                topic: s.state.topic,
                weight: s.state.weight,
                statement: &s.state.statement,
                unverified: s.unverified,
                cells: js.iter().map(|j| (j.id.as_str(), CellJson::new(&score::cell(corpus, &j.id, s)))).collect(),
            })
            .collect(),
        scores: js.iter().map(|j| (j.id.as_str(), score::scores(corpus, &j.id, &scope))).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// One row per requirement; per jurisdiction a status column and a flags column
/// (`unverified`, `needs-review`).
pub fn matrix_csv(corpus: &Corpus, view: &View) -> String {
    matrix_csv_rows(corpus, &score::in_scope(corpus, view))
}

/// The matrix CSV for chosen rows (e.g. after filtering by topic or status).
pub fn matrix_csv_rows(corpus: &Corpus, scope: &[score::InScope<'_>]) -> String {
    let js = corpus.assessed_jurisdictions();
    let mut out = String::from("requirement,instrument,version,topic,weight,statement");
    for j in &js {
        let _ = write!(out, ",{0},{0}_flags", j.id);
    }
    out.push('\n');
    for s in scope {
        let _ = write!(
            out,
            "{},{},{},{},{},{}",
            csv_field(&s.requirement.id),
            csv_field(&s.requirement.instrument),
            csv_field(s.version),
            s.state.topic,
            s.state.weight,
            csv_field(&s.state.statement)
        );
        for j in &js {
            let c = score::cell(corpus, &j.id, s);
            let mut flags = Vec::new();
            if c.unverified && c.assessment.is_some() {
                flags.push("unverified");
            }
            if c.stale {
                flags.push("needs-review");
            }
            let _ = write!(out, ",{},{}", c.status, flags.join(";"));
        }
        out.push('\n');
    }
    out
}

/// A gap: a requirement in scope whose assessment is `none` or `partial`.
pub struct Gap<'a> {
    pub scope: InScope<'a>,
    pub cell: Cell<'a>,
    pub assessment: &'a Assessment,
}

/// Gaps of a jurisdiction, by topic then by weight (heaviest first).
pub fn gaps<'a>(corpus: &'a Corpus, view: &'a View, jurisdiction: &str, topic: Option<Topic>) -> Vec<Gap<'a>> {
    let mut out: Vec<Gap<'a>> = score::in_scope(corpus, view)
        .into_iter()
        .filter(|s| topic.is_none_or(|t| s.state.topic == t))
        .filter_map(|s| {
            let cell = score::cell(corpus, jurisdiction, &s);
            let a = cell.assessment?;
            a.status.is_gap().then_some(Gap { scope: s, cell, assessment: a })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.scope.state.topic, a.assessment.status != Status::None)
            .cmp(&(b.scope.state.topic, b.assessment.status != Status::None))
            .then(b.scope.state.weight.total_cmp(&a.scope.state.weight))
    });
    out
}

fn provision_line(corpus: &Corpus, r: &ProvisionRef) -> String {
    match corpus.provision(r) {
        Some((i, p)) => {
            let mut s = format!("{} {}", i.short, eid_label(&r.eid));
            if let Some(h) = &p.heading {
                let _ = write!(s, " ({h})");
            }
            let _ = write!(s, " — {}", p.summary);
            if p.confidence == Confidence::Unverified {
                s.push_str(" [unverified]");
            }
            s
        }
        None => r.to_string(),
    }
}

fn official_text<'a>(corpus: &'a Corpus, r: &ProvisionRef) -> Option<(&'a str, &'a Provision)> {
    let (_, p) = corpus.provision(r)?;
    let (lang, _) = p.text.iter().next()?;
    Some((lang.as_str(), p))
}

pub fn gaps_text(corpus: &Corpus, view: &View, jurisdiction: &str, topic: Option<Topic>, style: Style) -> String {
    let name = corpus.jurisdiction(jurisdiction).map_or(jurisdiction, |j| j.name("en"));
    let scope = score::in_scope(corpus, view);
    let scores = score::scores(corpus, jurisdiction, &scope);
    let list = gaps(corpus, view, jurisdiction, topic);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.paint("1", &format!("Gaps — {name} ({jurisdiction}) against {}", view.describe(corpus).join(", ")))
    );
    let none = list.iter().filter(|g| g.assessment.status == Status::None).count();
    let _ = writeln!(
        out,
        "Alignment index {} · {} gaps ({none} none, {} partial){}\n",
        score_text(&scores.overall),
        list.len(),
        list.len() - none,
        topic.map_or(String::new(), |t| format!(" · topic: {}", t.title()))
    );
    let mut current = None;
    for g in &list {
        if current != Some(g.scope.state.topic) {
            current = Some(g.scope.state.topic);
            let _ = writeln!(out, "{}", style.paint("1", &format!("── {}", g.scope.state.topic.title())));
        }
        let a = g.assessment;
        let flags = format!(
            "{}{}",
            if g.cell.unverified { " [unverified]" } else { "" },
            if g.cell.stale { format!(" [needs re-review: assessed against {}]", a.version) } else { String::new() }
        );
        let _ = writeln!(
            out,
            "{} {} (weight {}){}",
            style.status(a.status, &format!("[{}]", a.status.label())),
            g.scope.requirement.id,
            g.scope.state.weight,
            flags
        );
        let _ = writeln!(out, "  requirement:    {}", g.scope.state.statement);
        for r in &g.scope.state.derived_from {
            let _ = writeln!(out, "  derives from:   {}", provision_line(corpus, r));
            if let Some((lang, p)) = official_text(corpus, r) {
                let _ = writeln!(out, "  official ({lang}):  {}", truncate(&p.text[lang].replace('\n', " "), 300));
            }
        }
        for e in &a.evidence {
            let _ = writeln!(out, "  evidence:       {}", provision_line(corpus, e));
        }
        if a.evidence.is_empty() {
            let _ = writeln!(out, "  evidence:       (no national provision)");
        }
        let _ = writeln!(out, "  rationale:      {}", a.rationale.trim());
        let rec = a.recommendation.trim();
        let _ = writeln!(out, "  recommendation: {}", if rec.is_empty() { "(none recorded)" } else { rec });
        for s in &a.sources {
            let _ = writeln!(out, "  source:         {s}");
        }
        out.push('\n');
    }
    if list.is_empty() {
        let _ = writeln!(
            out,
            "No gaps recorded{}.",
            if scores.overall.coverage < 100.0 { " (some requirements are not assessed)" } else { "" }
        );
    }
    out
}

#[derive(Serialize)]
struct GapJson<'a> {
    requirement: &'a str,
    instrument: &'a str,
    version: &'a str,
    topic: Topic,
    weight: f64,
    statement: &'a str,
    status: Status,
    confidence: Confidence,
    needs_review: bool,
    derived_from: &'a [ProvisionRef],
    evidence: &'a [ProvisionRef],
    rationale: &'a str,
    recommendation: &'a str,
    sources: &'a [String],
}

pub fn gaps_json(corpus: &Corpus, view: &View, jurisdiction: &str, topic: Option<Topic>) -> String {
    let list = gaps(corpus, view, jurisdiction, topic);
    let rows: Vec<GapJson<'_>> = list
        .iter()
        .map(|g| GapJson {
            requirement: &g.scope.requirement.id,
            instrument: &g.scope.requirement.instrument,
            version: g.scope.version,
            topic: g.scope.state.topic,
            weight: g.scope.state.weight,
            statement: &g.scope.state.statement,
            status: g.assessment.status,
            confidence: if g.cell.unverified { Confidence::Unverified } else { Confidence::Verified },
            needs_review: g.cell.stale,
            derived_from: &g.scope.state.derived_from,
            evidence: &g.assessment.evidence,
            rationale: &g.assessment.rationale,
            recommendation: &g.assessment.recommendation,
            sources: &g.assessment.sources,
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&serde_json::json!({
        "format": "tomas-gaps/1",
        "jurisdiction": jurisdiction,
        "view": view.describe(corpus),
        "gaps": rows,
    }))
    .unwrap_or_default();
    s.push('\n');
    s
}

pub fn gaps_csv(corpus: &Corpus, view: &View, jurisdiction: &str, topic: Option<Topic>) -> String {
    let mut out = String::from(
        "requirement,instrument,version,topic,weight,status,confidence,needs_review,statement,evidence,rationale,recommendation,sources\n",
    );
    for g in gaps(corpus, view, jurisdiction, topic) {
        let join = |refs: &[ProvisionRef]| refs.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&g.scope.requirement.id),
            csv_field(&g.scope.requirement.instrument),
            csv_field(g.scope.version),
            g.scope.state.topic,
            g.scope.state.weight,
            g.assessment.status,
            if g.cell.unverified { "unverified" } else { "verified" },
            g.cell.stale,
            csv_field(&g.scope.state.statement),
            csv_field(&join(&g.assessment.evidence)),
            csv_field(&g.assessment.rationale),
            csv_field(&g.assessment.recommendation),
            csv_field(&g.assessment.sources.join(" ")),
        );
    }
    out
}

/// Escapes text for Markdown (and for the HTML it becomes: no raw tags get through).
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>' | '!' | '{' | '}' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_source(s: &str) -> String {
    if (s.starts_with("https://") || s.starts_with("http://")) && !s.contains([' ', '<', '>']) {
        format!("<{s}>")
    } else {
        md_escape(s)
    }
}

/// The gap report of one jurisdiction as Markdown.
pub fn report_md(corpus: &Corpus, view: &View, jurisdiction: &str) -> String {
    let name = corpus.jurisdiction(jurisdiction).map_or(jurisdiction, |j| j.name("en"));
    let scope = score::in_scope(corpus, view);
    let scores = score::scores(corpus, jurisdiction, &scope);
    let list = gaps(corpus, view, jurisdiction, None);
    let mut out = String::new();
    let _ = writeln!(out, "# Alignment report: {}\n", md_escape(name));
    let _ = writeln!(
        out,
        "Measured against {}. Statuses follow the scale of EU accession tables of concordance \
         (full, partial, none, not applicable, not assessed). Items marked **unverified** rest on \
         facts not yet checked against an official text.\n",
        view.describe(corpus).iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(out, "## Summary\n");
    let o = &scores.overall;
    let count = |s: Status| o.counts.get(&s).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "- **Alignment index:** {}",
        o.index.map_or("– (nothing assessed)".into(), |i| format!("{i:.1} / 100"))
    );
    let _ = writeln!(out, "- **Coverage:** {:.0}% of applicable requirements assessed", o.coverage);
    let _ = writeln!(
        out,
        "- **Requirements:** {} — {} full, {} partial, {} none, {} not applicable, {} not assessed",
        scope.len(),
        count(Status::Full),
        count(Status::Partial),
        count(Status::None),
        count(Status::NotApplicable),
        count(Status::NotAssessed)
    );
    let _ = writeln!(out, "- **Unverified assessments:** {}", o.unverified);
    if o.stale > 0 {
        let _ = writeln!(out, "- **Needing re-review in this version:** {}", o.stale);
    }
    let _ = writeln!(out, "\n## By topic\n");
    let _ = writeln!(out, "| Topic | Index | Coverage | Full | Partial | None | N/A | Not assessed |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (topic, s) in &scores.by_topic {
        let c = |st: Status| s.counts.get(&st).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {} | {} | {:.0}% | {} | {} | {} | {} | {} |",
            topic.title(),
            s.index.map_or("–".into(), |i| format!("{i:.1}")),
            s.coverage,
            c(Status::Full),
            c(Status::Partial),
            c(Status::None),
            c(Status::NotApplicable),
            c(Status::NotAssessed)
        );
    }
    let _ = writeln!(out, "\n## By instrument\n");
    let _ = writeln!(out, "| Instrument | Index | Coverage |");
    let _ = writeln!(out, "|---|---:|---:|");
    for (instrument, s) in &scores.by_instrument {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0}% |",
            md_escape(instrument),
            s.index.map_or("–".into(), |i| format!("{i:.1}")),
            s.coverage
        );
    }
    let _ = writeln!(out, "\n## Gaps\n");
    if list.is_empty() {
        let _ = writeln!(out, "No gaps recorded.");
    }
    let mut current = None;
    for g in &list {
        if current != Some(g.scope.state.topic) {
            current = Some(g.scope.state.topic);
            let _ = writeln!(out, "### {}\n", g.scope.state.topic.title());
        }
        let a = g.assessment;
        let mut title = format!("#### {} — {}", md_escape(&g.scope.requirement.id), a.status.label());
        if g.cell.unverified {
            title.push_str(" (unverified)");
        }
        let _ = writeln!(out, "{title}\n");
        if g.cell.stale {
            let _ = writeln!(
                out,
                "> Needs re-review: assessed against `{}`, and the requirement has changed since.\n",
                a.version
            );
        }
        let _ = writeln!(out, "**Requirement.** {}\n", md_escape(&g.scope.state.statement));
        let _ = writeln!(out, "**Derives from.**\n");
        for r in &g.scope.state.derived_from {
            let _ = writeln!(out, "- {}", md_escape(&provision_line(corpus, r)));
            if let Some((lang, p)) = official_text(corpus, r) {
                let _ = writeln!(out, "\n  > Official text ({lang}): {}\n", md_escape(&p.text[lang]));
            }
        }
        let _ = writeln!(out, "\n**Evidence.**\n");
        if a.evidence.is_empty() {
            let _ = writeln!(out, "- No national provision.");
        }
        for e in &a.evidence {
            let _ = writeln!(out, "- {}", md_escape(&provision_line(corpus, e)));
        }
        let _ = writeln!(out, "\n**Rationale.** {}\n", md_escape(a.rationale.trim()));
        let rec = a.recommendation.trim();
        let _ = writeln!(
            out,
            "**Recommendation.** {}\n",
            if rec.is_empty() { "None recorded.".to_string() } else { md_escape(rec) }
        );
        let _ = writeln!(out, "**Sources.**\n");
        for s in &a.sources {
            let _ = writeln!(out, "- {}", md_source(s));
        }
        let _ = writeln!(
            out,
            "\n*Confidence: {}. Assessed {}{}.*\n",
            if g.cell.unverified { "unverified" } else { "verified" },
            a.assessed.as_deref().unwrap_or("(date not recorded)"),
            a.assessor.as_deref().map_or(String::new(), |who| format!(" by {}", md_escape(who)))
        );
    }
    let pending: Vec<&InScope<'_>> =
        scope.iter().filter(|s| score::cell(corpus, jurisdiction, s).status == Status::NotAssessed).collect();
    if !pending.is_empty() {
        let _ = writeln!(out, "## Not yet assessed\n");
        for s in pending {
            let _ = writeln!(out, "- {} — {}", md_escape(&s.requirement.id), md_escape(&s.state.statement));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Method\n");
    let credit = |s: Status| corpus.scoring.credit(s).unwrap_or(0.0);
    let _ = writeln!(
        out,
        "Index = weighted share of credit (full {}, partial {}, none {}) over assessed requirements; \
         coverage = weighted share of applicable requirements assessed. Weights and credits are data \
         (`corpus/scoring.toml`); the formula is in `docs/scoring.md`.",
        credit(Status::Full),
        credit(Status::Partial),
        credit(Status::None)
    );
    out
}

pub const REPORT_CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}\
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem .5rem}\
blockquote{border-left:4px solid #0b5cad;margin:0;padding:.25rem 1rem;background:#eef4fb}\
h4{margin-bottom:.25rem}a{color:#0b5cad}";

/// The gap report as a standalone HTML page (the Markdown, rendered).
pub fn report_html(corpus: &Corpus, view: &View, jurisdiction: &str) -> String {
    let md = report_md(corpus, view, jurisdiction);
    let mut body = String::new();
    let parser = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut body, parser);
    let name = corpus.jurisdiction(jurisdiction).map_or(jurisdiction, |j| j.name("en"));
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Alignment report: {}</title>\n<style>{REPORT_CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        html_escape(name)
    )
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
