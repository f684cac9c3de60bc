//! The store against a real SQLite file and, when `TOMAS_TEST_POSTGRES_URL` is set, a real
//! PostgreSQL database: the same test body runs on both.

use law::{Assessment, Confidence, Loc, ProvisionRef, Status};
use store::{AssessmentData, Key, ProposalState, Role, Store, StoreError};

fn assessment(j: &str, r: &str, status: Status) -> Assessment {
    Assessment {
        jurisdiction: j.into(),
        requirement: r.into(),
        version: "com-2022".into(),
        status,
        evidence: vec![ProvisionRef::parse("rs-criminal-code@sg-35-2019#art_185", None).unwrap()],
        rationale: "Because.".into(),
        recommendation: "Amend.".into(),
        sources: vec!["https://example.org".into()],
        confidence: Confidence::Unverified,
        assessed: Some("2026-11-29".into()),
        assessor: Some("desk".into()),
        loc: Loc::default(),
    }
}

fn key(j: &str, r: &str) -> Key {
    Key { jurisdiction: j.into(), requirement: r.into(), version: "com-2022".into() }
}

async fn exercise(store: Store) {
    // Seeding is idempotent and keeps edits.
    let seed = vec![assessment("rs", "csar-a", Status::None), assessment("rs", "csar-b", Status::Partial)];
    assert_eq!(store.seed(&seed).await.unwrap(), (2, 0));
    assert_eq!(store.seed(&seed).await.unwrap(), (0, 0));
    // A newer corpus updates rows nobody edited, as a new revision.
    let mut newer = seed.clone();
    newer[1].rationale = "Corrected in the corpus.".into();
    assert_eq!(store.seed(&newer).await.unwrap(), (0, 1));
    let b = store.assessment(&key("rs", "csar-b")).await.unwrap().unwrap();
    assert_eq!((b.revision, b.data.rationale.as_str()), (2, "Corrected in the corpus."));
    let seed = newer;
    let all = store.assessments().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].to_assessment().evidence, seed[0].evidence);
    assert_eq!(all[0].data.confidence, Confidence::Unverified);
    let v0 = store.data_version().await.unwrap();

    // Users.
    let editor = store.add_user("ed", "Ed Itor", "hash-e", Role::Editor).await.unwrap();
    let reviewer = store.add_user("rev", "Re Viewer", "hash-r", Role::Reviewer).await.unwrap();
    assert!(matches!(store.add_user("ed", "Again", "h", Role::Viewer).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.add_user("bad name", "x", "h", Role::Viewer).await, Err(StoreError::Invalid(_))));
    // The display-name rule holds wherever an account is made (the CLI too).
    for bad in ["", "   ", &"x".repeat(201), "Ana\u{202E}"] {
        assert!(
            matches!(store.add_user("named", bad, "h", Role::Viewer).await, Err(StoreError::Invalid(_))),
            "{bad:?}"
        );
    }
    let (u, hash) = store.credentials("ed").await.unwrap().unwrap();
    assert_eq!((u.role, hash.as_str()), (Role::Editor, "hash-e"));
    assert!(store.credentials("nobody").await.unwrap().is_none());

    // Propose → approve publishes, with history.
    let mut data = AssessmentData::from_assessment(&seed[0]);
    data.status = Status::Partial;
    data.rationale = "Now partly covered.".into();
    let p = store.propose(&key("rs", "csar-a"), &data, "new law", &editor).await.unwrap();
    assert_eq!((p.state, p.base_revision, p.proposed_by.as_str()), (ProposalState::Pending, 1, "ed"));
    assert_eq!(store.proposals(Some(ProposalState::Pending), 10).await.unwrap().len(), 1);
    // The public state does not change until approval.
    assert_eq!(store.assessment(&key("rs", "csar-a")).await.unwrap().unwrap().data.status, Status::None);
    let approved = store.decide(p.id, true, "checked the gazette", &reviewer).await.unwrap();
    assert_eq!(approved.state, ProposalState::Approved);
    assert_eq!(approved.decided_by.as_deref(), Some("rev"));
    let now = store.assessment(&key("rs", "csar-a")).await.unwrap().unwrap();
    assert_eq!((now.data.status, now.revision), (Status::Partial, 2));
    assert_eq!(now.data.rationale, "Now partly covered.");
    let history = store.history(&key("rs", "csar-a")).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].revision, 2);
    assert_eq!(history[0].proposal_id, Some(p.id));
    assert!(history[0].comment.contains("checked the gazette"));
    assert_eq!(history[1].data.status, Status::None);
    assert!(store.data_version().await.unwrap() > v0);

    // A decided proposal cannot be decided again.
    assert!(matches!(store.decide(p.id, false, "", &reviewer).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.decide(9999, true, "", &reviewer).await, Err(StoreError::NotFound(_))));

    // Two proposals against the same revision: the second approval conflicts and changes nothing.
    let p1 = store.propose(&key("rs", "csar-b"), &data, "one", &editor).await.unwrap();
    let p2 = store.propose(&key("rs", "csar-b"), &data, "two", &editor).await.unwrap();
    store.decide(p1.id, true, "", &reviewer).await.unwrap();
    let err = store.decide(p2.id, true, "", &reviewer).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.proposal(p2.id).await.unwrap().unwrap().state, ProposalState::Pending);
    assert_eq!(store.history(&key("rs", "csar-b")).await.unwrap().len(), 3);
    // Web edits are never overwritten by the corpus.
    assert_eq!(store.seed(&seed).await.unwrap(), (0, 0));
    // Rejection keeps the proposal and the reason.
    let rejected = store.decide(p2.id, false, "superseded", &reviewer).await.unwrap();
    assert_eq!((rejected.state, rejected.decision_comment.as_deref()), (ProposalState::Rejected, Some("superseded")));

    // A proposal for an assessment that does not exist yet creates it on approval.
    let p3 = store.propose(&key("al", "csar-a"), &data, "first look", &editor).await.unwrap();
    assert_eq!(p3.base_revision, 0);
    store.decide(p3.id, true, "", &reviewer).await.unwrap();
    assert_eq!(store.assessment(&key("al", "csar-a")).await.unwrap().unwrap().revision, 1);

    // Withdrawal only by the proposer.
    let p4 = store.propose(&key("al", "csar-a"), &data, "oops", &editor).await.unwrap();
    assert!(store.withdraw(p4.id, &reviewer).await.is_err());
    assert_eq!(store.withdraw(p4.id, &editor).await.unwrap().state, ProposalState::Withdrawn);

    let events = store.recent_changes(50).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "published" && e.key == key("rs", "csar-a")));
    assert!(events.iter().any(|e| e.kind == "rejected"));
    assert!(events.windows(2).all(|w| w[0].at >= w[1].at));

    // Sessions expire and disappear.
    store.create_session("tok1", &editor, "csrf1", std::time::Duration::from_secs(3600)).await.unwrap();
    let s = store.session("tok1").await.unwrap().unwrap();
    assert_eq!((s.user.username.as_str(), s.csrf_token.as_str()), ("ed", "csrf1"));
    store.create_session("tok2", &editor, "csrf2", std::time::Duration::from_micros(1)).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(store.session("tok2").await.unwrap().is_none());
    assert_eq!(store.purge_sessions().await.unwrap(), 1);
    store.delete_session("tok1").await.unwrap();
    assert!(store.session("tok1").await.unwrap().is_none());
    store.close().await;
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::sqlite_url(&dir.path().join("tomas.db"));
    exercise(Store::open(&url).await.unwrap()).await;
    // Reopening runs no migration twice and loses nothing.
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.assessments().await.unwrap().len(), 3);
    assert_eq!(store.users().await.unwrap().len(), 2);
}

