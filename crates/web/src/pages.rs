//! Server-rendered HTML pages. Every page works without JavaScript; forms carry a CSRF token.

use askama::Template;
use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, Path, Request, State},
    http::{StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use law::{
    Confidence, Corpus, Status, Topic,
    score::{self, View},
};
use serde::Deserialize;
use store::{Role, User};

use crate::{
    Ctx,
    api::{self, ApiError, MatrixQuery, ProposalIn},
    auth,
    i18n::{Lang, Tr},
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(matrix))
        .route("/jurisdictions/{id}", get(jurisdiction))
        .route("/jurisdictions/{id}/report", get(report))
        .route("/requirements/{id}", get(requirement))
        .route("/instruments", get(instruments))
        .route("/instruments/{id}/{version}", get(instrument))
        .route("/diff", get(diff))
        .route("/search", get(search))
        .route("/changes", get(changes))
        .route("/assessments/{j}/{r}/{v}/history", get(history))
        .route("/assessments/{j}/{r}/{v}/propose", get(propose_form).post(propose))
        .route("/proposals", get(proposals))
        .route("/proposals/{id}", get(proposal))
        .route("/proposals/{id}/decide", post(decide))
        .route("/proposals/{id}/withdraw", post(withdraw))
        .route("/admin/users", get(users).post(add_user))
}

/// The frame every page shares: language, account, navigation.
pub struct Chrome<'a> {
    pub tr: Tr<'a>,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    pub nav: &'static str,
    pub langs: Vec<(&'static str, &'static str, bool)>,
    pub flash: String,
}

impl<'a> Chrome<'a> {
    pub fn new(state: &'a AppState, ctx: &Ctx, nav: &'static str) -> Chrome<'a> {
        Chrome {
            tr: ctx.tr(state),
            user: ctx.user().cloned(),
            csrf: ctx.csrf().to_string(),
            path: ctx.path.clone(),
            nav,
            langs: Lang::ALL.iter().map(|l| (l.tag(), l.native_name(), *l == ctx.lang)).collect(),
            flash: String::new(),
        }
    }

    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.tr.t1(id, name, value)
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.can_admin())
    }

    pub fn role_key(&self) -> &'static str {
        match self.user.as_ref().map_or(Role::Viewer, |u| u.role) {
            Role::Viewer => "role-viewer",
            Role::Editor => "role-editor",
            Role::Reviewer => "role-reviewer",
            Role::Admin => "role-admin",
        }
    }

    pub fn english_content_notice(&self) -> bool {
        !self.tr.lang.is_content_language()
    }

    pub fn path_encoded(&self) -> String {
        url_encode(&self.path)
    }
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Only same-site relative paths are followed after login or a language switch.
fn safe_next(next: Option<&str>) -> String {
    match next {
        // No control characters either: browsers drop tabs and newlines, so "/\t/evil.example"
        // would become "//evil.example", another site.
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome<'a>,
    message: String,
}

/// An HTML error page in the user's language.
pub fn error_page(state: &AppState, ctx: &Ctx, status: StatusCode, message: String) -> Response {
    let mut r = render(&ErrorPage { c: Chrome::new(state, ctx, ""), message });
    *r.status_mut() = status;
    r
}

fn api_error_page(state: &AppState, ctx: &Ctx, e: ApiError) -> Response {
    let tr = ctx.tr(state);
    let message = match e.status {
        StatusCode::NOT_FOUND => format!("{} ({})", tr.t("error-not-found"), e.message),
        StatusCode::FORBIDDEN => tr.t("error-forbidden"),
        StatusCode::UNAUTHORIZED => tr.t("error-login-required"),
        _ => e.message,
    };
    error_page(state, ctx, e.status, message)
}

// ── Extractors whose rejections are error pages ───────────────────────────────────
//
// axum's own `Path`, `Query` and `Form` answer a malformed request with a plain-text line; a page
// answers with a page in the visitor's language that says what was wrong.

async fn rejection_page(parts: &mut Parts, state: &AppState, status: StatusCode, message: String) -> Response {
    let ctx = match Ctx::from_request_parts(parts, state).await {
        Ok(ctx) => ctx,
        Err(never) => match never {},
    };
    error_page(state, &ctx, status, message)
}

/// Path parameters; a malformed one (`/proposals/abc`) is a "not found" page.
pub struct PagePath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PagePath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let message = match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => return Ok(PagePath(v)),
            Err(e) => e.body_text(),
        };
        Err(rejection_page(parts, state, StatusCode::NOT_FOUND, message).await)
    }
}

/// Query parameters; a malformed query string is a 400 page naming the parameter.
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let message = match api::parse_query(parts.uri.query().unwrap_or("")) {
            Ok(v) => return Ok(PageQuery(v)),
            Err(e) => e.message,
        };
        Err(rejection_page(parts, state, StatusCode::BAD_REQUEST, message).await)
    }
}

