//! What every web integration test needs: a real server on a random loopback port (through the
//! same accept loop as `tomas serve`), with a fresh SQLite file or PostgreSQL database and one
//! account per role, and small HTTP helpers.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use store::Role;

pub const PASSWORD: &str = "correct horse battery";

pub struct Server {
    pub base: String,
    pub state: web::AppState,
    pub _dir: tempfile::TempDir,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus"))
}

pub async fn start_at(data_dir: PathBuf, database_url: Option<String>, dir: tempfile::TempDir) -> Server {
    start_configured(data_dir, database_url, dir, |_| {}).await
}

pub async fn start_configured(
    data_dir: PathBuf,
    database_url: Option<String>,
    dir: tempfile::TempDir,
    tweak: impl FnOnce(&mut web::Config),
) -> Server {
    let mut config = web::Config::new("127.0.0.1:0".parse().unwrap(), data_dir.clone(), corpus_dir());
    config.database_url = database_url.clone();
    tweak(&mut config);
    let state = web::build_state(config).await.expect("server state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (app, limits) = (web::router(state.clone()), state.config.limits);
    tokio::spawn(web::serve_on(listener, app, limits, std::future::pending()));
    Server { base: format!("http://{addr}"), state, _dir: dir, data_dir, database_url }
}

pub async fn start(database_url: Option<String>) -> Server {
    start_with(database_url, |_| {}).await
}

pub async fn start_with(database_url: Option<String>, tweak: impl FnOnce(&mut web::Config)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_path_buf();
    let server = start_configured(data_dir, database_url, dir, tweak).await;
    for (name, role) in
        [("viewer", Role::Viewer), ("editor", Role::Editor), ("reviewer", Role::Reviewer), ("admin", Role::Admin)]
    {
        let hash = web::auth::hash_password(PASSWORD).unwrap();
        server.state.store.add_user(name, &format!("{name} user"), &hash, role).await.unwrap();
    }
    server
}

pub fn client() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A logged-in API client and its CSRF token.
pub async fn login(s: &Server, username: &str) -> (Client, String) {
    let c = client();
    let r = c
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {username}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["username"], username);
    (c, body["csrf_token"].as_str().unwrap().to_string())
}

pub async fn get(c: &Client, url: String) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

pub fn proposal_body() -> Value {
    json!({
        "jurisdiction": "rs",
        "requirement": "csar-removal-execute-24h",
        "version": "com-2022",
        "status": "partial",
        "evidence": ["rs-e-commerce@sg-52-2019#art_18"],
        "rationale": "A new draft law sets a 48-hour deadline (test).",
        "recommendation": "Shorten the deadline to 24 hours.",
        "sources": ["https://example.org/draft"],
        "note": "from the integration test"
    })
}

pub async fn post_api(c: &Client, csrf: &str, url: String, body: Option<Value>) -> reqwest::Response {
    let req = c.post(url).header("x-csrf-token", csrf);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap()
}
