//! What changed between two versions of an instrument, and what needs re-review.

use super::*;

pub(super) struct DiffEntryView {
    pub(crate) id: String,
    pub(crate) fields: String,
    pub(crate) unverified: bool,
    pub(crate) before: String,
    pub(crate) after: String,
    pub(crate) notes: Vec<String>,
}

pub(super) struct DiffSection {
    pub(crate) title: String,
    pub(crate) class: &'static str,
    pub(crate) entries: Vec<DiffEntryView>,
}

#[derive(Template)]
#[template(path = "diff.html")]
pub(super) struct DiffPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) froms: Vec<Opt>,
    pub(crate) tos: Vec<Opt>,
    pub(crate) summary: String,
    pub(crate) sections: Vec<DiffSection>,
    pub(crate) rereview: Vec<(String, String)>,
    pub(crate) to_assess: Vec<(String, String)>,
}

pub(super) async fn diff(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<api::DiffQuery>) -> Response {
    let snap = state.snapshot();
    let corpus = &snap.corpus;
    let tr = ctx.tr(&state);
    let (instrument, from, to) = match api::diff_specs(corpus, &q) {
        Ok(s) => s,
        Err(e) => return api_error_page(&state, &ctx, e),
    };
    let d = match law::diff::diff(corpus, &instrument, &from, &to) {
        Ok(d) => d,
        Err(m) => return api_error_page(&state, &ctx, ApiError::field("from", m)),
    };
    let opts = |selected: &str| -> Vec<Opt> {
        corpus
            .requirement_instruments()
            .into_iter()
            .filter(|i| corpus.versions(i).len() > 1)
            .flat_map(|i| corpus.versions(i).iter().map(move |v| (i, v)))
            .map(|(i, v)| Opt {
                value: format!("{i}@{v}"),
                label: format!("{i}@{v}"),
                selected: i == instrument && v == selected,
            })
            .collect()
    };
    let mut sections = Vec::new();
    for (kind, key, class) in [
        (law::diff::DiffKind::Added, "diff-added", "added"),
        (law::diff::DiffKind::Changed, "diff-changed", "changed"),
        (law::diff::DiffKind::Removed, "diff-removed", "removed"),
    ] {
        let entries: Vec<DiffEntryView> = d
            .entries
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| DiffEntryView {
                id: e.requirement.id.clone(),
                fields: e.fields.join(", "),
                unverified: e.unverified(),
                before: if kind == law::diff::DiffKind::Added {
                    String::new()
                } else {
                    e.before.as_ref().map_or(String::new(), |s| s.statement.clone())
                },
                after: if kind == law::diff::DiffKind::Removed {
                    String::new()
                } else {
                    e.after
                        .as_ref()
                        .filter(|a| e.before.as_ref().is_none_or(|b| b.statement != a.statement))
                        .map_or(String::new(), |s| s.statement.clone())
                },
                notes: e
                    .notes
                    .iter()
                    .map(|n| {
                        format!(
                            "{}: {}{}",
                            n.version,
                            n.note,
                            if n.confidence == Confidence::Unverified {
                                format!(" ({})", tr.t("unverified"))
                            } else {
                                String::new()
                            }
                        )
                    })
                    .collect(),
            })
            .collect();
        if !entries.is_empty() {
            sections.push(DiffSection { title: tr.t(key), class, entries });
        }
    }
    let page = DiffPage {
        froms: opts(&from),
        tos: opts(&to),
        summary: format!(
            "{instrument}: {from} → {to} · {}",
            tr.tn("diff-unchanged", "n", d.count(law::diff::DiffKind::Unchanged))
        ),
        sections,
        rereview: d
            .rereview
            .iter()
            .map(|r| {
                let a = r.assessment;
                (
                    format!("/requirements/{}#{}", a.requirement, a.jurisdiction),
                    format!("{} · {} ({} @ {})", a.jurisdiction, a.requirement, status_label(&tr, a.status), a.version),
                )
            })
            .collect(),
        to_assess: d
            .to_assess
            .iter()
            .map(|(j, r)| (format!("/requirements/{}#{j}", r.id), format!("{j} · {}", r.id)))
            .collect(),
        c: Chrome::new(&state, &ctx, "diff"),
    };
    render(&page)
}
