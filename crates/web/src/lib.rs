//! The alignment platform on the web: server-rendered pages that work without JavaScript, a JSON
//! API under `/api/v1` with an OpenAPI 3.1 document, editing with review, search, and the user
//! interface in English, Serbian (Latin and Cyrillic), Albanian and Macedonian.
//!
//! The app is a library: [`build_state`] + [`router`] give an axum `Router` that tests serve on a
//! random loopback port; [`serve`] adds the listener, graceful shutdown and the background refresher.

pub mod api;
pub mod auth;
mod ctx;
mod headers;
pub mod i18n;
mod metrics;
mod pages;
mod server;
pub mod state;

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    response::IntoResponse,
    routing::{get, post},
};
use tower_http::trace::TraceLayer;

pub use ctx::Ctx;
pub use server::{ConnLimits, serve_on};
pub use state::{AppState, StartError, build as build_state};

/// Everything the server needs to start; one typed struct.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Holds the SQLite database (`tomas.db`) and imported official texts.
    pub data_dir: PathBuf,
    /// `postgres://…` for shared deployments; `None` = SQLite in `data_dir`.
    pub database_url: Option<String>,
    pub corpus_dir: PathBuf,
    pub session_ttl: Duration,
    pub cookie_secure: CookieSecure,
    /// How often to look for changes published by other servers.
    pub refresh_every: Duration,
    /// The client address is the last X-Forwarded-For entry (set behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// When set, `/metrics` answers only requests with `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// Timeouts and the connection cap of the listener.
    pub limits: ConnLimits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecure {
    /// `Secure` unless listening on a loopback address (plain HTTP on one machine).
    Auto,
    Always,
    Never,
}

impl Config {
    pub fn new(listen: SocketAddr, data_dir: PathBuf, corpus_dir: PathBuf) -> Config {
        Config {
            listen,
            data_dir,
            database_url: None,
            corpus_dir,
            session_ttl: Duration::from_secs(12 * 3600),
            cookie_secure: CookieSecure::Auto,
            refresh_every: Duration::from_secs(3),
            trust_forwarded_for: false,
            metrics_token: None,
            limits: ConnLimits::default(),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        match self.cookie_secure {
            CookieSecure::Always => true,
            CookieSecure::Never => false,
            CookieSecure::Auto => !self.listen.ip().is_loopback(),
        }
    }
}

/// The whole site: pages, API, health and metrics.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .route("/static/style.css", get(style_css))
        .route("/static/app.js", get(app_js))
        .route("/lang", get(pages::set_lang).post(pages::set_lang))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .fallback(pages::not_found)
        .layer(middleware::from_fn(headers::secure))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

async fn metrics_text(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !auth::same_token(given, token) {
            return (
                axum::http::StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
                "metrics need Authorization: Bearer <token> (--metrics-token)\n",
            )
                .into_response();
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        state.metrics.encode(),
    )
        .into_response()
}

async fn style_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/style.css"),
    )
}

async fn app_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/app.js"),
    )
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    let listen = config.listen;
    let refresh = config.refresh_every;
    let state = build_state(config).await?;
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|source| ServeError::Bind { addr: listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: listen, source })?;
    tracing::info!(%addr, backend = ?state.store.backend(), "TOMAS is serving on http://{addr}/");
    state::spawn_refresher(state.clone(), refresh);
    let store = state.store.clone();
    let limits = state.config.limits;
    serve_on(listener, router(state), limits, shutdown_signal()).await.map_err(ServeError::Serve)?;
    // Handlers still running after the grace period hold pool connections; do not wait for ever.
    if tokio::time::timeout(Duration::from_secs(5), store.close()).await.is_err() {
        tracing::warn!("database connections still busy at shutdown; closing anyway");
    }
    tracing::info!("stopped");
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("server: {0}")]
    Serve(std::io::Error),
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
