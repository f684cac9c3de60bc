//! Soak load for `tomas serve` (driven by `benches/soak/run.sh`, not run in CI): for a fixed time,
//! a mix of page and API reads, proposals and approvals, and bad requests, from several clients.
//! The server may be killed and restarted meanwhile: requests that fail to connect are counted as
//! "server down", not as errors. Every write the server acknowledged (a 201 with an id) is recorded
//! and checked at the end: each must still be there.
//!
//! ```text
//! cargo run --release -p web --example soak -- BASE_URL SECONDS CLIENTS EDITOR REVIEWER PASSWORD
//! ```
//! Prints one JSON object: requests, by status, down (connection refused), acknowledged writes and
//! how many of them were lost.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

#[derive(Default)]
struct Tally {
    by_status: BTreeMap<u16, u64>,
    down: u64,
    acknowledged: Vec<i64>,
}

struct Session {
    client: Client,
    csrf: String,
}

async fn login(base: &str, user: &str, password: &str) -> Option<Session> {
    let client = Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().ok()?;
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .ok()?;
    let body: Value = r.json().await.ok()?;
    Some(Session { client, csrf: body["csrf_token"].as_str()?.to_string() })
}

fn proposal(n: u64) -> Value {
    let jurisdiction = ["rs", "al", "mk"][(n % 3) as usize];
    json!({
        "jurisdiction": jurisdiction,
        "requirement": "csar-removal-execute-24h",
        "version": "com-2022",
        "status": "partial",
        "evidence": [],
        "rationale": format!("Soak test proposal {n}."),
        "recommendation": "",
        "sources": ["https://example.org/soak"],
        "note": "soak"
    })
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 7 {
        eprintln!("usage: soak BASE_URL SECONDS CLIENTS EDITOR REVIEWER PASSWORD");
        std::process::exit(2);
    }
    let base = args[1].clone();
    let seconds: u64 = args[2].parse().expect("SECONDS");
    let clients: u64 = args[3].parse().expect("CLIENTS");
    let (editor, reviewer, password) = (args[4].clone(), args[5].clone(), args[6].clone());
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (base, tally) = (base.clone(), tally.clone());
        let (editor, reviewer, password) = (editor.clone(), reviewer.clone(), password.clone());
        tasks.push(tokio::spawn(async move {
            let anon = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
            let mut sessions: Option<(Session, Session)> = None;
            let mut n = c;
            while Instant::now() < deadline {
                n += clients;
                if sessions.is_none() {
                    match (login(&base, &editor, &password).await, login(&base, &reviewer, &password).await) {
                        (Some(e), Some(r)) => sessions = Some((e, r)),
                        _ => {
                            tally.lock().unwrap().down += 1;
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            continue;
                        }
                    }
                }
                let (ed, rev) = sessions.as_ref().unwrap();
                let result = match n % 10 {
                    0..=4 => {
                        let path = [
                            "/",
                            "/api/v1/matrix",
                            "/requirements/csar-removal-execute-24h",
                            "/search?q=removal",
                            "/changes",
                        ][(n % 5) as usize];
                        anon.get(format!("{base}{path}")).send().await.map(|r| (r.status(), None))
                    }
                    5 | 6 => {
                        let r = ed
                            .client
                            .post(format!("{base}/api/v1/proposals"))
                            .header("x-csrf-token", &ed.csrf)
                            .json(&proposal(n))
                            .send()
                            .await;
                        match r {
                            Ok(r) => {
                                let status = r.status();
                                let id = r.json::<Value>().await.ok().and_then(|v| v["id"].as_i64());
                                Ok((status, id.filter(|_| status == StatusCode::CREATED)))
                            }
                            Err(e) => Err(e),
                        }
                    }
                    7 => {
                        // Approve the newest pending proposal of someone else, if any.
                        let list = rev.client.get(format!("{base}/api/v1/proposals?state=pending")).send().await;
                        match list {
                            Ok(r) => {
                                let v: Value = r.json().await.unwrap_or(Value::Null);
                                match v.as_array().and_then(|a| a.first()).and_then(|p| p["id"].as_i64()) {
                                    Some(id) => rev
                                        .client
                                        .post(format!("{base}/api/v1/proposals/{id}/approve"))
                                        .header("x-csrf-token", &rev.csrf)
                                        .json(&json!({"comment": "soak"}))
                                        .send()
                                        .await
                                        .map(|r| (r.status(), None)),
                                    None => Ok((StatusCode::OK, None)),
                                }
                            }
                            Err(e) => Err(e),
                        }
                    }
                    8 => anon
                        .post(format!("{base}/api/v1/proposals"))
                        .header("content-type", "application/json")
                        .body("{not json")
                        .send()
                        .await
                        .map(|r| (r.status(), None)),
                    _ => anon
                        .get(format!("{base}/requirements/%FF%00nope?version=x@y"))
                        .send()
                        .await
                        .map(|r| (r.status(), None)),
                };
                let mut relogin = false;
                let mut down = false;
                {
                    let mut t = tally.lock().unwrap();
                    match result {
                        Ok((status, id)) => {
                            *t.by_status.entry(status.as_u16()).or_default() += 1;
                            // The session was lost (e.g. after a restart): log in again.
                            relogin = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
                            t.acknowledged.extend(id);
                        }
                        Err(e) if e.is_connect() || e.is_request() || e.is_timeout() => {
                            t.down += 1;
                            down = true;
                        }
                        Err(_) => *t.by_status.entry(0).or_default() += 1,
                    }
                }
                if relogin || down {
                    sessions = None;
                }
                if down {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    // Every acknowledged write must still be there (the server is up again by now).
    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    let check = login(&base, &editor, &password).await.expect("the server answers at the end");
    let mut lost = Vec::new();
    for id in &tally.acknowledged {
        let r = check.client.get(format!("{base}/api/v1/proposals/{id}")).send().await;
        if !matches!(r, Ok(ref r) if r.status() == StatusCode::OK) {
            lost.push(*id);
        }
    }
    let requests: u64 = tally.by_status.values().sum();
    let server_errors: u64 = tally.by_status.iter().filter(|(s, _)| **s >= 500 || **s == 0).map(|(_, n)| n).sum();
    println!(
        "{}",
        json!({
            "requests": requests,
            "by_status": tally.by_status.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "server_errors": server_errors,
            "down": tally.down,
            "acknowledged_writes": tally.acknowledged.len(),
            "lost_writes": lost.len(),
            "lost_ids": lost,
        })
    );
}