/// An `application/x-www-form-urlencoded` body; a missing or malformed field is a 422 page naming it.
pub struct PageForm<T>(pub T);

/// Forms are small; this is axum's default body limit.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

impl<T: serde::de::DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(e) => {
                let (status, message) = body_error(&e, FORM_LIMIT);
                return Err(rejection_page(&mut parts, state, status, message).await);
            }
        };
        if let Err(message) = check_form_utf8(&bytes) {
            return Err(rejection_page(&mut parts, state, StatusCode::UNPROCESSABLE_ENTITY, message).await);
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
        let message = match serde_path_to_error::deserialize(de) {
            Ok(v) => return Ok(PageForm(v)),
            Err(e) => match e.path().to_string().as_str() {
                "." => format!("the form is incomplete or malformed: {}", e.inner()),
                field => format!("form field {field}: {}", e.inner()),
            },
        };
        Err(rejection_page(&mut parts, state, StatusCode::UNPROCESSABLE_ENTITY, message).await)
    }
}

/// Why a request body could not be read: too large, or it stalled (the listener's body timeout).
fn body_error(e: &axum::Error, limit: usize) -> (StatusCode, String) {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<tower_http::timeout::TimeoutError>() {
            return (StatusCode::REQUEST_TIMEOUT, "the request body stopped arriving; please send it again".into());
        }
        source = s.source();
    }
    (StatusCode::PAYLOAD_TOO_LARGE, format!("the form is larger than {} MiB", limit >> 20))
}

/// A form field whose bytes (after percent-decoding) are not UTF-8 is refused, naming the field,
/// as a JSON body would be: decoding it lossily would store U+FFFD in place of what was typed.
fn check_form_utf8(body: &[u8]) -> Result<(), String> {
    let decode = |part: &[u8]| -> Option<String> {
        let plus_as_space: Vec<u8> = part.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
        let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
        String::from_utf8(bytes).ok()
    };
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let Some(name) = decode(name) else {
            return Err("the form has a field name that is not valid UTF-8".into());
        };
        if decode(value).is_none() {
            return Err(format!("form field {name}: not valid UTF-8 text (send the form as UTF-8)"));
        }
    }
    Ok(())
}

pub async fn not_found(State(state): State<AppState>, ctx: Ctx) -> Response {
    let message = ctx.tr(&state).t("error-not-found");
    error_page(&state, &ctx, StatusCode::NOT_FOUND, message)
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Full => "s-full",
        Status::Partial => "s-partial",
        Status::None => "s-none",
        Status::NotApplicable => "s-na",
        Status::NotAssessed => "s-pending",
    }
}

fn status_label(tr: &Tr<'_>, s: Status) -> String {
    tr.t(&format!("status-{}", s.as_str()))
}

fn score_label(tr: &Tr<'_>, s: &score::Score) -> String {
    match s.index {
        Some(i) => tr.i18n.get(
            tr.lang,
            "score-coverage",
            Some(&{
                let mut a = fluent_bundle::FluentArgs::new();
                a.set("score", format!("{i:.1}"));
                a.set("coverage", format!("{:.0}", s.coverage));
                a
            }),
        ),
        None => tr.t("score-none"),
    }
}

fn jurisdiction_name(corpus: &Corpus, tr: &Tr<'_>, id: &str) -> String {
    corpus.jurisdiction(id).map_or(id.to_string(), |j| j.name(tr.tag()).to_string())
}

fn version_options(corpus: &Corpus, view: &View) -> Vec<Opt> {
    let mut out = Vec::new();
    for instrument in corpus.requirement_instruments() {
        let versions = corpus.versions(instrument);
        if versions.len() < 2 {
            continue;
        }
        let chosen = view.version(corpus, instrument);
        for v in versions {
            let short = corpus.instrument(instrument, v).map_or(v.clone(), |i| i.short.clone());
            out.push(Opt {
                value: format!("{instrument}@{v}"),
                label: format!("{short} ({instrument}@{v})"),
                selected: chosen == Some(v.as_str()),
            });
        }
    }
    out
}

fn view_label(corpus: &Corpus, tr: &Tr<'_>, view: &View) -> String {
    tr.t1("view-version", "version", view.describe(corpus).join(", "))
}

fn source_link(s: &str) -> (String, bool) {
    let is_url = (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace);
    (s.to_string(), is_url)
}

// ── Matrix ─────────────────────────────────────────────────────────────────────

struct Col {
    name: String,
    href: String,
    score: String,
}

struct CellView {
    class: &'static str,
    label: String,
    href: String,
    title: String,
    unverified: bool,
    stale: bool,
}

struct Row {
    id: String,
    href: String,
    statement: String,
    unverified: bool,
    cells: Vec<CellView>,
}

struct Group {
    title: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "shell.html")]
