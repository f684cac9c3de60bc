//! The regional matrix (`/`): requirements by topic × countries.

use super::*;

pub(super) struct Col {
    pub(crate) name: String,
    pub(crate) href: String,
    pub(crate) score: String,
}

pub(super) struct CellView {
    pub(crate) class: &'static str,
    pub(crate) label: String,
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) unverified: bool,
    pub(crate) stale: bool,
}

pub(super) struct Row {
    pub(crate) id: String,
    pub(crate) href: String,
    pub(crate) statement: String,
    pub(crate) unverified: bool,
    pub(crate) cells: Vec<CellView>,
}

pub(super) struct Group {
    pub(crate) title: String,
    pub(crate) rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "shell.html")]
pub(super) struct ShellPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) title: String,
    pub(crate) body: std::sync::Arc<str>,
}

#[derive(Template)]
#[template(path = "matrix_body.html")]
pub(super) struct MatrixBody<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) view_label: String,
    pub(crate) topics: Vec<Opt>,
    pub(crate) addressees: Vec<Opt>,
    pub(crate) statuses: Vec<Opt>,
    pub(crate) versions: Vec<Opt>,
    pub(crate) legend: Vec<(&'static str, String)>,
    pub(crate) shown: String,
    pub(crate) csv_href: String,
    pub(crate) json_href: String,
    pub(crate) cols: Vec<Col>,
    pub(crate) groups: Vec<Group>,
}

pub(super) async fn matrix(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<MatrixQuery>) -> Response {
    let snap = state.snapshot();
    let key = format!(
        "page:/:{}:{}|{}|{}|{}",
        ctx.lang,
        q.version.as_deref().unwrap_or(""),
        q.topic.as_deref().unwrap_or(""),
        q.addressee.as_deref().unwrap_or(""),
        q.status.as_deref().unwrap_or("")
    );
    let body = state.cache.get_or_render(snap.data_version, &key, || matrix_body(&state, &ctx, &snap.corpus, &q));
    match body {
        Ok(body) => {
            let c = Chrome::new(&state, &ctx, "matrix");
            let title = c.t("matrix-title");
            render(&ShellPage { c, title, body })
        }
        Err(e) => api_error_page(&state, &ctx, e),
    }
}

/// The matrix page's main content (identical for every user of a language).
pub(super) fn matrix_body(state: &AppState, ctx: &Ctx, corpus: &Corpus, q: &MatrixQuery) -> Result<String, ApiError> {
    let tr = ctx.tr(state);
    let v = api::view(corpus, q.version.as_deref())?;
    let rows = api::matrix_rows(corpus, &v, q)?;
    let js = corpus.assessed_jurisdictions();
    let all = score::in_scope(corpus, &v);
    let version_q = q.version.clone().filter(|s| !s.is_empty());
    let vq = version_q.as_deref().map_or(String::new(), |v| format!("?version={}", url_encode(v)));
    // The downloads carry every filter, so they hold what the page shows.
    let filters: Vec<String> =
        [("version", &q.version), ("topic", &q.topic), ("addressee", &q.addressee), ("status", &q.status)]
            .into_iter()
            .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", url_encode(v))))
            .collect();
    let fq = if filters.is_empty() { String::new() } else { format!("?{}", filters.join("&")) };
    let cols = js
        .iter()
        .map(|j| Col {
            name: j.name(tr.tag()).to_string(),
            href: format!("/jurisdictions/{}{vq}", j.id),
            score: score_label(&tr, &score::scores(corpus, &j.id, &all).overall),
        })
        .collect();
    // Five labels, looked up once rather than once per cell.
    let labels: Vec<(Status, String)> = Status::ALL.iter().map(|s| (*s, status_label(&tr, *s))).collect();
    let label = |s: Status| labels.iter().find(|(k, _)| *k == s).map_or(String::new(), |(_, l)| l.clone());
    let mut groups: Vec<Group> = Vec::new();
    for s in &rows {
        let title = tr.t(&format!("topic-{}", s.state.topic.as_str()));
        if groups.last().is_none_or(|g| g.title != title) {
            groups.push(Group { title, rows: Vec::new() });
        }
        let href = format!("/requirements/{}{vq}", s.requirement.id);
        let cells = js
            .iter()
            .map(|j| {
                let cell = score::cell(corpus, &j.id, s);
                let shown = cell.shown_status();
                CellView {
                    class: status_class(if cell.stale { Status::NotAssessed } else { shown }),
                    label: label(shown),
                    href: format!("{href}#{}", j.id),
                    title: format!("{} — {}", j.name(tr.tag()), s.requirement.id),
                    unverified: cell.unverified && cell.assessment.is_some_and(|a| a.status.is_substantive()),
                    stale: cell.stale,
                }
            })
            .collect();
        if let Some(g) = groups.last_mut() {
            g.rows.push(Row {
                id: s.requirement.id.clone(),
                href,
                statement: s.state.statement.clone(),
                unverified: s.unverified,
                cells,
            });
        }
    }
    let sel = |a: &Option<String>, v: &str| a.as_deref() == Some(v);
    let body = MatrixBody {
        view_label: view_label(corpus, &tr, &v),
        topics: Topic::ALL
            .iter()
            .map(|t| Opt {
                value: t.as_str().into(),
                label: tr.t(&format!("topic-{}", t.as_str())),
                selected: sel(&q.topic, t.as_str()),
            })
            .collect(),
        addressees: law::Addressee::ALL
            .iter()
            .map(|a| Opt {
                value: a.as_str().into(),
                label: tr.t(&format!("addressee-{}", a.as_str())),
                selected: sel(&q.addressee, a.as_str()),
            })
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| Opt { value: s.as_str().into(), label: label(*s), selected: sel(&q.status, s.as_str()) })
            .collect(),
        versions: version_options(corpus, &v),
        legend: Status::ALL.iter().map(|s| (status_class(*s), label(*s))).collect(),
        shown: tr.tn("matrix-shown", "n", rows.len()),
        csv_href: format!("/api/v1/matrix.csv{fq}"),
        json_href: format!("/api/v1/matrix{fq}"),
        cols,
        groups,
        c: Chrome::new(state, ctx, "matrix"),
    };
    body.render().map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("template: {e}")))
}
