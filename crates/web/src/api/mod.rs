//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document at `/api/v1/openapi.json`.
//!
//! Errors are JSON: `{"error": {"message": "…", "field": "…"}}` with a 4xx/5xx status; `field`
//! names the offending input where there is one.

mod diff;
mod instruments;
mod jurisdictions;
mod matrix;
mod proposals;
mod requirements;
mod search;
mod session;
mod users;

pub use diff::*;
pub use instruments::*;
pub use jurisdictions::*;
pub use matrix::*;
pub use proposals::*;
pub use requirements::*;
pub use search::*;
pub use session::*;
pub use users::*;

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use law::{
    Corpus, Status, Topic,
    score::{self, View},
};
use serde::{Deserialize, Serialize};
use store::{AssessmentData, Key, ProposalState, Role};
use utoipa::{OpenApi, ToSchema};

use crate::{Ctx, auth, state::AppState};

// ── Errors ─────────────────────────────────────────────────────────────────────

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
    /// When to try again (throttling): sent as `Retry-After`, and read by the login page.
    pub retry_after: Option<std::time::Duration>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), field: None, retry_after: None }
    }

    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
            field: Some(field.into()),
            retry_after: None,
        }
    }

    /// Too many attempts: try again after `wait`.
    pub fn throttled(wait: std::time::Duration, message: impl Into<String>) -> ApiError {
        ApiError { retry_after: Some(wait), ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, message) }
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{} not found", what.into()))
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "log in first (POST /api/v1/session)")
    }

    pub fn forbidden(need: &str) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, format!("this needs the {need} role"))
    }
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub message: String,
    /// The offending input field, where there is one.
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(message = %self.message, "API error");
        }
        let retry_after = self.retry_after;
        let mut response =
            (self.status, Json(ErrorBody { error: ErrorDetail { message: self.message, field: self.field } }))
                .into_response();
        if let Some(wait) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
        }
        response
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> ApiError {
        match e {
            store::StoreError::NotFound(what) => ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found")),
            store::StoreError::Conflict(msg) => ApiError::new(StatusCode::CONFLICT, msg),
            store::StoreError::Invalid(msg) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, msg),
            store::StoreError::Forbidden(msg) => ApiError::new(StatusCode::FORBIDDEN, msg),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error; the change was not saved")
            }
        }
    }
}

/// JSON body extractor whose rejections are JSON errors naming the offending field.
pub struct JsonIn<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for JsonIn<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match OptionalJson::<T>::from_request(req, state).await? {
            OptionalJson(Some(v)) => Ok(JsonIn(v)),
            OptionalJson(None) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "the request needs a JSON body")),
        }
    }
}

/// An optional JSON body: an empty one is allowed; any other must be `application/json`.
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        let bytes =
            axum::body::Bytes::from_request(req, state).await.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as Content-Type: application/json",
            ));
        }
        parse_json(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

/// Deserialises a JSON body; an error names the field it is about (`evidence`, not `evidence[2]`).
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let top = e.path().iter().next().and_then(|seg| match seg {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            _ => None,
        });
        let inner = e.inner();
        let message = inner.to_string();
        // At the top level serde names a missing or unknown field only inside its message.
        let field = top.or_else(|| {
            (message.starts_with("missing field") || message.starts_with("unknown field"))
                .then(|| message.split('`').nth(1).map(str::to_string))
                .flatten()
        });
        let message = match (&field, inner.is_syntax() || inner.is_eof()) {
            (_, true) => format!("invalid JSON: {message}"),
            (Some(f), false) if !message.contains(&format!("`{f}`")) => format!("{f}: {message}"),
            _ => message,
        };
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, message, field, retry_after: None }
    })?;
    // Nothing but whitespace may follow the value.
    de.end().map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("invalid JSON: {e}")))?;
    Ok(value)
}