struct ShellPage<'a> {
    c: Chrome<'a>,
    title: String,
    body: std::sync::Arc<str>,
}

#[derive(Template)]
#[template(path = "matrix_body.html")]
struct MatrixBody<'a> {
    c: Chrome<'a>,
    view_label: String,
    topics: Vec<Opt>,
    addressees: Vec<Opt>,
    statuses: Vec<Opt>,
    versions: Vec<Opt>,
    legend: Vec<(&'static str, String)>,
    shown: String,
    csv_href: String,
    json_href: String,
    cols: Vec<Col>,
    groups: Vec<Group>,
}

async fn matrix(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<MatrixQuery>) -> Response {
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
fn matrix_body(state: &AppState, ctx: &Ctx, corpus: &Corpus, q: &MatrixQuery) -> Result<String, ApiError> {
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

// ── Jurisdiction ───────────────────────────────────────────────────────────────

struct Bar {
    y: usize,
    label: String,
    width: String,
    value: String,
    index: String,
    coverage: String,
}

struct GapView {
    id: String,
    class: &'static str,
    status: String,
    unverified: bool,
    stale: bool,
    statement: String,
    evidence: Vec<String>,
    rationale: String,
    recommendation: String,
    sources: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "jurisdiction.html")]
struct JurisdictionPage<'a> {
    c: Chrome<'a>,
    id: String,
    title: String,
    view_label: String,
    index: String,
    coverage: String,
    counts: String,
    bars: Vec<Bar>,
    bars_height: usize,
    gaps: Vec<GapView>,
}

fn provision_text(corpus: &Corpus, r: &law::ProvisionRef) -> String {
    match corpus.provision(r) {
        Some((i, p)) => format!("{} {} — {}", i.short, law::eid_label(&r.eid), p.summary),
        None => r.to_string(),
    }
}

#[derive(Deserialize)]
struct VersionQuery {
    version: Option<String>,
}

