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

mod changes;
mod diff;
mod instruments;
mod jurisdiction;
mod matrix;
mod proposals;
mod propose;
mod requirement;
mod search;
mod session;
mod users;

use changes::*;
use diff::*;
use instruments::*;
use jurisdiction::*;
use matrix::*;
pub(crate) use proposals::*;
pub(crate) use propose::*;
use requirement::*;
use search::*;
pub(crate) use session::*;
pub(crate) use users::*;

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

pub(super) fn url_encode(s: &str) -> String {
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
pub(super) fn safe_next(next: Option<&str>) -> String {
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

pub(super) fn render(t: &impl Template) -> Response {
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
pub(super) struct ErrorPage<'a> {
    c: Chrome<'a>,
    message: String,
}

/// An HTML error page in the user's language.
pub fn error_page(state: &AppState, ctx: &Ctx, status: StatusCode, message: String) -> Response {
    let mut r = render(&ErrorPage { c: Chrome::new(state, ctx, ""), message });
    *r.status_mut() = status;
    r
}

pub(super) fn api_error_page(state: &AppState, ctx: &Ctx, e: ApiError) -> Response {
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

pub(super) async fn rejection_page(
    parts: &mut Parts,
    state: &AppState,
    status: StatusCode,
    message: String,
) -> Response {
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
pub(super) const FORM_LIMIT: usize = 2 * 1024 * 1024;

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
pub(super) fn body_error(e: &axum::Error, limit: usize) -> (StatusCode, String) {
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
pub(super) fn check_form_utf8(body: &[u8]) -> Result<(), String> {
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

pub(super) fn status_class(s: Status) -> &'static str {
    match s {
        Status::Full => "s-full",
        Status::Partial => "s-partial",
        Status::None => "s-none",
        Status::NotApplicable => "s-na",
        Status::NotAssessed => "s-pending",
    }
}

pub(super) fn status_label(tr: &Tr<'_>, s: Status) -> String {
    tr.t(&format!("status-{}", s.as_str()))
}

pub(super) fn score_label(tr: &Tr<'_>, s: &score::Score) -> String {
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

pub(super) fn jurisdiction_name(corpus: &Corpus, tr: &Tr<'_>, id: &str) -> String {
    corpus.jurisdiction(id).map_or(id.to_string(), |j| j.name(tr.tag()).to_string())
}

pub(super) fn version_options(corpus: &Corpus, view: &View) -> Vec<Opt> {
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

pub(super) fn view_label(corpus: &Corpus, tr: &Tr<'_>, view: &View) -> String {
    tr.t1("view-version", "version", view.describe(corpus).join(", "))
}

pub(super) fn source_link(s: &str) -> (String, bool) {
    let is_url = (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace);
    (s.to_string(), is_url)
}
