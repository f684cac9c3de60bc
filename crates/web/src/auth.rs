//! Accounts, sessions, CSRF and login throttling.
//!
//! - Passwords: argon2id (the `argon2` crate's defaults), PHC strings in the database.
//! - Sessions: a random 256-bit token in an `HttpOnly; SameSite=Lax` cookie (`Secure` unless the
//!   server listens on loopback over plain HTTP); the database keeps only its SHA-256. Sessions
//!   expire (default 12 hours).
//! - CSRF: a per-session synchronizer token, required as a `csrf` form field or an `X-CSRF-Token`
//!   header on every mutating request. The login form, before a session exists, uses a
//!   double-submit cookie.
//! - Login throttling: at most 5 failures per username and 20 per client address in 15 minutes,
//!   counted in the database, so across every server that shares it.

use std::{net::IpAddr, time::Duration};

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "tomas_session";
pub const PRE_CSRF_COOKIE: &str = "tomas_csrf";
pub const LANG_COOKIE: &str = "tomas_lang";

pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < 10 {
        return Err("password: use at least 10 characters".into());
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fake hash to verify against when the user does not exist, so timing does not reveal usernames.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password-at-all").unwrap_or_default())
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // getrandom only fails when the OS has no entropy source at all; then a session must not be made.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    hex(&bytes)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn set(&self, name: &str, value: &str, max_age: Option<Duration>, http_only: bool) -> String {
        let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
        if http_only {
            c.push_str("; HttpOnly");
        }
        if self.secure {
            c.push_str("; Secure");
        }
        if let Some(age) = max_age {
            c.push_str(&format!("; Max-Age={}", age.as_secs()));
        }
        c
    }

    pub fn clear(&self, name: &str) -> String {
        self.set(name, "", Some(Duration::ZERO), true)
    }
}

/// Sliding-window counts of failed logins, kept in the database so that every server sharing it
/// throttles the same attacker (a per-process count would give each server its own allowance).
#[derive(Clone)]
pub struct LoginLimiter {
    store: store::Store,
}

const WINDOW: Duration = Duration::from_secs(15 * 60);
const PER_USER: usize = 5;
const PER_ADDRESS: usize = 20;

impl LoginLimiter {
    pub fn new(store: store::Store) -> LoginLimiter {
        LoginLimiter { store }
    }

    fn keys(username: &str, addr: Option<IpAddr>) -> [(String, usize); 2] {
        [(user_key(username), PER_USER), (format!("a:{}", addr.map_or("-".into(), |a| a.to_string())), PER_ADDRESS)]
    }

    /// `Some(retry_after)` when this login must be refused without checking the password.
    pub async fn check(&self, username: &str, addr: Option<IpAddr>) -> store::Result<Option<Duration>> {
        let now = store::now_micros();
        let keys = Self::keys(username, addr);
        let found = self.store.login_failures(&[&keys[0].0, &keys[1].0], now - WINDOW_US).await?;
        Ok(over(&keys, &found, now, |count, limit| count >= limit))
    }

    /// Records this login attempt as a failure before the password is checked, so that parallel
    /// attempts count each other: `Err(retry_after)` when it is over the limit (and then it is not
    /// kept). The password check follows; a success calls [`LoginLimiter::succeed`].
    pub async fn begin(&self, username: &str, addr: Option<IpAddr>) -> store::Result<Result<Attempt, Duration>> {
        let now = store::now_micros();
        let keys = Self::keys(username, addr);
        let refs = [keys[0].0.as_str(), keys[1].0.as_str()];
        self.store.record_login_failure(&refs, now, now - WINDOW_US).await?;
        let found = self.store.login_failures(&refs, now - WINDOW_US).await?;
        if let Some(wait) = over(&keys, &found, now, |count, limit| count > limit) {
            self.store.remove_login_attempt(&refs, now).await?;
            return Ok(Err(wait));
        }
        Ok(Ok(Attempt { user_key: keys[0].0.clone(), addr_key: keys[1].0.clone(), at: now }))
    }

    /// The attempt succeeded: it was no failure, and the account's earlier failures are forgiven.
    pub async fn succeed(&self, attempt: &Attempt) -> store::Result<()> {
        self.store.clear_login_failures(&attempt.user_key).await?;
        self.store.remove_login_attempt(&[&attempt.addr_key], attempt.at).await
    }
}

/// A login attempt recorded by [`LoginLimiter::begin`].
pub struct Attempt {
    user_key: String,
    addr_key: String,
    at: i64,
}

const WINDOW_US: i64 = WINDOW.as_micros() as i64;

/// The longest wait among the keys whose count is over their limit.
fn over(
    keys: &[(String, usize); 2],
    found: &[(String, i64, i64)],
    now: i64,
    is_over: impl Fn(usize, usize) -> bool,
) -> Option<Duration> {
    found
        .iter()
        .filter(|(key, count, _)| keys.iter().any(|(k, limit)| k == key && is_over(*count as usize, *limit)))
        .map(|(_, _, oldest)| Duration::from_micros((oldest + WINDOW_US - now).max(0) as u64))
        .max()
}

fn user_key(username: &str) -> String {
    format!("u:{}", username.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(hash_password("short").is_err());
    }

    #[tokio::test]
    async fn throttling_is_shared_through_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let url = store::sqlite_url(&dir.path().join("t.db"));
        // Two limiters on one database stand for two servers.
        let (a, b) = (
            LoginLimiter::new(store::Store::open(&url).await.unwrap()),
            LoginLimiter::new(store::Store::open(&url).await.unwrap()),
        );
        let ip: Option<IpAddr> = Some("127.0.0.1".parse().unwrap());
        for i in 0..5 {
            let l = if i % 2 == 0 { &a } else { &b };
            assert!(l.check("ana", ip).await.unwrap().is_none());
            assert!(l.begin("ana", ip).await.unwrap().is_ok(), "attempt {i}");
        }
        let wait = a.check("ana", ip).await.unwrap().expect("throttled");
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(60), "{wait:?}");
        assert!(b.check("ANA", ip).await.unwrap().is_some());
        assert!(b.begin("ana", ip).await.unwrap().is_err());
        let bob = b.begin("bob", ip).await.unwrap().expect("another account is not throttled");
        b.succeed(&bob).await.unwrap();
        // A success forgives the account's failures.
        a.store.clear_login_failures("u:ana").await.unwrap();
        assert!(b.check("ana", ip).await.unwrap().is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn parallel_attempts_count_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let url = store::sqlite_url(&dir.path().join("t.db"));
        let l = LoginLimiter::new(store::Store::open(&url).await.unwrap());
        let ip: Option<IpAddr> = Some("192.0.2.1".parse().unwrap());
        let tries: Vec<_> = (0..12)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move { l.begin("admin", ip).await.unwrap().is_ok() })
            })
            .collect();
        let mut passed = 0;
        for t in tries {
            passed += usize::from(t.await.unwrap());
        }
        assert!(passed <= PER_USER, "{passed} parallel attempts got past a limit of {PER_USER}");
    }

    #[test]
    fn cookies_and_tokens() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; tomas_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "zzz"), None);
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("abc", "ab"));
        assert_eq!(random_token().len(), 64);
        let c = CookiePolicy { secure: true }.set("x", "y", Some(Duration::from_secs(60)), true);
        assert_eq!(c, "x=y; Path=/; SameSite=Lax; HttpOnly; Secure; Max-Age=60");
    }
}
