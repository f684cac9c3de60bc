//! Property-based fuzzing of what the server parses from outside — JSON bodies, forms and query
//! strings — against a real server on a loopback port (SQLite): whatever arrives, the answer is never
//! a 5xx, comes within a bound, and a refusal says what was wrong (a 422 names its field).
//! Inputs are valid requests mutated (wrong types, control and bidirectional characters, huge
//! and empty values, unknown fields) and raw arbitrary bytes.

mod common;

use std::time::Duration;

use common::*;
use proptest::{prelude::*, test_runner::TestRunner};
use reqwest::header;
use serde_json::Value;

const CASES: u32 = 160;

fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        Just(String::new()),
        Just("\u{0}".to_string()),
        Just("a\u{202E}b".to_string()),
        Just("x".repeat(70_000)),
        "[\\x00-\\x1f\\u{80}-\\u{9f}\\u{2066}-\\u{2069}]{1,8}",
        Just("rs-criminal-code@sg-35-2019#art_185".to_string()),
        Just("https://example.org/x".to_string()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        nasty_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,8}", inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: &[&str] = &[
    "jurisdiction",
    "requirement",
    "version",
    "status",
    "evidence",
    "rationale",
    "recommendation",
    "sources",
    "note",
    "confidence",
];

/// A valid proposal with some fields replaced, removed or added.
fn mutated_proposal() -> impl Strategy<Value = Value> {
    prop::collection::vec((0..FIELDS.len() + 1, json_value(), any::<bool>()), 1..4).prop_map(|edits| {
        let mut body = proposal_body();
        for (i, value, remove) in edits {
            let name = FIELDS.get(i).copied().unwrap_or("unexpected");
            if remove {
                body.as_object_mut().unwrap().remove(name);
            } else {
                body[name] = value;
            }
        }
        body
    })
}

#[test]
fn api_json_bodies_forms_and_queries() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (s, editor, csrf, page_csrf) = rt.block_on(async {
        let s = start(None).await;
        let (editor, csrf) = login(&s, "editor").await;
        let (_, form) = get(&editor, format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base)).await;
        let page_csrf = form.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        (s, editor, csrf, page_csrf)
    });
    let mut runner = TestRunner::new(proptest::test_runner::Config { cases: CASES, ..Default::default() });

    // JSON bodies: mutated proposals.
    runner
        .run(&mutated_proposal(), |body| {
            let (status, text) = rt.block_on(async {
                let r = editor
                    .post(format!("{}/api/v1/proposals", s.base))
                    .header("x-csrf-token", &csrf)
                    .timeout(Duration::from_secs(10))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.text().await.unwrap())
            });
            prop_assert!(status.as_u16() < 500, "{status} for {body}: {text}");
            if !status.is_success() {
                let e: Value = serde_json::from_str(&text).unwrap();
                prop_assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{text}");
                if status.as_u16() == 422 {
                    prop_assert!(e["error"]["field"].as_str().is_some_and(|f| !f.is_empty()), "no field: {text}");
                }
            }
            Ok(())
        })
        .unwrap();

    // Raw bytes as a JSON body.
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..200), |bytes| {
            let (status, text) = rt.block_on(async {
                let r = editor
                    .post(format!("{}/api/v1/proposals", s.base))
                    .header("x-csrf-token", &csrf)
                    .header(header::CONTENT_TYPE, "application/json")
                    .timeout(Duration::from_secs(10))
                    .body(bytes.clone())
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.text().await.unwrap())
            });
            prop_assert!(status.is_client_error(), "{status}: {text}");
            let e: Value = serde_json::from_str(&text).unwrap();
            prop_assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{text}");
            Ok(())
        })
        .unwrap();

    // Forms: the propose form with arbitrary field values and raw bytes appended.
    let form_case =
        (prop::collection::vec((0..FIELDS.len(), nasty_string()), 0..6), prop::collection::vec(any::<u8>(), 0..40));
    runner
        .run(&form_case, |(fields, tail)| {
            let mut body = format!("csrf={page_csrf}").into_bytes();
            for (i, value) in &fields {
                body.extend_from_slice(format!("&{}=", FIELDS[*i]).as_bytes());
                body.extend(form_urlencoded::byte_serialize(value.as_bytes()).flat_map(str::bytes));
            }
            body.extend_from_slice(&tail);
            let (status, text) = rt.block_on(async {
                let r = editor
                    .post(format!("{}/assessments/mk/csar-def-child/com-2022/propose", s.base))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .timeout(Duration::from_secs(10))
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.text().await.unwrap())
            });
            prop_assert!(status.as_u16() < 500, "{status}: {text}");
            if status.is_client_error() {
                prop_assert!(text.contains("<main"), "an error page, not a bare line: {text}");
            }
            Ok(())
        })
        .unwrap();

    // Query strings on the pages and the API.
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..60), |raw| {
            let query: String = form_urlencoded::byte_serialize(&raw).collect();
            for path in ["/", "/api/v1/matrix", "/search", "/api/v1/search", "/diff", "/api/v1/diff"] {
                let status = rt.block_on(async {
                    editor
                        .get(format!("{}{path}?{query}&q={query}&version={query}&from={query}", s.base))
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await
                        .unwrap()
                        .status()
                });
                prop_assert!(status.as_u16() < 500, "{status} for {path}?{query}");
            }
            Ok(())
        })
        .unwrap();
}