/// Path parameters whose rejections are JSON errors (`/proposals/abc` → 400 naming `id`).
pub struct PathIn<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for PathIn<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        let e = match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => return Ok(PathIn(v)),
            Err(e) => e,
        };
        use axum::extract::{path::ErrorKind, rejection::PathRejection};
        let kind = match &e {
            PathRejection::FailedToDeserializePathParams(inner) => Some(inner.kind()),
            _ => None,
        };
        let field = match kind {
            Some(ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::InvalidUtf8InPathParam { key }) => {
                Some(key.clone())
            }
            // A lone parameter's error carries its value, not its name: look the name up.
            Some(ErrorKind::ParseError { value, .. }) => axum::extract::RawPathParams::from_request_parts(parts, state)
                .await
                .ok()
                .and_then(|raw| raw.iter().find(|(_, v)| v == value).map(|(k, _)| k.to_string())),
            _ => None,
        };
        Err(ApiError { status: StatusCode::BAD_REQUEST, message: e.body_text(), field, retry_after: None })
    }
}

/// Query parameters whose rejections are JSON errors naming the parameter.
pub struct QueryIn<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S> for QueryIn<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _state: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or("")).map(QueryIn)
    }
}

pub fn parse_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        let field = e
            .path()
            .iter()
            .next()
            .and_then(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                _ => None,
            })
            .or_else(|| message.split('`').nth(1).map(str::to_string));
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: format!("invalid query string: {message}"),
            field,
            retry_after: None,
        }
    })
}

// ── Guards ─────────────────────────────────────────────────────────────────────

/// The logged-in user with at least `need`, on a request carrying the session's CSRF token.
pub fn require(ctx: &Ctx, need: Role, csrf: Option<&str>) -> Result<store::User, ApiError> {
    let Some(user) = ctx.user() else { return Err(ApiError::unauthorized()) };
    if !ctx.csrf_ok(csrf) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "missing or wrong CSRF token (send X-CSRF-Token from POST /api/v1/session)",
        ));
    }
    if user.role < need {
        return Err(ApiError::forbidden(need.as_str()));
    }
    Ok(user.clone())
}

/// Read access that needs a login (proposals are not public).
pub(super) fn require_login(ctx: &Ctx) -> Result<&store::User, ApiError> {
    ctx.user().ok_or_else(ApiError::unauthorized)
}

// ── Handlers ───────────────────────────────────────────────────────────────────

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/matrix", get(matrix))
        .route("/matrix.csv", get(matrix_csv))
        .route("/jurisdictions", get(jurisdictions))
        .route("/jurisdictions/{id}", get(jurisdiction))
        .route("/jurisdictions/{id}/gaps.csv", get(gaps_csv))
        .route("/jurisdictions/{id}/gaps.json", get(gaps_json))
        .route("/requirements", get(requirements))
        .route("/requirements/{id}", get(requirement))
        .route("/instruments", get(instruments))
        .route("/instruments/{id}/{version}", get(instrument))
        .route("/diff", get(diff))
        .route("/search", get(search))
        .route("/changes", get(changes))
        .route("/assessments/{jurisdiction}/{requirement}/{version}", get(assessment))
        .route("/assessments/{jurisdiction}/{requirement}/{version}/history", get(history))
        .route("/export", get(export))
        .route("/session", get(session_get).post(login).delete(logout))
        .route("/proposals", get(proposals).post(propose))
        .route("/proposals/{id}", get(proposal))
        .route("/proposals/{id}/approve", post(approve))
        .route("/proposals/{id}/reject", post(reject))
        .route("/proposals/{id}/withdraw", post(withdraw))
        .route("/users", get(users).post(add_user))
        .fallback(api_not_found)
}

pub(super) async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such API endpoint (see /api/v1/openapi.json)")
}

#[derive(OpenApi)]
#[openapi(
    info(title = "TOMAS alignment API", description = "The regional alignment matrix, jurisdictions, requirements, instruments, version diffs, search, and the proposal → review → publish workflow. Mutating requests need the session cookie from POST /api/v1/session and its CSRF token in X-CSRF-Token. Errors are {\"error\": {\"message\", \"field\"}}."),
    paths(matrix, matrix_csv, jurisdictions, jurisdiction, gaps_csv, gaps_json, requirements, requirement, instruments, instrument, diff, search, changes, assessment, history, export,
          session_get, login, logout, proposals, proposal, propose, approve, reject, withdraw, users, add_user),
    tags((name = "alignment", description = "Read the published alignment data"), (name = "editing", description = "Propose, review, publish"), (name = "session", description = "Log in and out"), (name = "admin", description = "Users"))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Response {
    let doc = ApiDoc::openapi();
    ([(header::CONTENT_TYPE, "application/json")], doc.to_pretty_json().unwrap_or_default()).into_response()
}
