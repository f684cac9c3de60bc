//! A country: index, coverage, topic bars, gaps; and its full report.

use super::*;

pub(super) struct Bar {
    pub(crate) y: usize,
    pub(crate) label: String,
    pub(crate) width: String,
    pub(crate) value: String,
    pub(crate) index: String,
    pub(crate) coverage: String,
}

pub(super) struct GapView {
    pub(crate) id: String,
    pub(crate) class: &'static str,
    pub(crate) status: String,
    pub(crate) unverified: bool,
    pub(crate) stale: bool,
    pub(crate) statement: String,
    pub(crate) evidence: Vec<String>,
    pub(crate) rationale: String,
    pub(crate) recommendation: String,
    pub(crate) sources: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "jurisdiction.html")]
pub(super) struct JurisdictionPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) view_label: String,
    pub(crate) index: String,
    pub(crate) coverage: String,
    pub(crate) counts: String,
    pub(crate) bars: Vec<Bar>,
    pub(crate) bars_height: usize,
    pub(crate) gaps: Vec<GapView>,
}

pub(super) fn provision_text(corpus: &Corpus, r: &law::ProvisionRef) -> String {
    match corpus.provision(r) {
        Some((i, p)) => format!("{} {} — {}", i.short, law::eid_label(&r.eid), p.summary),
        None => r.to_string(),
    }
}

#[derive(Deserialize)]
pub(super) struct VersionQuery {
    pub(crate) version: Option<String>,
}

pub(super) async fn jurisdiction(
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
    if !corpus.assessed_jurisdictions().iter().any(|j| j.id == id) {
        return api_error_page(&state, &ctx, ApiError::not_found(format!("jurisdiction '{id}'")));
    }
    let scope = score::in_scope(corpus, &v);
    let scores = score::scores(corpus, &id, &scope);
    let o = &scores.overall;
    let count = |s: Status| o.counts.get(&s).copied().unwrap_or(0);
    let mut args = fluent_bundle::FluentArgs::new();
    for (k, s) in [
        ("full", Status::Full),
        ("partial", Status::Partial),
        ("none", Status::None),
        ("na", Status::NotApplicable),
        ("pending", Status::NotAssessed),
    ] {
        args.set(k, count(s));
    }
    let bars: Vec<Bar> = scores
        .by_topic
        .iter()
        .enumerate()
        .map(|(i, (topic, s))| Bar {
            y: i * 24,
            label: tr.t(&format!("topic-{}", topic.as_str())),
            width: format!("{:.1}", 3.0 * s.index.unwrap_or(0.0)),
            value: s.index.map_or("–".into(), |x| format!("{x:.0}")),
            index: s.index.map_or("–".into(), |x| format!("{x:.1}")),
            coverage: format!("{:.0}%", s.coverage),
        })
        .collect();
    let gaps = law::render::gaps(corpus, &v, &id, None)
        .iter()
        .map(|g| GapView {
            id: g.scope.requirement.id.clone(),
            class: status_class(g.assessment.status),
            status: status_label(&tr, g.assessment.status),
            unverified: g.cell.unverified,
            stale: g.cell.stale,
            statement: g.scope.state.statement.clone(),
            evidence: g.assessment.evidence.iter().map(|e| provision_text(corpus, e)).collect(),
            rationale: g.assessment.rationale.clone(),
            recommendation: g.assessment.recommendation.clone(),
            sources: g.assessment.sources.iter().map(|s| source_link(s)).collect(),
        })
        .collect();
    let page = JurisdictionPage {
        title: tr.t1("jurisdiction-title", "name", jurisdiction_name(corpus, &tr, &id)),
        view_label: view_label(corpus, &tr, &v),
        index: o.index.map_or("–".into(), |i| format!("{i:.1}")),
        coverage: format!("{:.0}%", o.coverage),
        counts: tr.i18n.get(tr.lang, "jurisdiction-counts", Some(&args)),
        bars_height: bars.len() * 24 + 4,
        bars,
        gaps,
        id,
        c: Chrome::new(&state, &ctx, "matrix"),
    };
    render(&page)
}

pub(super) async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath(id): PagePath<String>,
    PageQuery(q): PageQuery<VersionQuery>,
) -> Response {
    let snap = state.snapshot();
    let v = match api::view(&snap.corpus, q.version.as_deref()) {
        Ok(v) => v,
        Err(e) => return api_error_page(&state, &ctx, e),
    };
    if !snap.corpus.assessed_jurisdictions().iter().any(|j| j.id == id) {
        return api_error_page(&state, &ctx, ApiError::not_found(format!("jurisdiction '{id}'")));
    }
    let csp = [(axum::http::header::CONTENT_SECURITY_POLICY, crate::headers::REPORT_CSP.clone())];
    (csp, Html(law::render::report_html(&snap.corpus, &v, &id))).into_response()
}
