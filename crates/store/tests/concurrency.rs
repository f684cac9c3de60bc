//! Concurrent writers wait and succeed: several tasks proposing, approving and adding users at once
//! on one database (a real SQLite file, and PostgreSQL when `TOMAS_TEST_POSTGRES_URL` is set) get
//! no error, and every write is there afterwards. Before writes began their transactions
//! immediately, SQLite answered a third of them with "database is locked".

use std::sync::Arc;

use law::{Assessment, Confidence, Loc, ProvisionRef, Status};
use store::{AssessmentData, Key, ProposalState, Role, Store};

const WRITERS: usize = 8;
const ROUNDS: usize = 12;

fn assessment(requirement: &str) -> Assessment {
    Assessment {
        jurisdiction: "rs".into(),
        requirement: requirement.into(),
        version: "com-2022".into(),
        status: Status::None,
        evidence: vec![ProvisionRef::parse("rs-criminal-code@sg-35-2019#art_185", None).unwrap()],
        rationale: "Seeded.".into(),
        recommendation: String::new(),
        sources: vec![],
        confidence: Confidence::Unverified,
        assessed: None,
        assessor: None,
        loc: Loc::default(),
    }
}

async fn hammer(store: Store) {
    let seed: Vec<Assessment> = (0..WRITERS).map(|w| assessment(&format!("csar-w{w}"))).collect();
    store.seed(&seed).await.unwrap();
    let store = Arc::new(store);
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        let seed = seed[w].clone();
        tasks.push(tokio::spawn(async move {
            let editor = store.add_user(&format!("ed{w}"), "Editor", "h", Role::Editor).await?;
            let reviewer = store.add_user(&format!("rev{w}"), "Reviewer", "h", Role::Reviewer).await?;
            let key = Key { jurisdiction: "rs".into(), requirement: seed.requirement.clone(), version: seed.version };
            for round in 0..ROUNDS {
                let mut data = AssessmentData::from_assessment(&assessment(&key.requirement));
                data.rationale = format!("writer {w} round {round}");
                let p = store.propose(&key, &data, "concurrent", &editor).await?;
                store.decide(p.id, true, "ok", &reviewer).await?;
                // Login bookkeeping, sessions and withdrawals write beside them, as on a busy server.
                store.record_login_failure(&[&format!("user:x{w}")], round as i64 + 1, 0).await?;
                store.clear_login_failures(&format!("user:x{w}")).await?;
                let token = format!("token-{w}-{round}");
                store.create_session(&token, &editor, "csrf", std::time::Duration::from_secs(60)).await?;
                store.delete_session(&token).await?;
                let withdrawn = store.propose(&key, &data, "to withdraw", &editor).await?;
                store.withdraw(withdrawn.id, &editor).await?;
            }
            Ok::<_, store::StoreError>(())
        }));
    }
    let mut errors = Vec::new();
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            errors.push(e.to_string());
        }
    }
    assert!(errors.is_empty(), "{} writers failed: {errors:?}", errors.len());
    // Every write is there: one published revision per round on top of the seed, and every proposal approved.
    for w in 0..WRITERS {
        let key = Key { jurisdiction: "rs".into(), requirement: format!("csar-w{w}"), version: "com-2022".into() };
        let now = store.assessment(&key).await.unwrap().unwrap();
        assert_eq!(now.revision, 1 + ROUNDS as i64, "writer {w}");
        assert_eq!(now.data.rationale, format!("writer {w} round {}", ROUNDS - 1));
        assert_eq!(store.history(&key).await.unwrap().len(), 1 + ROUNDS);
    }
    let approved = store.proposals(Some(ProposalState::Approved), 10_000).await.unwrap();
    assert_eq!(approved.len(), WRITERS * ROUNDS);
    let withdrawn = store.proposals(Some(ProposalState::Withdrawn), 10_000).await.unwrap();
    assert_eq!(withdrawn.len(), WRITERS * ROUNDS);
    assert_eq!(store.users().await.unwrap().len(), 2 * WRITERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_writers_wait_and_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::sqlite_url(&dir.path().join("tomas.db"));
    hammer(Store::open(&url).await.unwrap()).await;
}

