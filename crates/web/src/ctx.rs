//! What every handler knows about the request: language, the logged-in user, the CSRF token.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, header, request::Parts},
};
use store::{Role, Session, User};

use crate::{
    auth,
    i18n::{Lang, Tr},
    state::AppState,
};

pub struct Ctx {
    pub lang: Lang,
    pub session: Option<Session>,
    pub token_hash: Option<String>,
    /// Path and query of this request, for "come back here" links.
    pub path: String,
    pub addr: Option<IpAddr>,
    /// The request came in as an API call (JSON errors).
    pub headers: HeaderMap,
}

impl Ctx {
    pub fn user(&self) -> Option<&User> {
        self.session.as_ref().map(|s| &s.user)
    }

    pub fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }

    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf_token.as_str())
    }

    /// The submitted token matches the session's.
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        match (&self.session, submitted) {
            (Some(s), Some(t)) => auth::same_token(&s.csrf_token, t),
            _ => false,
        }
    }

    /// The `X-CSRF-Token` header, for API calls.
    pub fn csrf_header(&self) -> Option<&str> {
        self.headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
    }

    pub fn tr<'a>(&self, state: &'a AppState) -> Tr<'a> {
        Tr { i18n: &state.i18n, lang: self.lang }
    }
}

/// The address a reverse proxy appended last to X-Forwarded-For (entries before it are the client's
/// own claims and cannot be trusted).
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    let entry = last.rsplit(',').next()?.trim();
    // Some proxies append the client's port ("192.0.2.1:4711", "[2001:db8::1]:4711").
    entry.parse().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, Self::Rejection> {
        let headers = parts.headers.clone();
        let lang = auth::cookie(&headers, auth::LANG_COOKIE)
            .and_then(Lang::parse)
            .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::negotiate))
            .unwrap_or(Lang::En);
        let token_hash = auth::cookie(&headers, auth::SESSION_COOKIE).filter(|t| t.len() == 64).map(auth::token_hash);
        let session = match &token_hash {
            Some(h) => state.store.session(h).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "session lookup failed");
                None
            }),
            None => None,
        };
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let addr = if state.config.trust_forwarded_for {
            forwarded_for(&headers).or_else(|| {
                tracing::warn!("X-Forwarded-For missing or unreadable; throttling by the proxy's address");
                peer
            })
        } else {
            peer
        };
        let path = parts.uri.path_and_query().map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        Ok(Ctx { lang, session, token_hash, path, addr, headers })
    }
}
