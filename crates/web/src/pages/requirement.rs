//! A requirement with its EU provisions and the three countries side by side.

use super::*;

pub(super) struct ProvView {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) heading: String,
    pub(crate) summary: String,
    pub(crate) official: String,
    pub(crate) official_lang: String,
    pub(crate) unverified: bool,
}

pub(super) fn prov_view(corpus: &Corpus, r: &law::ProvisionRef) -> ProvView {
    let found = corpus.provision(r);
    let (official_lang, official) = found
        .and_then(|(_, p)| p.text.iter().next())
        .map_or((String::new(), String::new()), |(l, t)| (l.clone(), t.clone()));
    ProvView {
        href: format!("/instruments/{}/{}#{}", r.instrument, r.version, r.eid),
        label: format!("{} {}", found.map_or(r.instrument.as_str(), |(i, _)| i.short.as_str()), law::eid_label(&r.eid)),
        heading: found.and_then(|(_, p)| p.heading.clone()).unwrap_or_default(),
        summary: found.map_or_else(|| r.to_string(), |(_, p)| p.summary.clone()),
        official,
        official_lang,
        unverified: found.is_some_and(|(_, p)| p.confidence == Confidence::Unverified),
    }
}

pub(super) struct JCol {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) class: &'static str,
    pub(crate) status: String,
    pub(crate) stale: bool,
    pub(crate) stale_note: String,
    pub(crate) unverified: bool,
    pub(crate) present: bool,
    pub(crate) evidence: Vec<ProvView>,
    pub(crate) rationale: String,
    pub(crate) recommendation: String,
    pub(crate) sources: Vec<(String, bool)>,
    pub(crate) assessed: String,
    pub(crate) history_href: String,
    pub(crate) propose_href: String,
}

#[derive(Template)]
#[template(path = "requirement.html")]
pub(super) struct RequirementPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) id: String,
    pub(crate) statement: String,
    pub(crate) view_label: String,
    pub(crate) topic: String,
    pub(crate) addressees: String,
    pub(crate) deadlines: Vec<String>,
    pub(crate) weight: String,
    pub(crate) unverified: bool,
    pub(crate) derived: Vec<ProvView>,
    pub(crate) changes: Vec<String>,
    pub(crate) cols: Vec<JCol>,
}

pub(super) async fn requirement(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath(id): PagePath<String>,
    PageQuery(q): PageQuery<VersionQuery>,
) -> Response {
    let snap = state.snapshot();
    let corpus = &snap.corpus;
    let tr = ctx.tr(&state);
    let v = match api::view(corpus, q.version.as_deref()) {
        Ok(v) => v,
        Err(e) => return api_error_page(&state, &ctx, e),
    };
    let s = match api::requirement_in_view(corpus, &v, &id) {
        Ok(s) => s,
        Err(e) => return api_error_page(&state, &ctx, e),
    };
    let can_propose = ctx.role().is_some_and(Role::can_propose);
    let cols = corpus
        .assessed_jurisdictions()
        .iter()
        .map(|j| {
            let cell = score::cell(corpus, &j.id, &s);
            let a = cell.assessment;
            let version =
                if cell.stale { s.version.to_string() } else { a.map_or(s.version.to_string(), |a| a.version.clone()) };
            let meta = a.and_then(|a| snap.meta.get(&api::key_of(a)));
            JCol {
                id: j.id.clone(),
                name: j.name(tr.tag()).to_string(),
                class: status_class(if cell.stale { Status::NotAssessed } else { cell.shown_status() }),
                status: status_label(&tr, cell.shown_status()),
                stale: cell.stale,
                stale_note: if cell.stale {
                    tr.t1("assessment-stale", "version", a.map_or("", |a| a.version.as_str()))
                } else {
                    String::new()
                },
                unverified: cell.unverified && a.is_some_and(|a| a.status.is_substantive()),
                present: a.is_some_and(|a| a.status.is_substantive() || !a.rationale.is_empty()),
                evidence: a.map_or_else(Vec::new, |a| a.evidence.iter().map(|e| prov_view(corpus, e)).collect()),
                rationale: a.map_or_else(String::new, |a| a.rationale.clone()),
                recommendation: a.map_or_else(String::new, |a| a.recommendation.clone()),
                sources: a.map_or_else(Vec::new, |a| a.sources.iter().map(|s| source_link(s)).collect()),
                assessed: format!(
                    "{}{}{}",
                    a.and_then(|a| a.assessed.clone()).unwrap_or_default(),
                    a.and_then(|a| a.assessor.as_ref()).map_or(String::new(), |w| format!(" — {w}")),
                    meta.map_or(String::new(), |m| format!(
                        " · {}",
                        tr.tn("assessment-revision", "n", m.0.max(0) as usize)
                    ))
                ),
                history_href: format!(
                    "/assessments/{}/{}/{}/history",
                    j.id,
                    s.requirement.id,
                    a.map_or(s.version, |a| a.version.as_str())
                ),
                propose_href: if can_propose {
                    format!("/assessments/{}/{}/{version}/propose", j.id, s.requirement.id)
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let changes = s
        .requirement
        .changes
        .iter()
        .map(|ch| {
            let mark = if ch.confidence == Confidence::Unverified {
                format!(" ({})", tr.t("unverified"))
            } else {
                String::new()
            };
            format!("{} — {}: {}{mark}", ch.version, ch.kind, ch.note.clone().unwrap_or_default())
        })
        .collect();
    let page = RequirementPage {
        id: s.requirement.id.clone(),
        statement: s.state.statement.clone(),
        view_label: format!("{}@{}", s.requirement.instrument, s.version),
        topic: tr.t(&format!("topic-{}", s.state.topic.as_str())),
        addressees: s
            .state
            .addressees
            .iter()
            .map(|a| tr.t(&format!("addressee-{}", a.as_str())))
            .collect::<Vec<_>>()
            .join(", "),
        deadlines: s.state.deadlines.iter().map(ToString::to_string).collect(),
        weight: format!("{}", s.state.weight),
        unverified: s.unverified,
        derived: s.state.derived_from.iter().map(|r| prov_view(corpus, r)).collect(),
        changes,
        cols,
        c: Chrome::new(&state, &ctx, "matrix"),
    };
    render(&page)
}