#[tokio::test]
async fn postgres() {
    let Some(base) = store::testing::postgres_base_url() else {
        return;
    };
    let url = store::testing::fresh_postgres(&base).await.unwrap();
    exercise(Store::open(&url).await.unwrap()).await;
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.assessments().await.unwrap().len(), 3);
}

#[tokio::test]
async fn bad_urls_are_clear_errors() {
    let err = Store::open("mysql://x").await.unwrap_err().to_string();
    assert!(err.contains("unsupported database URL"), "{err}");
    let err = Store::open("sqlite:///nonexistent-dir/x/y.db?mode=rwc").await.unwrap_err().to_string();
    assert!(err.contains("database"), "{err}");
}

/// The store reads time from its clock: sessions expire when a `ManualClock` is moved past their
/// end (no sleeping), and publications carry the clock's time and date.
#[tokio::test]
async fn times_come_from_the_clock() {
    use std::{sync::Arc, time::Duration};
    let dir = tempfile::tempdir().unwrap();
    let url = store::sqlite_url(&dir.path().join("tomas.db"));
    // 2024-02-29T12:00:00Z.
    let noon = 1_709_208_000_000_000;
    let clock = Arc::new(store::ManualClock::new(noon));
    let store = Store::open_with_clock(&url, clock.clone()).await.unwrap();
    assert_eq!(store.now_micros(), noon);

    let editor = store.add_user("ed", "Ed", "h", Role::Editor).await.unwrap();
    assert_eq!(editor.created_at, noon);
    store.create_session("tok", &editor, "csrf", Duration::from_secs(3600)).await.unwrap();
    clock.advance(Duration::from_secs(3599));
    assert!(store.session("tok").await.unwrap().is_some());
    assert_eq!(store.purge_sessions().await.unwrap(), 0);
    clock.advance(Duration::from_secs(1));
    assert!(store.session("tok").await.unwrap().is_none(), "expired at exactly its end");
    assert_eq!(store.purge_sessions().await.unwrap(), 1);

    // A proposal made before midnight and approved after it is dated by the approval.
    let reviewer = store.add_user("rev", "Re Viewer", "h", Role::Reviewer).await.unwrap();
    let data = AssessmentData::from_assessment(&assessment("rs", "csar-a", Status::Partial));
    let p = store.propose(&key("rs", "csar-a"), &data, "", &editor).await.unwrap();
    assert_eq!(p.proposed_at, noon + 3_600_000_000);
    clock.set(noon + 12 * 3_600_000_000);
    let d = store.decide(p.id, true, "", &reviewer).await.unwrap();
    assert_eq!(d.decided_at, Some(noon + 12 * 3_600_000_000));
    let s = store.assessment(&key("rs", "csar-a")).await.unwrap().unwrap();
    assert_eq!((s.assessed.as_deref(), s.updated_at), (Some("2024-03-01"), noon + 12 * 3_600_000_000));
}
