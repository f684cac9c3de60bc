//! Accounts, sessions, CSRF and login throttling.
//!
//! - Passwords: argon2id (the `argon2` crate's defaults), PHC strings in the database.
//! - Sessions: a random 256-bit token in an `HttpOnly; SameSite=Lax` cookie (`Secure` unless the
//!   server listens on loopback over plain HTTP); the database keeps only its SHA-256. Sessions
//!   expire (default 12 hours).
//! - CSRF: a per-session synchronizer token, required as a `csrf` form field or an `X-CSRF-Token`
//!   header on every mutating request. The login form, before a session exists, uses a
//!   double-submit cookie.
//! - Login throttling: at most 5 failures per username and 20 per client address in 15 minutes.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

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

/// Sliding-window counters of failed logins.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

const WINDOW: Duration = Duration::from_secs(15 * 60);
const PER_USER: usize = 5;
const PER_ADDRESS: usize = 20;

impl LoginLimiter {
    fn keys(username: &str, addr: Option<IpAddr>) -> [(String, usize); 2] {
        [
            (format!("u:{}", username.to_lowercase()), PER_USER),
            (format!("a:{}", addr.map_or("-".into(), |a| a.to_string())), PER_ADDRESS),
        ]
    }

    /// `Some(retry_after)` when this login must be refused without checking the password.
    pub fn check(&self, username: &str, addr: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for (key, limit) in Self::keys(username, addr) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() >= limit {
                    let oldest = times[0];
                    wait = Some(WINDOW.saturating_sub(now.duration_since(oldest)));
                }
            }
        }
        wait
    }

    pub fn fail(&self, username: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, times| times.last().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for (key, _) in Self::keys(username, addr) {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn succeed(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("u:{}", username.to_lowercase()));
    }
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

    #[test]
    fn throttling() {
        let l = LoginLimiter::default();
        let ip: Option<IpAddr> = Some("127.0.0.1".parse().unwrap());
        for _ in 0..5 {
            assert!(l.check("ana", ip).is_none());
            l.fail("ana", ip);
        }
        assert!(l.check("ana", ip).is_some());
        assert!(l.check("ANA", ip).is_some());
        assert!(l.check("bob", ip).is_none());
        l.succeed("ana");
        assert!(l.check("ana", ip).is_none());
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
