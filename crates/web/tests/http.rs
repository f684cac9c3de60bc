//! The real server on a random loopback port, against a fresh SQLite file — and, when
//! `TOMAS_TEST_POSTGRES_URL` is set, a fresh PostgreSQL database: the same scenario runs on both.

mod common;

use common::*;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

async fn scenario(s: Server) {
    let anon = client();

    // ── Pages ──
    let (st, html) = get(&anon, format!("{}/", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("<table class=\"matrix\">") && html.contains("csar-removal-execute-24h"));
    assert!(html.contains("<html lang=\"en\">"));
    let (st, html) = get(&anon, format!("{}/?topic=orders&status=none&version=eu-csar@council-2025", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("csar-delisting-order") && !html.contains("csar-def-child\""));
    let (st, _) = get(&anon, format!("{}/?topic=nonsense", s.base)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    for path in [
        "/jurisdictions/rs",
        "/jurisdictions/mk/report",
        "/requirements/csar-removal-execute-24h",
        "/instruments",
        "/instruments/eu-csar/com-2022",
        "/diff",
        "/changes",
        "/login",
        "/healthz",
    ] {
        let (st, body) = get(&anon, format!("{}{path}", s.base)).await;
        assert_eq!(st, StatusCode::OK, "{path}: {body}");
    }
    let (st, html) = get(&anon, format!("{}/requirements/csar-removal-execute-24h", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    for j in ["id=\"rs\"", "id=\"al\"", "id=\"mk\""] {
        assert!(html.contains(j), "{j}");
    }
    assert!(html.contains("Art. 14(2)"));
    let (st, _) = get(&anon, format!("{}/requirements/no-such-thing", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, html) = get(&anon, format!("{}/no/such/page", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(html.contains("This page does not exist"));
    let (st, metrics) = get(&anon, format!("{}/metrics", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(metrics.contains("tomas_http_requests_total"), "{metrics}");

    // ── Search: Latin and Cyrillic alike ──
    let (st, html) = get(&anon, format!("{}/search?q=removal+order", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("/requirements/csar-removal-order-power") || html.contains("csar-removal"), "{html}");
    let hits: Value = anon
        .get(format!("{}/api/v1/search", s.base))
        .query(&[("q", "24 hours")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        hits.as_array().unwrap().iter().any(|h| h["key"].as_str().unwrap().contains("csar-removal-execute-24h")),
        "{hits}"
    );
    let latin: Value = anon
        .get(format!("{}/api/v1/search", s.base))
        .query(&[("q", "Krivični zakonik")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cyrillic: Value = anon
        .get(format!("{}/api/v1/search", s.base))
        .query(&[("q", "Кривични законик")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!latin.as_array().unwrap().is_empty());
    assert_eq!(latin.as_array().unwrap().len(), cyrillic.as_array().unwrap().len());
    let (st, _) = get(&anon, format!("{}/api/v1/search?kind=bogus&q=x", s.base)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // ── Languages ──
    let r =
        anon.get(format!("{}/", s.base)).header(header::ACCEPT_LANGUAGE, "sr-Latn-RS,sr;q=0.9").send().await.unwrap();
    assert!(r.text().await.unwrap().contains("<html lang=\"sr-Latn\">"));
    let lang_client = client();
    let r = lang_client.get(format!("{}/lang?set=sr-Cyrl&next=/instruments", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/instruments");
    let (_, html) = get(&lang_client, format!("{}/", s.base)).await;
    assert!(html.contains("<html lang=\"sr-Cyrl\">"));
    assert!(html.contains("class=\"notice\""), "non-English UI says content falls back to English");
    // An open redirect through `next` is refused.
    let r = lang_client.get(format!("{}/lang?set=en&next=//evil.example", s.base)).send().await.unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/");

    // ── API reads ──
    let m: Value = anon.get(format!("{}/api/v1/matrix", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(m["format"], "tomas-matrix/1");
    assert_eq!(m["jurisdictions"].as_array().unwrap().len(), 3);
    let before = m["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "csar-removal-execute-24h").unwrap()
        ["cells"]["rs"]["status"]
        .clone();
    assert_eq!(before, "none");
    let r = anon.get(format!("{}/api/v1/matrix.csv", s.base)).send().await.unwrap();
    assert!(r.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert!(r.text().await.unwrap().starts_with("requirement,instrument,version,topic,weight,statement,rs,rs_flags"));
    // The CSV download honours the page's filters.
    let csv =
        anon.get(format!("{}/api/v1/matrix.csv?topic=orders", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(csv.lines().count() > 2 && csv.lines().skip(1).all(|l| l.split(',').nth(3) == Some("orders")), "{csv}");
    let (_, html) = get(&anon, format!("{}/?topic=orders&status=none", s.base)).await;
    assert!(html.contains("/api/v1/matrix.csv?topic=orders&#38;status=none"));
    let r = anon.get(format!("{}/api/v1/jurisdictions/al/gaps.csv", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (st, body) = get(&anon, format!("{}/api/v1/jurisdictions/zz", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(serde_json::from_str::<Value>(&body).unwrap()["error"]["message"].as_str().unwrap().contains("zz"));
    let (st, body) = get(&anon, format!("{}/api/v1/matrix?version=eu-csar@nope", s.base)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["field"], "version");
    let (st, _) = get(&anon, format!("{}/api/v1/nothing-here", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // ── Login ──
    let c = client();
    let r = c
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": "editor", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c.post(format!("{}/api/v1/session", s.base)).json(&json!({"username": "editor"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "password");
    let r = c
        .post(format!("{}/api/v1/session", s.base))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    let r = c.get(format!("{}/api/v1/session", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // ── Propose → review → publish ──
    let (editor, editor_csrf) = login(&s, "editor").await;
    let (reviewer, reviewer_csrf) = login(&s, "reviewer").await;
    let r = editor.get(format!("{}/api/v1/session", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Bad input names the field and writes nothing.
    for (patch, field) in [
        (json!({"status": "mostly"}), "status"),
        (json!({"requirement": "nope"}), "requirement"),
        (json!({"version": "ep-2099"}), "version"),
        (json!({"evidence": ["rs-criminal-code@sg-35-2019#art_999"]}), "evidence"),
        (json!({"sources": []}), "sources"),
        (json!({"rationale": ""}), "rationale"),
        (json!({"jurisdiction": "eu"}), "jurisdiction"),
        (json!({"confidence": "sure"}), "confidence"),
        (json!({"surprise": 1}), "surprise"),
        (json!({"jurisdiction": 5}), "jurisdiction"),
        (json!({"evidence": "not a list"}), "evidence"),
        (json!({"rationale": null}), "rationale"),
        (json!({"rationale": "a\u{0}b"}), "rationale"),
        (json!({"sources": ["https://example.org/\u{1b}[31m"]}), "sources"),
    ] {
        let mut body = proposal_body();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = editor
            .post(format!("{}/api/v1/proposals", s.base))
            .header("x-csrf-token", &editor_csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let err: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        assert_eq!(err["error"]["field"], field, "{err}");
    }
    let none: Value = editor.get(format!("{}/api/v1/proposals", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(none.as_array().unwrap().len(), 0, "failed requests left nothing behind");

    let r = editor
        .post(format!("{}/api/v1/proposals", s.base))
        .header("x-csrf-token", &editor_csrf)
        .json(&proposal_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["state"], "pending");
    assert_eq!(p["data"]["confidence"], "unverified");
    // The public still sees the published state.
    let a: Value = anon
        .get(format!("{}/api/v1/assessments/rs/csar-removal-execute-24h/com-2022", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["status"], "none");
    // The editor cannot approve their own change.
    let r = editor
        .post(format!("{}/api/v1/proposals/{id}/approve", s.base))
        .header("x-csrf-token", &editor_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The reviewer approves; it is published at once.
    let r = reviewer
        .post(format!("{}/api/v1/proposals/{id}/approve", s.base))
        .header("x-csrf-token", &reviewer_csrf)
        .json(&json!({"comment": "checked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let a: Value = anon
        .get(format!("{}/api/v1/assessments/rs/csar-removal-execute-24h/com-2022", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["status"], "partial");
    assert_eq!(a["revision"], 2);
    assert_eq!(a["evidence"][0]["label"], "Art. 18");
    let (_, html) = get(&anon, format!("{}/requirements/csar-removal-execute-24h", s.base)).await;
    assert!(html.contains("A new draft law sets a 48-hour deadline (test)."));
    // The cached matrix follows the publication.
    let m: Value = anon.get(format!("{}/api/v1/matrix", s.base)).send().await.unwrap().json().await.unwrap();
    let after = &m["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "csar-removal-execute-24h").unwrap()
        ["cells"]["rs"];
    assert_eq!(after["status"], "partial");
    let hits: Value = anon
        .get(format!("{}/api/v1/search", s.base))
        .query(&[("q", "48-hour deadline")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        hits.as_array().unwrap().iter().any(|h| h["key"].as_str().unwrap().contains("rs") && h["kind"] == "assessment"),
        "search sees the edit: {hits}"
    );
    let history: Value = anon
        .get(format!("{}/api/v1/assessments/rs/csar-removal-execute-24h/com-2022/history", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["proposal_id"], id);
    let changes: Value = anon.get(format!("{}/api/v1/changes", s.base)).send().await.unwrap().json().await.unwrap();
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "published" && e["requirement"] == "csar-removal-execute-24h")
    );
    let (_, html) = get(&anon, format!("{}/changes", s.base)).await;
    assert!(html.contains("csar-removal-execute-24h"));
    // Deciding twice is a conflict.
    let r = reviewer
        .post(format!("{}/api/v1/proposals/{id}/reject", s.base))
        .header("x-csrf-token", &reviewer_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // A rejection keeps the proposal and its reason.
    let r = editor
        .post(format!("{}/api/v1/proposals", s.base))
        .header("x-csrf-token", &editor_csrf)
        .json(&proposal_body())
        .send()
        .await
        .unwrap();
    let id2 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = reviewer
        .post(format!("{}/api/v1/proposals/{id2}/reject", s.base))
        .header("x-csrf-token", &reviewer_csrf)
        .json(&json!({"comment": "no source"}))
        .send()
        .await
        .unwrap();
    let rejected: Value = r.json().await.unwrap();
    assert_eq!(
        (rejected["state"].as_str(), rejected["decision_comment"].as_str()),
        (Some("rejected"), Some("no source"))
    );

    // ── The same through the HTML forms ──
    let page = client();
    let (_, form) = get(&page, format!("{}/login?next=/requirements/csar-def-child", s.base)).await;
    let pre = form.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = page
        .post(format!("{}/login", s.base))
        .form(&[("username", "editor"), ("password", "wrong"), ("csrf", pre.as_str()), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = page
        .post(format!("{}/login", s.base))
        .form(&[("username", "editor"), ("password", PASSWORD), ("csrf", "forged"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "login form needs its CSRF token");
    let r = page
        .post(format!("{}/login", s.base))
        .form(&[
            ("username", "editor"),
            ("password", PASSWORD),
            ("csrf", pre.as_str()),
            ("next", "/requirements/csar-def-child"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/requirements/csar-def-child");
    let cookie = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("tomas_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let (st, form) = get(&page, format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base)).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    let csrf = form.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("status", "full"),
        ("evidence", ""),
        ("rationale", "Form test."),
        ("recommendation", ""),
        ("sources", "https://example.org/mk"),
        ("confidence", "unverified"),
        ("note", ""),
    ];
    let mut forged = fields;
    forged[0] = ("csrf", "nope");
    let r = page
        .post(format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut bad = fields;
    bad[5] = ("sources", "");
    let r = page
        .post(format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("aria-invalid=\"true\""));
    let r = page
        .post(format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with("/proposals/"));
    let (st, html) = get(&page, format!("{}{location}", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!html.contains("id=\"approve\""), "an editor sees no approve button");
    let (st, _) = get(&anon, format!("{}{location}", s.base)).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "proposals need a login");

    // ── Restart: nothing acknowledged is lost ──
    // (The data directory must outlive the first server: keep its TempDir.)
    let Server { _dir: dir, data_dir, database_url: url, .. } = s;
    let again = start_at(data_dir, url, dir).await;
    let a: Value = client()
        .get(format!("{}/api/v1/assessments/rs/csar-removal-execute-24h/com-2022", again.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((a["status"].as_str(), a["revision"].as_i64()), (Some("partial"), Some(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_scenario() {
    scenario(start(None).await).await;
}

/// Hostile and malformed requests: each gets a clear 4xx naming what was wrong, never a 500.
/// A mutating API call with the session's CSRF token (and a JSON body when given).
async fn hostile(s: Server) {
    let anon = client();
    // Redirects after a language switch or a login stay on this site, whatever `next` holds.
    for next in ["/%09/evil.example", "/%0D%0A/evil.example", "//evil.example", "/%0B", "https://evil.example"] {
        let r = anon.get(format!("{}/lang?set=sq&next={next}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.headers()[header::LOCATION], "/", "{next}");
    }
    // Malformed path and query parameters: JSON errors in the API, pages elsewhere.
    let (editor, editor_csrf) = login(&s, "editor").await;
    let (reviewer, reviewer_csrf) = login(&s, "reviewer").await;
    let r = post_api(&reviewer, &reviewer_csrf, format!("{}/api/v1/proposals/abc/approve", s.base), None).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "id");
    for (query, field) in [("version=a&version=b", "version"), ("to=eu-csar@nope", "to"), ("from=nope@x", "from")] {
        let path = if field == "version" { "matrix" } else { "diff" };
        let r = anon.get(format!("{}/api/v1/{path}?{query}", s.base)).send().await.unwrap();
        let status = r.status();
        let err: Value = r.json().await.unwrap();
        assert!(status.is_client_error(), "{query}: {status}");
        assert_eq!(err["error"]["field"], field, "{query}: {err}");
    }
    let (st, html) = get(&editor, format!("{}/proposals/abc", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(html.contains("<main"), "an error page, not a plain line: {html}");
    let (st, html) = get(&anon, format!("{}/?version=a&version=b", s.base)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(html.contains("<main") && html.contains("version"), "{html}");
    // A body that is not JSON, or says it is not.
    let r = editor
        .post(format!("{}/api/v1/proposals", s.base))
        .header("x-csrf-token", &editor_csrf)
        .body(proposal_body().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("application/json"));
    let r = anon
        .post(format!("{}/api/v1/session", s.base))
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"username": "editor", "password": "x"} trailing"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "nothing may follow the JSON value");
    // Usernames match regardless of case.
    let r = anon
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": "EDITOR", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Text PostgreSQL cannot store (NUL) is refused up front, in paths and bodies alike.
    let (st, _) = get(&anon, format!("{}/api/v1/assessments/rs/x%00/com-2022/history", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let r = anon
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": "edi\u{0}tor", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // An absurdly long username is refused before the login throttle stores it.
    let r = anon
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": "x".repeat(1 << 20), "password": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A form with a field missing is a page that names it.
    let (_, form) = get(&editor, format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base)).await;
    let csrf = form.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = editor
        .post(format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base))
        .form(&[("csrf", csrf.as_str()), ("rationale", "no status")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("<main") && html.contains("status"), "{html}");

    // Four eyes: a reviewer cannot approve their own proposal, on the API or the page.
    let r = post_api(&reviewer, &reviewer_csrf, format!("{}/api/v1/proposals", s.base), Some(proposal_body())).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = post_api(&reviewer, &reviewer_csrf, format!("{}/api/v1/proposals/{id}/approve", s.base), None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (admin, admin_csrf) = login(&s, "admin").await;
    let (_, html) = get(&admin, format!("{}/proposals/{id}", s.base)).await;
    assert!(html.contains("id=\"approve\""), "another reviewer may approve");
    let r = post_api(&admin, &admin_csrf, format!("{}/api/v1/proposals/{id}/approve", s.base), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Usernames are unique regardless of case.
    let r = post_api(
        &admin,
        &admin_csrf,
        format!("{}/api/v1/users", s.base),
        Some(json!({"username": "Editor", "display_name": "Another", "password": PASSWORD, "role": "viewer"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = post_api(
        &admin,
        &admin_csrf,
        format!("{}/api/v1/users", s.base),
        Some(json!({"username": "nul", "display_name": "a\u{0}b", "password": PASSWORD, "role": "viewer"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "display_name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_hostile_input() {
    hostile(start(None).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_hostile_input() {
    let Some(base) = store::testing::postgres_base_url() else { return };
    let url = store::testing::fresh_postgres(&base).await.unwrap();
    hostile(start(Some(url)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_scenario() {
    let Some(base) = store::testing::postgres_base_url() else { return };
    let url = store::testing::fresh_postgres(&base).await.unwrap();
    scenario(start(Some(url)).await).await;
}

/// Every mutating endpoint, tried with every role: refused where the role lacks it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions() {
    let s = start(None).await;
    let (editor, editor_csrf) = login(&s, "editor").await;
    // A pending proposal for the decide/withdraw endpoints.
    let new_proposal = || async {
        let r = editor
            .post(format!("{}/api/v1/proposals", s.base))
            .header("x-csrf-token", &editor_csrf)
            .json(&proposal_body())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    };
    let roles = [None, Some("viewer"), Some("editor"), Some("reviewer"), Some("admin")];
    let mut n = 0;
    for role in roles {
        let (c, csrf) = match role {
            Some(r) => login(&s, r).await,
            None => (client(), String::new()),
        };
        let rank = role.map_or(-1, |r| match r {
            "viewer" => 0,
            "editor" => 1,
            "reviewer" => 2,
            _ => 3,
        });
        let expect = |allowed: bool| {
            if allowed {
                vec![StatusCode::OK, StatusCode::CREATED, StatusCode::NO_CONTENT]
            } else if role.is_none() {
                vec![StatusCode::UNAUTHORIZED]
            } else {
                vec![StatusCode::FORBIDDEN]
            }
        };
        // POST /proposals: editor and up.
        let r = c
            .post(format!("{}/api/v1/proposals", s.base))
            .header("x-csrf-token", &csrf)
            .json(&proposal_body())
            .send()
            .await
            .unwrap();
        assert!(expect(rank >= 1).contains(&r.status()), "{role:?} propose: {}", r.status());
        // approve / reject: reviewer and up.
        for action in ["approve", "reject"] {
            let id = new_proposal().await;
            let r = c
                .post(format!("{}/api/v1/proposals/{id}/{action}", s.base))
                .header("x-csrf-token", &csrf)
                .send()
                .await
                .unwrap();
            assert!(expect(rank >= 2).contains(&r.status()), "{role:?} {action}: {}", r.status());
        }
        // withdraw: editor and up, and only one's own (others' → 403).
        let id = new_proposal().await;
        let r = c
            .post(format!("{}/api/v1/proposals/{id}/withdraw", s.base))
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap();
        let own = role == Some("editor");
        assert!(expect(own).contains(&r.status()), "{role:?} withdraw: {}", r.status());
        // POST /users: admin only.
        n += 1;
        let r = c
            .post(format!("{}/api/v1/users", s.base))
            .header("x-csrf-token", &csrf)
            .json(
                &json!({"username": format!("new{n}"), "display_name": "New", "password": PASSWORD, "role": "viewer"}),
            )
            .send()
            .await
            .unwrap();
        assert!(expect(rank >= 3).contains(&r.status()), "{role:?} add user: {}", r.status());
        // Reading proposals and users.
        let r = c.get(format!("{}/api/v1/proposals", s.base)).send().await.unwrap();
        assert!(expect(rank >= 0).contains(&r.status()), "{role:?} list proposals");
        let r = c.get(format!("{}/api/v1/users", s.base)).send().await.unwrap();
        assert!(expect(rank >= 3).contains(&r.status()), "{role:?} list users");
        // Without the CSRF token every mutation is refused, whatever the role.
        if role.is_some() {
            let r = c.post(format!("{}/api/v1/proposals", s.base)).json(&proposal_body()).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?} without CSRF");
            let r = c
                .post(format!("{}/api/v1/proposals", s.base))
                .header("x-csrf-token", "forged")
                .json(&proposal_body())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?} forged CSRF");
        }
        // HTML forms: the same rules.
        let r = c
            .post(format!("{}/admin/users", s.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", &format!("form{n}")),
                ("display_name", "F"),
                ("password", PASSWORD),
                ("role", "viewer"),
            ])
            .send()
            .await
            .unwrap();
        let ok = if rank >= 3 {
            r.status() == StatusCode::SEE_OTHER
        } else if role.is_none() {
            r.status() == StatusCode::SEE_OTHER && r.headers()[header::LOCATION].to_str().unwrap().starts_with("/login")
        } else {
            r.status() == StatusCode::FORBIDDEN
        };
        assert!(ok, "{role:?} users form: {}", r.status());
        let id = new_proposal().await;
        let r = c
            .post(format!("{}/proposals/{id}/decide", s.base))
            .form(&[("csrf", csrf.as_str()), ("decision", "reject"), ("comment", "")])
            .send()
            .await
            .unwrap();
        let ok = if rank >= 2 {
            r.status() == StatusCode::SEE_OTHER
                && r.headers()[header::LOCATION].to_str().unwrap() == format!("/proposals/{id}")
        } else if role.is_none() {
            r.headers()[header::LOCATION].to_str().unwrap().starts_with("/login")
        } else {
            r.status() == StatusCode::FORBIDDEN
        };
        assert!(ok, "{role:?} decide form: {}", r.status());
        // Logging out needs the session's token too.
        if role.is_some() {
            let r = c.delete(format!("{}/api/v1/session", s.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let r = c.delete(format!("{}/api/v1/session", s.base)).header("x-csrf-token", &csrf).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
            let r = c.get(format!("{}/api/v1/session", s.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        } else {
            let r = c.delete(format!("{}/api/v1/session", s.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_is_throttled() {
    let s = start(None).await;
    let c = client();
    for _ in 0..5 {
        let r = c
            .post(format!("{}/api/v1/session", s.base))
            .json(&json!({"username": "admin", "password": "guess"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now.
    let r = c
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "Retry-After {retry_after}");
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("minutes"));
    // Other accounts are not locked out.
    login(&s, "editor").await;
}

/// With a metrics token, /metrics answers only requests that carry it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_token_guards_metrics() {
    let s = start_with(None, |c| c.metrics_token = Some("s3cret-token".into())).await;
    let c = client();
    let r = c.get(format!("{}/metrics", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(format!("{}/metrics", s.base)).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(format!("{}/metrics", s.base)).bearer_auth("s3cret-token").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("# EOF"));
}

/// Behind a reverse proxy every request comes from the proxy's address: with
/// `trust_forwarded_for` the per-address throttle counts the client the proxy names instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_throttle_behind_a_proxy() {
    let s = start_with(None, |c| c.trust_forwarded_for = true).await;
    let c = client();
    let attempt = |name: String, from: &'static str| {
        c.post(format!("{}/api/v1/session", s.base))
            .header("x-forwarded-for", format!("203.0.113.99, {from}"))
            .json(&json!({"username": name, "password": "guess"}))
            .send()
    };
    for i in 0..20 {
        assert_eq!(attempt(format!("nobody{i}"), "198.51.100.1").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    // That address is throttled (whatever it claims before the proxy's entry)…
    assert_eq!(attempt("nobody-else".into(), "198.51.100.1").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    // …another client behind the same proxy is not.
    assert_eq!(attempt("nobody-else".into(), "198.51.100.2").await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

/// Every GET endpoint's real response validates against its schema in /api/v1/openapi.json.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_matches_real_responses() {
    let s = start(None).await;
    let (c, csrf) = login(&s, "admin").await;
    let r = c
        .post(format!("{}/api/v1/proposals", s.base))
        .header("x-csrf-token", &csrf)
        .json(&proposal_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let doc: Value = c.get(format!("{}/api/v1/openapi.json", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"].as_str().unwrap().get(..3), Some("3.1"));
    let components = doc["components"].clone();
    let check = |path_template: &str, method: &str, status: u16, body: &Value| {
        let op = &doc["paths"][path_template][method];
        assert!(!op.is_null(), "{method} {path_template} is not documented");
        let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "{method} {path_template} {status}: no JSON schema documented");
        let full = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "components": components, "allOf": [schema]});
        let validator = jsonschema::validator_for(&full).unwrap_or_else(|e| panic!("{path_template}: bad schema: {e}"));
        let errors: Vec<String> =
            validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path)).take(5).collect();
        assert!(errors.is_empty(), "{method} {path_template} {status} does not match its schema: {errors:#?}");
    };
    let id = created["id"].as_i64().unwrap();
    check("/api/v1/proposals", "post", 201, &created);
    let gets = [
        ("/api/v1/matrix", "/api/v1/matrix?version=eu-csar@council-2025".to_string(), 200),
        ("/api/v1/matrix", "/api/v1/matrix?topic=bogus".to_string(), 422),
        ("/api/v1/jurisdictions", "/api/v1/jurisdictions".into(), 200),
        ("/api/v1/jurisdictions/{id}", "/api/v1/jurisdictions/rs".into(), 200),
        ("/api/v1/jurisdictions/{id}", "/api/v1/jurisdictions/zz".into(), 404),
        ("/api/v1/jurisdictions/{id}/gaps.json", "/api/v1/jurisdictions/mk/gaps.json".into(), 200),
        ("/api/v1/requirements", "/api/v1/requirements".into(), 200),
        ("/api/v1/requirements/{id}", "/api/v1/requirements/csar-removal-execute-24h".into(), 200),
        ("/api/v1/requirements/{id}", "/api/v1/requirements/nope".into(), 404),
        ("/api/v1/instruments", "/api/v1/instruments".into(), 200),
        ("/api/v1/instruments/{id}/{version}", "/api/v1/instruments/rs-criminal-code/sg-35-2019".into(), 200),
        ("/api/v1/diff", "/api/v1/diff?from=eu-csar@com-2022&to=eu-csar@council-2025".into(), 200),
        ("/api/v1/diff", "/api/v1/diff?from=eu-csar@x&to=eu-csar@council-2025".into(), 422),
        ("/api/v1/search", "/api/v1/search?q=grooming".into(), 200),
        ("/api/v1/changes", "/api/v1/changes".into(), 200),
        (
            "/api/v1/assessments/{jurisdiction}/{requirement}/{version}",
            "/api/v1/assessments/al/csar-def-child/com-2022".into(),
            200,
        ),
        (
            "/api/v1/assessments/{jurisdiction}/{requirement}/{version}/history",
            "/api/v1/assessments/al/csar-def-child/com-2022/history".into(),
            200,
        ),
        ("/api/v1/session", "/api/v1/session".into(), 200),
        ("/api/v1/proposals", "/api/v1/proposals?state=pending".into(), 200),
        ("/api/v1/proposals/{id}", format!("/api/v1/proposals/{id}"), 200),
        ("/api/v1/proposals/{id}", "/api/v1/proposals/99999".into(), 404),
        ("/api/v1/users", "/api/v1/users".into(), 200),
    ];
    for (template, url, status) in gets {
        let r = c.get(format!("{}{url}", s.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{url}");
        let body: Value = r.json().await.unwrap();
        check(template, "get", status, &body);
    }
    // The proposer may not approve (403); another reviewer may (200); then it is decided (409).
    let r =
        c.post(format!("{}/api/v1/proposals/{id}/approve", s.base)).header("x-csrf-token", &csrf).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    check("/api/v1/proposals/{id}/approve", "post", 403, &r.json().await.unwrap());
    let (rc, rcsrf) = login(&s, "reviewer").await;
    let r = rc
        .post(format!("{}/api/v1/proposals/{id}/approve", s.base))
        .header("x-csrf-token", &rcsrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    check("/api/v1/proposals/{id}/approve", "post", 200, &r.json().await.unwrap());
    let r =
        c.post(format!("{}/api/v1/proposals/{id}/approve", s.base)).header("x-csrf-token", &csrf).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    check("/api/v1/proposals/{id}/approve", "post", 409, &r.json().await.unwrap());
    let r = c
        .post(format!("{}/api/v1/users", s.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"username": "x y", "display_name": "X", "password": PASSWORD, "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    check("/api/v1/users", "post", 422, &r.json().await.unwrap());
    let r = client()
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    check("/api/v1/session", "post", 200, &r.json().await.unwrap());
}