/// Two stores on one file, as two processes (`tomas serve` and `tomas user add`) would have.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_handles_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::sqlite_url(&dir.path().join("tomas.db"));
    let a = Store::open(&url).await.unwrap();
    let b = Store::open(&url).await.unwrap();
    let seed: Vec<Assessment> = (0..4).map(|w| assessment(&format!("csar-h{w}"))).collect();
    a.seed(&seed).await.unwrap();
    let mut tasks = Vec::new();
    for (w, store) in [a.clone(), b.clone(), a.clone(), b.clone()].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let editor = store.add_user(&format!("e{w}"), "E", "h", Role::Editor).await?;
            let reviewer = store.add_user(&format!("r{w}"), "R", "h", Role::Reviewer).await?;
            let key = Key { jurisdiction: "rs".into(), requirement: format!("csar-h{w}"), version: "com-2022".into() };
            for round in 0..ROUNDS {
                let mut data = AssessmentData::from_assessment(&assessment(&key.requirement));
                data.rationale = format!("{w}/{round}");
                let p = store.propose(&key, &data, "", &editor).await?;
                store.decide(p.id, true, "", &reviewer).await?;
            }
            Ok::<_, store::StoreError>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(b.proposals(Some(ProposalState::Approved), 10_000).await.unwrap().len(), 4 * ROUNDS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_writers_wait_and_succeed() {
    let Some(base) = store::testing::postgres_base_url() else {
        return;
    };
    let url = store::testing::fresh_postgres(&base).await.unwrap();
    hammer(Store::open(&url).await.unwrap()).await;
}

/// Reviewers approving rival proposals, all made against the same revision, at the same moment:
/// exactly one is published, the others are refused as stale, and no revision is written twice.
/// On PostgreSQL (read committed) a publication used to overwrite one committed in between, both
/// approvals succeeding with the same revision number.
/// With `seeded = false` the first round creates the assessment: rival inserts of one row.
async fn rival_approvals(store: Store, seeded: bool) {
    const RIVALS: usize = 6;
    if seeded {
        store.seed(&[assessment("csar-rival")]).await.unwrap();
    }
    let key = Key { jurisdiction: "rs".into(), requirement: "csar-rival".into(), version: "com-2022".into() };
    let editor = store.add_user("ed", "Editor", "h", Role::Editor).await.unwrap();
    let mut reviewers = Vec::new();
    for r in 0..RIVALS {
        reviewers.push(store.add_user(&format!("rev{r}"), "Reviewer", "h", Role::Reviewer).await.unwrap());
    }
    let store = Arc::new(store);
    for round in 0..ROUNDS {
        let mut proposals = Vec::new();
        for r in 0..RIVALS {
            let mut data = AssessmentData::from_assessment(&assessment(&key.requirement));
            data.rationale = format!("round {round} rival {r}");
            proposals.push(store.propose(&key, &data, "", &editor).await.unwrap());
        }
        let start = Arc::new(tokio::sync::Barrier::new(RIVALS));
        let mut tasks = Vec::new();
        for (p, reviewer) in proposals.into_iter().zip(reviewers.clone()) {
            let (store, start) = (store.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                store.decide(p.id, true, "", &reviewer).await
            }));
        }
        let mut published = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => published += 1,
                Err(store::StoreError::Conflict(_)) => {}
                Err(e) => panic!("round {round}: {e}"),
            }
        }
        assert_eq!(published, 1, "round {round}: {published} rival approvals were published");
    }
    let history = store.history(&key).await.unwrap();
    let mut revisions: Vec<i64> = history.iter().map(|h| h.revision).collect();
    revisions.dedup();
    assert_eq!(revisions.len(), history.len(), "a revision was written twice: {revisions:?}");
    assert_eq!(store.assessment(&key).await.unwrap().unwrap().revision, i64::from(seeded) + ROUNDS as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_rival_approvals() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::sqlite_url(&dir.path().join("tomas.db"));
    rival_approvals(Store::open(&url).await.unwrap(), true).await;
    let dir = tempfile::tempdir().unwrap();
    let url = store::sqlite_url(&dir.path().join("tomas.db"));
    rival_approvals(Store::open(&url).await.unwrap(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_rival_approvals() {
    let Some(base) = store::testing::postgres_base_url() else {
        return;
    };
    let url = store::testing::fresh_postgres(&base).await.unwrap();
    rival_approvals(Store::open(&url).await.unwrap(), true).await;
    // Rival first publications insert the same row: the loser is told it is stale, not given a 500.
    let url = store::testing::fresh_postgres(&base).await.unwrap();
    rival_approvals(Store::open(&url).await.unwrap(), false).await;
}
