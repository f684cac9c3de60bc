//! The server against slow and idle clients, framing and sniffing, and text that could mislead:
//! timeouts and the connection cap of the accept loop, security headers on every route, forms that
//! are not UTF-8, and bidirectional override characters.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use common::*;
use reqwest::{StatusCode, header};
use serde_json::Value;

/// Every GET route, with real parameters (pages and API).
const ROUTES: &[&str] = &[
    "/",
    "/jurisdictions/rs",
    "/jurisdictions/rs/report",
    "/requirements/csar-removal-execute-24h",
    "/instruments",
    "/instruments/eu-csar/com-2022",
    "/diff?from=eu-csar@com-2022&to=eu-csar@council-2025",
    "/search?q=removal",
    "/changes",
    "/assessments/rs/csar-removal-execute-24h/com-2022/history",
    "/assessments/rs/csar-removal-execute-24h/com-2022/propose",
    "/proposals",
    "/proposals/1",
    "/admin/users",
    "/login",
    "/lang?set=sq",
    "/healthz",
    "/metrics",
    "/static/style.css",
    "/static/app.js",
    "/no-such-page",
    "/api/v1/openapi.json",
    "/api/v1/matrix",
    "/api/v1/matrix.csv",
    "/api/v1/jurisdictions",
    "/api/v1/jurisdictions/rs",
    "/api/v1/jurisdictions/rs/gaps.csv",
    "/api/v1/jurisdictions/rs/gaps.json",
    "/api/v1/requirements",
    "/api/v1/requirements/csar-removal-execute-24h",
    "/api/v1/instruments",
    "/api/v1/instruments/eu-csar/com-2022",
    "/api/v1/diff?from=eu-csar@com-2022&to=eu-csar@council-2025",
    "/api/v1/search?q=removal",
    "/api/v1/changes",
    "/api/v1/assessments/rs/csar-removal-execute-24h/com-2022",
    "/api/v1/assessments/rs/csar-removal-execute-24h/com-2022/history",
    "/api/v1/export",
    "/api/v1/session",
    "/api/v1/proposals",
    "/api/v1/proposals/1",
    "/api/v1/users",
];

fn check_headers(route: &str, r: &reqwest::Response, signed_in: bool) {
    let h = r.headers();
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let csp = get("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{route}: CSP {csp:?}");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{route}: CSP {csp:?}");
    assert_eq!(get("x-frame-options"), "DENY", "{route}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{route}");
    assert_eq!(get("referrer-policy"), "same-origin", "{route}");
    if signed_in && !route.starts_with("/static/") {
        assert_eq!(get("cache-control"), "no-store", "{route}: signed-in responses are never cached");
    }
}

#[tokio::test]
async fn security_headers_on_every_route() {
    let s = start(None).await;
    let anon = client();
    for route in ROUTES {
        let r = anon.get(format!("{}{route}", s.base)).send().await.unwrap();
        check_headers(route, &r, false);
    }
    // The login page sets a cookie (its CSRF token): not cacheable either.
    let r = anon.get(format!("{}/login", s.base)).send().await.unwrap();
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    // The stand-alone report carries its stylesheet inline, allowed by its hash and nothing else.
    let r = anon.get(format!("{}/jurisdictions/rs/report", s.base)).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("style-src 'self' 'sha256-"), "{csp}");
    assert!(r.text().await.unwrap().contains("<style>"));

    for role in ["viewer", "editor", "reviewer", "admin"] {
        let (c, csrf) = login(&s, role).await;
        for route in ROUTES {
            let r = c.get(format!("{}{route}", s.base)).send().await.unwrap();
            check_headers(route, &r, true);
        }
        // Mutations answer with the same headers.
        let r = post_api(&c, &csrf, format!("{}/api/v1/proposals", s.base), Some(proposal_body())).await;
        check_headers("POST /api/v1/proposals", &r, true);
    }
}