async fn jurisdiction(
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

async fn report(
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

// ── Requirement ────────────────────────────────────────────────────────────────

struct ProvView {
    href: String,
    label: String,
    heading: String,
    summary: String,
    official: String,
    official_lang: String,
    unverified: bool,
}

fn prov_view(corpus: &Corpus, r: &law::ProvisionRef) -> ProvView {
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

struct JCol {
    id: String,
    name: String,
    class: &'static str,
    status: String,
    stale: bool,
    stale_note: String,
    unverified: bool,
    present: bool,
    evidence: Vec<ProvView>,
    rationale: String,
    recommendation: String,
    sources: Vec<(String, bool)>,
    assessed: String,
    history_href: String,
    propose_href: String,
}

#[derive(Template)]
#[template(path = "requirement.html")]
struct RequirementPage<'a> {
    c: Chrome<'a>,
    id: String,
    statement: String,
    view_label: String,
    topic: String,
    addressees: String,
    deadlines: Vec<String>,
    weight: String,
    unverified: bool,
    derived: Vec<ProvView>,
    changes: Vec<String>,
    cols: Vec<JCol>,
}

async fn requirement(
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

// ── Instruments ────────────────────────────────────────────────────────────────

struct InstrumentItem {
    href: String,
    title: String,
    key: String,
    stage: String,
    date: String,
    count: usize,
    unverified: bool,
}

#[derive(Template)]
#[template(path = "instruments.html")]
struct InstrumentsPage<'a> {
    c: Chrome<'a>,
    items: Vec<InstrumentItem>,
}

async fn instruments(State(state): State<AppState>, ctx: Ctx) -> Response {
    let snap = state.snapshot();
    let items = snap
        .corpus
        .instruments
        .iter()
        .map(|i| InstrumentItem {
            href: format!("/instruments/{}/{}", i.id, i.version),
            title: i.title().to_string(),
            key: i.key(),
            stage: i.stage.to_string().replace('_', " "),
            date: i.date.clone().unwrap_or_default(),
            count: i.provisions.len(),
            unverified: i.confidence == Confidence::Unverified,
        })
        .collect();
    render(&InstrumentsPage { c: Chrome::new(&state, &ctx, "instruments"), items })
}

struct ProvisionItem {
    eid: String,
    depth: usize,
    label: String,
    heading: String,
    summary: String,
    official: String,
    official_lang: String,
    unverified: bool,
}

#[derive(Template)]
#[template(path = "instrument.html")]
struct InstrumentPage<'a> {
    c: Chrome<'a>,
    title: String,
    original_title: String,
    original_lang: String,
    unverified: bool,
    stage: String,
    date: String,
    identifiers: Vec<String>,
    source: String,
    note: String,
    provisions: Vec<ProvisionItem>,
}

async fn instrument(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((id, version)): PagePath<(String, String)>,
) -> Response {
    let snap = state.snapshot();
    let Some(i) = snap.corpus.instrument(&id, &version) else {
        return api_error_page(&state, &ctx, ApiError::not_found(format!("instrument '{id}@{version}'")));
    };
    let (original_lang, original_title) = i
        .title
        .iter()
        .find(|(l, _)| l.as_str() != "en")
        .map_or((String::new(), String::new()), |(l, t)| (l.clone(), t.clone()));
    let mut identifiers = vec![i.key()];
    identifiers.extend(i.celex.as_ref().map(|c| format!("CELEX {c}")));
    identifiers.extend(i.eli.clone());
    identifiers.extend(i.gazette.clone());
    let provisions = i
        .provisions
        .iter()
        .map(|p| {
            let (official_lang, official) =
                p.text.iter().next().map_or((String::new(), String::new()), |(l, t)| (l.clone(), t.clone()));
            ProvisionItem {
                eid: p.eid.clone(),
                depth: p.eid.matches("__").count(),
                label: law::eid_label(&p.eid),
                heading: p.heading.clone().unwrap_or_default(),
                summary: p.summary.clone(),
                official,
                official_lang,
                unverified: p.confidence == Confidence::Unverified,
            }
        })
        .collect();
    let page = InstrumentPage {
        title: i.title().to_string(),
        original_title,
        original_lang,
        unverified: i.confidence == Confidence::Unverified,
        stage: i.stage.to_string().replace('_', " "),
        date: i.date.clone().unwrap_or_default(),
        identifiers,
        source: i.source.clone().unwrap_or_default(),
        note: i.note.clone().unwrap_or_default(),
        provisions,
        c: Chrome::new(&state, &ctx, "instruments"),
    };
    render(&page)
}

// ── Diff ───────────────────────────────────────────────────────────────────────

struct DiffEntryView {
    id: String,
    fields: String,
    unverified: bool,
    before: String,
    after: String,
    notes: Vec<String>,
}

struct DiffSection {
    title: String,
    class: &'static str,
    entries: Vec<DiffEntryView>,
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage<'a> {
    c: Chrome<'a>,
    froms: Vec<Opt>,
    tos: Vec<Opt>,
    summary: String,
    sections: Vec<DiffSection>,
    rereview: Vec<(String, String)>,
    to_assess: Vec<(String, String)>,
}

async fn diff(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<api::DiffQuery>) -> Response {
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

// ── Search ─────────────────────────────────────────────────────────────────────

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    c: Chrome<'a>,
    q: String,
    summary: String,
    hits: Vec<api::HitOut>,
}

async fn search(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<api::SearchQuery>) -> Response {
    let tr = ctx.tr(&state);
    let hits = match api::run_search(&state, &q) {
        Ok(h) => h,
        Err(e) => return api_error_page(&state, &ctx, e),
    };
    let text = q.q.clone().unwrap_or_default();
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("n", hits.len());
    args.set("q", text.clone());
    let summary = tr.i18n.get(tr.lang, if hits.is_empty() { "search-none" } else { "search-results" }, Some(&args));
    render(&SearchPage { c: Chrome::new(&state, &ctx, "search"), q: text, summary, hits })
}

// ── Changes and history ────────────────────────────────────────────────────────

struct EventView {
    at: String,
    kind: String,
    href: String,
    what: String,
    who: String,
    link: String,
    link_label: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage<'a> {
    c: Chrome<'a>,
    title: String,
    events: Vec<EventView>,
}

/// `2026-11-29 14:03 UTC`
fn when(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let day = store::civil_date(micros);
    let tod = secs.rem_euclid(86_400);
    format!("{day} {:02}:{:02} UTC", tod / 3600, (tod % 3600) / 60)
}

async fn changes(State(state): State<AppState>, ctx: Ctx) -> Response {
    let tr = ctx.tr(&state);
    let events = match state.store.recent_changes(100).await {
        Ok(e) => e,
        Err(e) => return api_error_page(&state, &ctx, e.into()),
    };
    let logged_in = ctx.user().is_some();
    let events = events
        .into_iter()
        .map(|e| EventView {
            at: when(e.at),
            kind: tr.t(&format!("event-{}", e.kind)),
            href: format!("/requirements/{}#{}", e.key.requirement, e.key.jurisdiction),
            what: format!("{} · {}", e.key.jurisdiction, e.key.requirement),
            who: e.who,
            link: if logged_in {
                e.proposal_id.map_or(String::new(), |id| format!("/proposals/{id}"))
            } else {
                String::new()
            },
            link_label: e.proposal_id.map_or(String::new(), |id| format!("#{id}")),
            summary: e.summary,
        })
        .collect();
    render(&ChangesPage { title: tr.t("changes-title"), events, c: Chrome::new(&state, &ctx, "changes") })
}

async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((j, r, v)): PagePath<(String, String, String)>,
) -> Response {
    let tr = ctx.tr(&state);
    let key = store::Key { jurisdiction: j.clone(), requirement: r.clone(), version: v };
    let entries = match state.store.history(&key).await {
        Ok(e) => e,
        Err(e) => return api_error_page(&state, &ctx, e.into()),
    };
    if entries.is_empty() {
        return api_error_page(&state, &ctx, ApiError::not_found(format!("assessment {j}/{r}")));
    }
    let snap = state.snapshot();
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("requirement", r.clone());
    args.set("jurisdiction", jurisdiction_name(&snap.corpus, &tr, &j));
    let logged_in = ctx.user().is_some();
    let events = entries
        .into_iter()
        .map(|h| EventView {
            at: when(h.changed_at),
            kind: format!(
                "{} · {}",
                tr.tn("assessment-revision", "n", h.revision.max(0) as usize),
                status_label(&tr, h.data.status)
            ),
            href: format!("/requirements/{r}#{j}"),
            what: h.comment,
            who: tr.t1("history-by", "who", &h.changed_by),
            link: if logged_in {
                h.proposal_id.map_or(String::new(), |id| format!("/proposals/{id}"))
            } else {
                String::new()
            },
            link_label: h.proposal_id.map_or(String::new(), |id| format!("#{id}")),
            summary: h.data.rationale,
        })
        .collect();
    render(&ChangesPage {
        title: tr.i18n.get(tr.lang, "history-title", Some(&args)),
        events,
        c: Chrome::new(&state, &ctx, "changes"),
    })
}

