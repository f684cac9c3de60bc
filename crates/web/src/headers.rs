//! Security headers on every response: a Content-Security-Policy that allows no inline script and no
//! framing, `nosniff`, a referrer policy, and `Cache-Control: no-store` on anything a signed-in user
//! is shown (it may carry a CSRF token or unpublished proposals).

use std::sync::LazyLock;

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The policy for everything we serve: our own script and stylesheet only, no plugins, no framing,
/// forms post only to us.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The stand-alone HTML report carries its stylesheet inline (it is also a file the CLI writes);
/// the policy for it allows exactly that stylesheet, by its hash, and nothing else inline.
pub static REPORT_CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(law::render::REPORT_CSS.as_bytes()));
    HeaderValue::try_from(CSP.replace("style-src 'self'", &format!("style-src 'self' 'sha256-{hash}'")))
        .expect("a header value")
});

/// Adds the headers a handler did not set itself.
pub async fn secure(request: Request, next: Next) -> Response {
    let signed_in = crate::auth::cookie(request.headers(), crate::auth::SESSION_COOKIE).is_some();
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let sets_cookie = response.headers().contains_key(header::SET_COOKIE);
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    if (signed_in || sets_cookie) && !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