/// Reads until the server closes the connection (or `limit` passes); returns what it sent and
/// whether it closed.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), true),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_off() {
    let s = start_with(None, |c| {
        c.limits = web::ConnLimits {
            header_read_timeout: Duration::from_secs(1),
            body_idle_timeout: Duration::from_secs(1),
            write_timeout: Duration::from_secs(1),
            max_connections: 64,
        };
    })
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let outcome = tokio::task::spawn_blocking(move || {
        // A socket that never sends a byte.
        let mut silent = TcpStream::connect(&addr).unwrap();
        // A request head that never ends.
        let mut half = TcpStream::connect(&addr).unwrap();
        half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
        // A whole request, then an idle keep-alive connection.
        let mut idle = TcpStream::connect(&addr).unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        // A body that stops arriving.
        let mut stalled = TcpStream::connect(&addr).unwrap();
        stalled
            .write_all(
                b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=a",
            )
            .unwrap();
        let t = Instant::now();
        let silent = read_until_closed(&mut silent, Duration::from_secs(8));
        let half = read_until_closed(&mut half, Duration::from_secs(8));
        let idle = read_until_closed(&mut idle, Duration::from_secs(8));
        let stalled = read_until_closed(&mut stalled, Duration::from_secs(8));
        (silent, half, idle, stalled, t.elapsed())
    })
    .await
    .unwrap();
    let (silent, half, idle, stalled, took) = outcome;
    assert!(silent.1, "a silent connection is closed");
    assert!(half.1, "a half-sent request head is closed: {:?}", half.0);
    assert!(
        idle.1 && idle.0.starts_with("HTTP/1.1 200"),
        "the request is answered, then the idle connection closed: {:?}",
        idle.0
    );
    assert!(stalled.0.starts_with("HTTP/1.1 408"), "a stalled body is answered 408: {:?}", stalled.0);
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_do_not_starve_the_server() {
    let s = start_with(None, |c| {
        c.limits = web::ConnLimits {
            header_read_timeout: Duration::from_secs(1),
            body_idle_timeout: Duration::from_secs(1),
            write_timeout: Duration::from_secs(1),
            max_connections: 32,
        };
    })
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();
    // Far more idle sockets than the cap allows connections.
    let idle: Vec<TcpStream> = (0..300).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    let r = client().get(format!("{}/healthz", s.base)).timeout(Duration::from_secs(20)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    drop(idle);
}

#[tokio::test]
async fn forms_must_be_utf8_and_text_must_not_reorder_itself() {
    let s = start(None).await;
    let (editor, csrf) = login(&s, "editor").await;
    let (_, form) = get(&editor, format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base)).await;
    let page_csrf = form.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    // Latin-1 bytes where UTF-8 was promised: refused, naming the field, not stored as U+FFFD.
    let body = format!(
        "csrf={page_csrf}&status=partial&evidence=&rationale=Zakon+o+za%9Atiti&recommendation=&sources=https%3A%2F%2Fexample.org&confidence=unverified&note="
    );
    let r = editor
        .post(format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("rationale"));
    let (_, list) = get(&editor, format!("{}/api/v1/proposals", s.base)).await;
    assert!(!list.contains('\u{FFFD}'), "nothing half-decoded was stored");

    // A right-to-left override makes "Art. 185" display as something else: refused, naming the field.
    let mut body = proposal_body();
    body["rationale"] = Value::from("Covered by Art. \u{202E}581\u{202C} of the Criminal Code.");
    let r = post_api(&editor, &csrf, format!("{}/api/v1/proposals", s.base), Some(body)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "rationale", "{e}");
    // Through the form too.
    let r = editor
        .post(format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base))
        .form(&[
            ("csrf", page_csrf.as_str()),
            ("status", "partial"),
            ("evidence", ""),
            ("rationale", "Art. \u{2067}185\u{2069}"),
            ("recommendation", ""),
            ("sources", "https://example.org"),
            ("confidence", "unverified"),
            ("note", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("U+2067"));

    // Proposal states are parsed once, the same way by the page and the API.
    let (st, html) = get(&editor, format!("{}/proposals?state=bogus", s.base)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("unknown state &#39;bogus&#39; (use pending, approved, rejected, withdrawn)"), "{html}");
    let (st, json) = get(&editor, format!("{}/api/v1/proposals?state=bogus", s.base)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json.contains("unknown state 'bogus' (use pending"), "{json}");
    let (st, _) = get(&editor, format!("{}/proposals?state=all", s.base)).await;
    assert_eq!(st, StatusCode::OK);
}

/// Clients that send requests for a large document and never read the answers: each holds its
/// connection only until the write timeout, so they cannot fill the connection cap for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_stop_reading_are_cut_off() {
    let s = start_with(None, |c| {
        c.limits = web::ConnLimits {
            header_read_timeout: Duration::from_secs(5),
            body_idle_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(1),
            max_connections: 2,
        };
    })
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();
    // Pipelined requests for the whole-corpus export (megabytes each), never read: the socket
    // buffers fill and the server's writes stall.
    let request = b"GET /api/v1/export HTTP/1.1\r\nHost: x\r\n\r\n".repeat(64);
    let readers: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut c = TcpStream::connect(&addr).unwrap();
            c.write_all(&request).unwrap();
            c
        })
        .collect();
    // Both connection slots are taken; a third client is served once the stalled ones are cut off.
    let r = client().get(format!("{}/healthz", s.base)).timeout(Duration::from_secs(20)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    drop(readers);
}