// ── Language and login ─────────────────────────────────────────────────────────

#[derive(Deserialize)]
pub struct LangQuery {
    set: Option<String>,
    next: Option<String>,
}

/// Remembers the chosen language in a cookie (a year) and goes back.
pub async fn set_lang(State(state): State<AppState>, PageQuery(q): PageQuery<LangQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    match q.set.as_deref().and_then(Lang::parse) {
        Some(lang) => {
            let cookie = state.cookies.set(
                auth::LANG_COOKIE,
                lang.tag(),
                Some(std::time::Duration::from_secs(365 * 86_400)),
                false,
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        None => Redirect::to(&next).into_response(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    c: Chrome<'a>,
    error: String,
    next: String,
    username: String,
    pre_csrf: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    error: String,
    next: String,
    username: String,
) -> Response {
    // Keep the double-submit token across retries (several tabs, a wrong password).
    let pre = auth::cookie(&ctx.headers, auth::PRE_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(auth::random_token, str::to_string);
    let cookie = state.cookies.set(auth::PRE_CSRF_COOKIE, &pre, Some(std::time::Duration::from_secs(3600)), true);
    let mut r = render(&LoginPage { c: Chrome::new(state, ctx, "login"), error, next, username, pre_csrf: pre });
    *r.status_mut() = status;
    if let Ok(v) = cookie.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_form(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<NextQuery>) -> Response {
    login_page(&state, &ctx, StatusCode::OK, String::new(), safe_next(q.next.as_deref()), String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: Option<String>,
    next: Option<String>,
}

pub async fn login(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<LoginForm>) -> Response {
    let tr = ctx.tr(&state);
    let next = safe_next(f.next.as_deref());
    let pre_ok = match (auth::cookie(&ctx.headers, auth::PRE_CSRF_COOKIE), f.csrf.as_deref()) {
        (Some(c), Some(t)) => auth::same_token(c, t),
        _ => false,
    };
    if !pre_ok {
        return login_page(&state, &ctx, StatusCode::FORBIDDEN, tr.t("error-csrf"), next, f.username);
    }
    match api::start_session(&state, &ctx, &f.username, &f.password).await {
        Ok((_, token, _)) => {
            let cookie = state.cookies.set(auth::SESSION_COOKIE, &token, Some(state.config.session_ttl), true);
            let mut r = Redirect::to(&next).into_response();
            for c in [cookie, state.cookies.clear(auth::PRE_CSRF_COOKIE)] {
                if let Ok(v) = c.parse() {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            r
        }
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            let minutes = e.message.split_whitespace().find_map(|w| w.parse::<u64>().ok()).unwrap_or(15);
            login_page(&state, &ctx, e.status, tr.tn("login-throttled", "minutes", minutes as usize), next, f.username)
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            login_page(&state, &ctx, e.status, tr.t("login-failed"), next, f.username)
        }
        Err(e) => api_error_page(&state, &ctx, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<CsrfForm>) -> Response {
    if ctx.session.is_some() && !ctx.csrf_ok(f.csrf.as_deref()) {
        let message = ctx.tr(&state).t("error-csrf");
        return error_page(&state, &ctx, StatusCode::FORBIDDEN, message);
    }
    if let Some(h) = &ctx.token_hash {
        if let Err(e) = state.store.delete_session(h).await {
            return api_error_page(&state, &ctx, e.into());
        }
    }
    ([(header::SET_COOKIE, state.cookies.clear(auth::SESSION_COOKIE))], Redirect::to("/")).into_response()
}

/// Page-side guard: redirects to the login page when not logged in.
#[allow(clippy::result_large_err)] // the error is the response to send, built once per request
fn page_require(state: &AppState, ctx: &Ctx, need: Role, csrf: Option<Option<&str>>) -> Result<User, Response> {
    let Some(user) = ctx.user() else {
        return Err(Redirect::to(&format!("/login?next={}", url_encode(&ctx.path))).into_response());
    };
    if let Some(token) = csrf {
        if !ctx.csrf_ok(token) {
            let message = ctx.tr(state).t("error-csrf");
            return Err(error_page(state, ctx, StatusCode::FORBIDDEN, message));
        }
    }
    if user.role < need {
        let message = ctx.tr(state).t("error-forbidden");
        return Err(error_page(state, ctx, StatusCode::FORBIDDEN, message));
    }
    Ok(user.clone())
}

// ── Proposing ──────────────────────────────────────────────────────────────────

#[derive(Template)]
#[template(path = "propose.html")]
struct ProposePage<'a> {
    c: Chrome<'a>,
    jurisdiction: String,
    jurisdiction_name: String,
    requirement: String,
    version: String,
    statement: String,
    statuses: Vec<Opt>,
    evidence: String,
    rationale: String,
    recommendation: String,
    sources: String,
    verified: bool,
    note: String,
    error: String,
    error_field: String,
}

#[derive(Deserialize, Default)]
pub struct ProposeForm {
    csrf: Option<String>,
    status: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    recommendation: String,
    #[serde(default)]
    sources: String,
    #[serde(default)]
    confidence: String,
    #[serde(default)]
    note: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn propose_page(
    state: &AppState,
    ctx: &Ctx,
    key: (&str, &str, &str),
    form: &ProposeForm,
    error: Option<&ApiError>,
) -> Response {
    let snap = state.snapshot();
    let tr = ctx.tr(state);
    let (j, r, v) = key;
    let statement = snap
        .corpus
        .requirement(r)
        .and_then(|req| req.state_at(v, snap.corpus.versions(&req.instrument)))
        .map_or(String::new(), |s| s.statement);
    let status = Status::parse(&form.status);
    let page = ProposePage {
        c: Chrome::new(state, ctx, ""),
        jurisdiction: j.into(),
        jurisdiction_name: jurisdiction_name(&snap.corpus, &tr, j),
        requirement: r.into(),
        version: v.into(),
        statement,
        statuses: Status::ALL
            .iter()
            .map(|s| Opt { value: s.as_str().into(), label: status_label(&tr, *s), selected: status == Some(*s) })
            .collect(),
        evidence: form.evidence.clone(),
        rationale: form.rationale.clone(),
        recommendation: form.recommendation.clone(),
        sources: form.sources.clone(),
        verified: form.confidence == "verified",
        note: form.note.clone(),
        error: error.map_or(String::new(), |e| e.message.clone()),
        error_field: error.and_then(|e| e.field.clone()).unwrap_or_default(),
    };
    let mut r = render(&page);
    if let Some(e) = error {
        *r.status_mut() = e.status;
    }
    r
}

async fn propose_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((j, r, v)): PagePath<(String, String, String)>,
) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Editor, None) {
        return resp;
    }
    let snap = state.snapshot();
    // Start from the published assessment.
    let current = snap.corpus.assessments_for(&j, &r).into_iter().find(|a| a.version == v);
    let form = match current {
        Some(a) => ProposeForm {
            csrf: None,
            status: a.status.to_string(),
            evidence: a.evidence.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            rationale: a.rationale.clone(),
            recommendation: a.recommendation.clone(),
            sources: a.sources.join("\n"),
            confidence: a.confidence.to_string(),
            note: String::new(),
        },
        None => ProposeForm { status: "not_assessed".into(), confidence: "unverified".into(), ..Default::default() },
    };
    let input = ProposalIn {
        jurisdiction: j.clone(),
        requirement: r.clone(),
        version: v.clone(),
        status: "not_assessed".into(),
        evidence: vec![],
        rationale: String::new(),
        recommendation: String::new(),
        sources: vec![],
        confidence: None,
        note: String::new(),
    };
    // Refuse an edit page for something that cannot be proposed (unknown requirement, version…).
    if let Err(e) = api::validate_proposal(&snap.corpus, &input) {
        return api_error_page(&state, &ctx, ApiError::not_found(e.message));
    }
    propose_page(&state, &ctx, (&j, &r, &v), &form, None)
}

async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((j, r, v)): PagePath<(String, String, String)>,
    PageForm(form): PageForm<ProposeForm>,
) -> Response {
    let user = match page_require(&state, &ctx, Role::Editor, Some(form.csrf.as_deref())) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let input = ProposalIn {
        jurisdiction: j.clone(),
        requirement: r.clone(),
        version: v.clone(),
        status: form.status.clone(),
        // Blank lines are kept (and skipped by the check) so that an error's line number is the textarea's.
        evidence: form.evidence.lines().map(str::to_string).collect(),
        rationale: form.rationale.clone(),
        recommendation: form.recommendation.clone(),
        sources: lines(&form.sources),
        confidence: Some(form.confidence.clone()),
        note: form.note.clone(),
    };
    match api::create_proposal(&state, &user, &input).await {
        Ok(p) => Redirect::to(&format!("/proposals/{}", p.id)).into_response(),
        Err(e) => propose_page(&state, &ctx, (&j, &r, &v), &form, Some(&e)),
    }
}

// ── Reviewing ──────────────────────────────────────────────────────────────────

struct ProposalItem {
    id: i64,
    jurisdiction: String,
    requirement: String,
    status: String,
    state: String,
    who: String,
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct ProposalsPage<'a> {
    c: Chrome<'a>,
    tabs: Vec<Opt>,
    items: Vec<ProposalItem>,
}

#[derive(Deserialize)]
struct StateQuery {
    state: Option<String>,
}

async fn proposals(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<StateQuery>) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Viewer, None) {
        return resp;
    }
    let tr = ctx.tr(&state);
    let chosen = q.state.as_deref().unwrap_or("pending");
    let filter = match chosen {
        "approved" => Some(store::ProposalState::Approved),
        "rejected" => Some(store::ProposalState::Rejected),
        "withdrawn" => Some(store::ProposalState::Withdrawn),
        "all" => None,
        _ => Some(store::ProposalState::Pending),
    };
    let list = match state.store.proposals(filter, 200).await {
        Ok(l) => l,
        Err(e) => return api_error_page(&state, &ctx, e.into()),
    };
    let snap = state.snapshot();
    let tabs = ["pending", "approved", "rejected", "withdrawn"]
        .iter()
        .map(|s| Opt { value: s.to_string(), label: tr.t(&format!("state-{s}")), selected: *s == chosen })
        .collect();
    let items = list
        .iter()
        .map(|p| ProposalItem {
            id: p.id,
            jurisdiction: jurisdiction_name(&snap.corpus, &tr, &p.key.jurisdiction),
            requirement: p.key.requirement.clone(),
            status: status_label(&tr, p.data.status),
            state: tr.t(&format!("state-{}", p.state.as_str())),
            who: p.proposed_by.clone(),
        })
        .collect();
    render(&ProposalsPage { c: Chrome::new(&state, &ctx, "proposals"), tabs, items })
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage<'a> {
    c: Chrome<'a>,
    before_label: String,
    id: i64,
    requirement: String,
    requirement_href: String,
    jurisdiction_name: String,
    version: String,
    state: String,
    by: String,
    decided: String,
    note: String,
    error: String,
    rows: Vec<(String, String, String, bool)>,
    can_decide: bool,
    /// The viewer made the proposal: they may reject or withdraw it, not approve it.
    own: bool,
    can_withdraw: bool,
}

async fn proposal_page(state: &AppState, ctx: &Ctx, id: i64, error: Option<&ApiError>) -> Response {
    if let Err(resp) = page_require(state, ctx, Role::Viewer, None) {
        return resp;
    }
    let tr = ctx.tr(state);
    let p = match state.store.proposal(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return api_error_page(state, ctx, ApiError::not_found(format!("proposal {id}"))),
        Err(e) => return api_error_page(state, ctx, e.into()),
    };
    // Compare with what was published when the proposal was made: the current state while it is
    // pending, the revision it replaced once decided.
    let before: Option<store::AssessmentData> = if p.state == store::ProposalState::Pending {
        state.store.assessment(&p.key).await.ok().flatten().map(|c| c.data)
    } else {
        state
            .store
            .history(&p.key)
            .await
            .ok()
            .and_then(|h| h.into_iter().find(|e| e.revision == p.base_revision))
            .map(|e| e.data)
    };
    let cur = before.as_ref();
    let confidence = |c: Confidence| tr.t(c.as_str());
    let row = |label: &str, now: Option<String>, new: String| {
        let now = now.unwrap_or_default();
        let changed = now != new;
        (tr.t(label), now, new, changed)
    };
    let rows = vec![
        row("assessment-status", cur.map(|d| status_label(&tr, d.status)), status_label(&tr, p.data.status)),
        row("assessment-evidence", cur.map(|d| d.evidence.join("\n")), p.data.evidence.join("\n")),
        row("assessment-rationale", cur.map(|d| d.rationale.clone()), p.data.rationale.clone()),
        row("assessment-recommendation", cur.map(|d| d.recommendation.clone()), p.data.recommendation.clone()),
        row("assessment-sources", cur.map(|d| d.sources.join("\n")), p.data.sources.join("\n")),
        row("assessment-confidence", cur.map(|d| confidence(d.confidence)), confidence(p.data.confidence)),
    ];
    let pending = p.state == store::ProposalState::Pending;
    let user = ctx.user();
    let snap = state.snapshot();
    let page = ProposalPage {
        before_label: tr.t(if pending { "proposal-current" } else { "diff-before" }),
        c: Chrome::new(state, ctx, "proposals"),
        id,
        requirement: p.key.requirement.clone(),
        requirement_href: format!("/requirements/{}#{}", p.key.requirement, p.key.jurisdiction),
        jurisdiction_name: jurisdiction_name(&snap.corpus, &tr, &p.key.jurisdiction),
        version: p.key.version.clone(),
        state: tr.t(&format!("state-{}", p.state.as_str())),
        by: tr.t1("proposal-by", "who", &p.proposed_by),
        decided: match (&p.decided_by, p.decided_at) {
            (Some(who), Some(at)) => {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("state", tr.t(&format!("state-{}", p.state.as_str())));
                args.set("who", who.clone());
                format!(
                    "{} · {}{}",
                    tr.i18n.get(tr.lang, "proposal-decided", Some(&args)),
                    when(at),
                    p.decision_comment
                        .as_deref()
                        .filter(|c| !c.is_empty())
                        .map_or(String::new(), |c| format!(" — {c}"))
                )
            }
            _ => String::new(),
        },
        note: p.note.clone(),
        error: error.map_or(String::new(), |e| e.message.clone()),
        rows,
        can_decide: pending && user.is_some_and(|u| u.role.can_review()),
        own: user.is_some_and(|u| u.username == p.proposed_by),
        can_withdraw: pending && user.is_some_and(|u| u.username == p.proposed_by),
    };
    let mut r = render(&page);
    if let Some(e) = error {
        *r.status_mut() = e.status;
    }
    r
}

async fn proposal(State(state): State<AppState>, ctx: Ctx, PagePath(id): PagePath<i64>) -> Response {
    proposal_page(&state, &ctx, id, None).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    csrf: Option<String>,
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<DecideForm>,
) -> Response {
    let user = match page_require(&state, &ctx, Role::Reviewer, Some(f.csrf.as_deref())) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return proposal_page(
                &state,
                &ctx,
                id,
                Some(&ApiError::field("decision", format!("'{other}' is not approve or reject"))),
            )
            .await;
        }
    };
    match api::decide(&state, &user, id, approve, &f.comment).await {
        Ok(_) => Redirect::to(&format!("/proposals/{id}")).into_response(),
        Err(e) => proposal_page(&state, &ctx, id, Some(&e)).await,
    }
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<CsrfForm>,
) -> Response {
    let user = match page_require(&state, &ctx, Role::Editor, Some(f.csrf.as_deref())) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    match state.store.withdraw(id, &user).await {
        Ok(_) => Redirect::to(&format!("/proposals/{id}")).into_response(),
        Err(e) => {
            let e = match e {
                store::StoreError::Invalid(m) => ApiError::new(StatusCode::FORBIDDEN, m),
                other => other.into(),
            };
            proposal_page(&state, &ctx, id, Some(&e)).await
        }
    }
}

// ── Users ──────────────────────────────────────────────────────────────────────

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage<'a> {
    c: Chrome<'a>,
    users: Vec<(String, String, String)>,
    roles: Vec<(&'static str, String)>,
    error: String,
}

async fn users_page(state: &AppState, ctx: &Ctx, error: Option<&ApiError>) -> Response {
    let tr = ctx.tr(state);
    let users = match state.store.users().await {
        Ok(u) => u,
        Err(e) => return api_error_page(state, ctx, e.into()),
    };
    let page = UsersPage {
        c: Chrome::new(state, ctx, "users"),
        users: users
            .iter()
            .map(|u| (u.username.clone(), u.display_name.clone(), tr.t(&format!("role-{}", u.role.as_str()))))
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), tr.t(&format!("role-{}", r.as_str())))).collect(),
        error: error.map_or(String::new(), |e| e.message.clone()),
    };
    let mut r = render(&page);
    if let Some(e) = error {
        *r.status_mut() = e.status;
    }
    r
}

async fn users(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Admin, None) {
        return resp;
    }
    users_page(&state, &ctx, None).await
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: Option<String>,
    username: String,
    display_name: String,
    password: String,
    role: String,
}

async fn add_user(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<UserForm>) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Admin, Some(f.csrf.as_deref())) {
        return resp;
    }
    let input = api::UserIn { username: f.username, display_name: f.display_name, password: f.password, role: f.role };
    match api::create_user(&state, &input).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => users_page(&state, &ctx, Some(&e)).await,
    }
}
