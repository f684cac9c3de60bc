//! Persistence for the alignment platform: the published assessments and their full history,
//! proposals and reviews, users and sessions.
//!
//! One code path for both backends: SQLite (the embedded default, a file in the data directory) and
//! PostgreSQL (shared deployments), through sqlx's `Any` driver. The migrations in `migrations/` use
//! portable DDL only (TEXT and BIGINT columns, ids from a `counters` table, times in Unix
//! microseconds), so the very same files run on both, and so do the integration tests.
//!
//! Every write that changes more than one row runs in one transaction: a failed request leaves
//! nothing half-written. SQLite runs in WAL mode with `synchronous = FULL`, so an acknowledged write
//! survives a restart (and a power cut).

use std::{
    str::FromStr,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use law::{Assessment, Confidence, Loc, ProvisionRef, Status};
use serde::{Deserialize, Serialize};
use sqlx::{
    AnyPool, Row,
    any::{AnyPoolOptions, AnyRow},
};

/// The migrations, embedded in the binary (the `migrate!` macro would pull in sqlx's proc macros).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (2, "login_failures", include_str!("../migrations/0002_login_failures.sql")),
];

#[derive(Debug)]
struct Embedded;

impl sqlx::migrate::MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>> + Send>,
    > {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|&(version, name, sql)| {
                    sqlx::migrate::Migration::new(
                        version,
                        name.into(),
                        sqlx::migrate::MigrationType::Simple,
                        sql.into(),
                        false,
                    )
                })
                .collect())
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// The user may not do this (e.g. approve their own proposal).
    #[error("{0}")]
    Forbidden(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

/// Text a user typed may hold line breaks and tabs but no other control characters (PostgreSQL
/// refuses NUL in text, and the rest has no place in legal prose), and no bidirectional embedding,
/// override or isolate characters (U+202A–U+202E, U+2066–U+2069), which make text display in an
/// order other than the one it is stored in — "Art. 185" could read as something else. Right-to-left
/// scripts need none of them. An error names the field and the character.
pub fn check_text(field: &str, text: &str) -> Result<()> {
    match text.chars().find(|&c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c)) {
        Some(c) if is_bidi_control(c) => Err(StoreError::Invalid(format!(
            "{field}: contains the bidirectional control character U+{:04X}, which can make text read differently from what is stored",
            c as u32
        ))),
        Some(c) => Err(StoreError::Invalid(format!("{field}: contains the control character U+{:04X}", c as u32))),
        None => Ok(()),
    }
}

/// Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The rule for usernames: 1–64 ASCII letters, digits, '.', '_', '-', '@'.
pub fn valid_username(username: &str) -> bool {
    !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Editor,
    Reviewer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Reviewer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    /// May propose changes to assessments.
    pub fn can_propose(self) -> bool {
        self >= Role::Editor
    }

    /// May approve or reject proposals.
    pub fn can_review(self) -> bool {
        self >= Role::Reviewer
    }

    /// May manage users.
    pub fn can_admin(self) -> bool {
        self == Role::Admin
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role '{s}' (viewer, editor, reviewer, admin)"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: i64,
    pub disabled: bool,
}

/// (jurisdiction, requirement, version): what an assessment is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub jurisdiction: String,
    pub requirement: String,
    pub version: String,
}

/// The editable content of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentData {
    pub status: Status,
    /// National provisions, `instrument@version#eid`.
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub recommendation: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub confidence: Confidence,
}

impl AssessmentData {
    pub fn from_assessment(a: &Assessment) -> AssessmentData {
        AssessmentData {
            status: a.status,
            evidence: a.evidence.iter().map(ToString::to_string).collect(),
            rationale: a.rationale.clone(),
            recommendation: a.recommendation.clone(),
            sources: a.sources.clone(),
            confidence: a.confidence,
        }
    }
}

/// The published state of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub key: Key,
    pub data: AssessmentData,
    pub assessed: Option<String>,
    pub assessor: Option<String>,
    pub revision: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

impl Stored {
    /// As a `law::Assessment` (evidence references that no longer parse are dropped).
    pub fn to_assessment(&self) -> Assessment {
        Assessment {
            jurisdiction: self.key.jurisdiction.clone(),
            requirement: self.key.requirement.clone(),
            version: self.key.version.clone(),
            status: self.data.status,
            evidence: self.data.evidence.iter().filter_map(|e| ProvisionRef::parse(e, None).ok()).collect(),
            rationale: self.data.rationale.clone(),
            recommendation: self.data.recommendation.clone(),
            sources: self.data.sources.clone(),
            confidence: self.data.confidence,
            assessed: self.assessed.clone(),
            assessor: self.assessor.clone(),
            loc: Loc { file: "database".into(), line: 0 },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub key: Key,
    pub revision: i64,
    pub data: AssessmentData,
    pub changed_at: i64,
    pub changed_by: String,
    pub proposal_id: Option<i64>,
    pub comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Pending => "pending",
            ProposalState::Approved => "approved",
            ProposalState::Rejected => "rejected",
            ProposalState::Withdrawn => "withdrawn",
        }
    }

    fn parse(s: &str) -> Result<ProposalState> {
        match s {
            "pending" => Ok(ProposalState::Pending),
            "approved" => Ok(ProposalState::Approved),
            "rejected" => Ok(ProposalState::Rejected),
            "withdrawn" => Ok(ProposalState::Withdrawn),
            other => Err(StoreError::Corrupt(format!("proposal state '{other}'"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub key: Key,
    /// The revision of the published assessment the proposal was made against.
    pub base_revision: i64,
    pub data: AssessmentData,
    pub note: String,
    pub state: ProposalState,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_comment: Option<String>,
}

/// A site-wide event for "recent changes".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub at: i64,
    pub kind: &'static str,
    pub key: Key,
    pub who: String,
    pub proposal_id: Option<i64>,
    pub summary: String,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time: this process's writers queue here instead of polling the
    /// file lock (other processes still wait through `busy_timeout`).
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction, holding this process's writer slot on SQLite until it ends.
struct WriteTx<'a> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _slot: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl WriteTx<'_> {
    async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = sqlx::Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// How often a write that lost a race on the database (PostgreSQL serialisation failure or
/// deadlock, SQLite busy past its timeout) is tried again before the error is reported.
const WRITE_ATTEMPTS: u32 = 6;

impl StoreError {
    /// A failure that a fresh attempt of the same transaction can succeed where this one did not.
    fn is_transient(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("40001" | "40P01" | "5" | "6" | "517" | "261"))
                    || e.message().contains("database is locked")
            }
            _ => false,
        }
    }
}

/// Runs a write until it succeeds, fails for good, or has lost [`WRITE_ATTEMPTS`] races; each
/// attempt is a whole transaction, so a retried one starts from a fresh view of the data.
async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if e.is_transient() && tries + 1 < WRITE_ATTEMPTS => {
                tries += 1;
                tracing::debug!(error = %e, tries, "write lost a race; trying again");
                tokio::time::sleep(Duration::from_millis(5 << tries)).await;
            }
            other => return other,
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend)
    }
}

/// The SQLite URL for a database file, created when missing.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

impl Store {
    /// Connects (`sqlite://…` or `postgres://…`) and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "unsupported database URL '{}' (use sqlite://PATH or postgres://…)",
                redact(url)
            )));
        };
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; FULL makes an acknowledged commit durable.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(url).await?;
        sqlx::migrate::Migrator::new(Embedded).await?.run(&pool).await?;
        Ok(Store { pool, backend, writer: Arc::new(tokio::sync::Mutex::new(())) })
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and then writes cannot wait for
    /// the lock (SQLite answers "database is locked" at once, whatever `busy_timeout` says), while
    /// an immediate one waits its turn. Writers of this process queue in-process first.
    async fn begin_write(&self) -> Result<WriteTx<'_>> {
        match self.backend {
            Backend::Sqlite => {
                let slot = self.writer.lock().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx { tx, _slot: Some(slot) })
            }
            Backend::Postgres => Ok(WriteTx { tx: self.pool.begin().await?, _slot: None }),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Cheap liveness check.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The next value of a named counter, inside `tx`.
    async fn next_id(tx: &mut sqlx::Transaction<'_, sqlx::Any>, name: &str) -> Result<i64> {
        let row = sqlx::query("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// A number that changes whenever the published state changes (for caches and other instances).
    pub async fn data_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT value FROM counters WHERE name = 'history'").fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    // ── Assessments ────────────────────────────────────────────────────────────

    /// Brings the database in line with the shipped corpus without ever overwriting an edit made
    /// on the web: inserts the corpus assessments the database does not have yet (first start, new
    /// requirements), and updates rows nobody has edited (last written by "corpus") whose content
    /// changed in a newer corpus. Each change is a new revision in the history.
    /// Returns (added, updated).
    pub async fn seed(&self, assessments: &[Assessment]) -> Result<(usize, usize)> {
        retrying(|| self.seed_once(assessments)).await
    }

    async fn seed_once(&self, assessments: &[Assessment]) -> Result<(usize, usize)> {
        let mut tx = self.begin_write().await?;
        let existing: std::collections::HashMap<Key, Stored> = sqlx::query(SELECT_ASSESSMENT)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| stored_from_row(r).map(|s| (s.key.clone(), s)))
            .collect::<Result<_>>()?;
        let now = now_micros();
        let (mut added, mut updated) = (0, 0);
        for a in assessments {
            let key = Key {
                jurisdiction: a.jurisdiction.clone(),
                requirement: a.requirement.clone(),
                version: a.version.clone(),
            };
            let data = AssessmentData::from_assessment(a);
            match existing.get(&key) {
                None => {
                    insert_assessment(
                        &mut tx,
                        &key,
                        &data,
                        a.assessed.as_deref(),
                        a.assessor.as_deref(),
                        1,
                        now,
                        "corpus",
                    )
                    .await?;
                    let id = Self::next_id(&mut tx, "history").await?;
                    insert_history(&mut tx, id, &key, 1, &data, now, "corpus", None, "Seeded from the shipped corpus")
                        .await?;
                    added += 1;
                }
                Some(s)
                    if s.updated_by == "corpus"
                        && (s.data != data || s.assessed != a.assessed || s.assessor != a.assessor) =>
                {
                    let revision = s.revision + 1;
                    sqlx::query(
                        "DELETE FROM assessments WHERE jurisdiction = $1 AND requirement = $2 AND version = $3",
                    )
                    .bind(&key.jurisdiction)
                    .bind(&key.requirement)
                    .bind(&key.version)
                    .execute(&mut **tx)
                    .await?;
                    insert_assessment(
                        &mut tx,
                        &key,
                        &data,
                        a.assessed.as_deref(),
                        a.assessor.as_deref(),
                        revision,
                        now,
                        "corpus",
                    )
                    .await?;
                    let id = Self::next_id(&mut tx, "history").await?;
                    insert_history(
                        &mut tx,
                        id,
                        &key,
                        revision,
                        &data,
                        now,
                        "corpus",
                        None,
                        "Updated from the shipped corpus",
                    )
                    .await?;
                    updated += 1;
                }
                Some(_) => {}
            }
        }
        tx.commit().await?;
        Ok((added, updated))
    }

    pub async fn assessments(&self) -> Result<Vec<Stored>> {
        let rows = sqlx::query(&format!("{SELECT_ASSESSMENT} ORDER BY jurisdiction, requirement, version"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(stored_from_row).collect()
    }

    pub async fn assessment(&self, key: &Key) -> Result<Option<Stored>> {
        if [&key.jurisdiction, &key.requirement, &key.version].iter().any(|p| check_text("key", p).is_err()) {
            return Ok(None);
        }
        let row =
            sqlx::query(&format!("{SELECT_ASSESSMENT} WHERE jurisdiction = $1 AND requirement = $2 AND version = $3"))
                .bind(&key.jurisdiction)
                .bind(&key.requirement)
                .bind(&key.version)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(stored_from_row).transpose()
    }

    pub async fn history(&self, key: &Key) -> Result<Vec<HistoryEntry>> {
        if [&key.jurisdiction, &key.requirement, &key.version].iter().any(|p| check_text("key", p).is_err()) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!("{SELECT_HISTORY} WHERE jurisdiction = $1 AND requirement = $2 AND version = $3 ORDER BY revision DESC, id DESC"))
            .bind(&key.jurisdiction)
            .bind(&key.requirement)
            .bind(&key.version)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(history_from_row).collect()
    }

    /// Proposals, decisions and publications, newest first.
    pub async fn recent_changes(&self, limit: i64) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        let rows = sqlx::query(&format!(
            "{SELECT_HISTORY} WHERE changed_by <> 'corpus' ORDER BY changed_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        for h in rows.iter().map(history_from_row) {
            let h = h?;
            events.push(Event {
                at: h.changed_at,
                kind: "published",
                summary: format!("status {}: {}", h.data.status, h.comment),
                key: h.key,
                who: h.changed_by,
                proposal_id: h.proposal_id,
            });
        }
        let rows = sqlx::query(&format!("{SELECT_PROPOSAL} ORDER BY p.proposed_at DESC, p.id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        for p in rows.iter().map(proposal_from_row) {
            let p = p?;
            events.push(Event {
                at: p.proposed_at,
                kind: "proposed",
                summary: format!("status {}: {}", p.data.status, p.note),
                key: p.key.clone(),
                who: p.proposed_by.clone(),
                proposal_id: Some(p.id),
            });
            if let (Some(at), Some(who)) = (p.decided_at, &p.decided_by) {
                if p.state == ProposalState::Rejected || p.state == ProposalState::Withdrawn {
                    events.push(Event {
                        at,
                        kind: p.state.as_str(),
                        summary: p.decision_comment.clone().unwrap_or_default(),
                        key: p.key.clone(),
                        who: who.clone(),
                        proposal_id: Some(p.id),
                    });
                }
            }
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.at));
        events.truncate(limit.max(0) as usize);
        Ok(events)
    }

    // ── Proposals ──────────────────────────────────────────────────────────────

    /// Records a proposal against the current revision of the assessment (0 if none exists).
    /// Validation of the content against the corpus is the caller's job.
    pub async fn propose(&self, key: &Key, data: &AssessmentData, note: &str, by: &User) -> Result<Proposal> {
        retrying(|| self.propose_once(key, data, note, by)).await
    }

    async fn propose_once(&self, key: &Key, data: &AssessmentData, note: &str, by: &User) -> Result<Proposal> {
        // What cannot be published is refused here, not at approval.
        check_text("rationale", &data.rationale)?;
        check_text("recommendation", &data.recommendation)?;
        check_text("note", note)?;
        for (field, items) in [("evidence", &data.evidence), ("sources", &data.sources)] {
            for item in items {
                check_text(field, item)?;
            }
        }
        let mut tx = self.begin_write().await?;
        let base: i64 = sqlx::query(
            "SELECT revision FROM assessments WHERE jurisdiction = $1 AND requirement = $2 AND version = $3",
        )
        .bind(&key.jurisdiction)
        .bind(&key.requirement)
        .bind(&key.version)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?
        .unwrap_or(0);
        let id = Self::next_id(&mut tx, "proposal").await?;
        let json = serde_json::to_string(data).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO proposals (id, jurisdiction, requirement, version, base_revision, data, note, state, proposed_by, proposed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)",
        )
        .bind(id)
        .bind(&key.jurisdiction)
        .bind(&key.requirement)
        .bind(&key.version)
        .bind(base)
        .bind(json)
        .bind(note)
        .bind(by.id)
        .bind(now_micros())
        .execute(&mut **tx)
        .await?;
        tx.commit().await?;
        self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }

    pub async fn proposal(&self, id: i64) -> Result<Option<Proposal>> {
        let row =
            sqlx::query(&format!("{SELECT_PROPOSAL} WHERE p.id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(proposal_from_row).transpose()
    }

    /// Proposals in a state (all when `None`), newest first.
    pub async fn proposals(&self, state: Option<ProposalState>, limit: i64) -> Result<Vec<Proposal>> {
        let rows = match state {
            Some(s) => {
                sqlx::query(&format!("{SELECT_PROPOSAL} WHERE p.state = $1 ORDER BY p.id DESC LIMIT $2"))
                    .bind(s.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(&format!("{SELECT_PROPOSAL} ORDER BY p.id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(proposal_from_row).collect()
    }

    pub async fn proposals_for(&self, key: &Key) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "{SELECT_PROPOSAL} WHERE p.jurisdiction = $1 AND p.requirement = $2 AND p.version = $3 ORDER BY p.id DESC"
        ))
        .bind(&key.jurisdiction)
        .bind(&key.requirement)
        .bind(&key.version)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// Approves (publishing the proposal as the new state, in the same transaction) or rejects a
    /// pending proposal. Approval fails with a conflict when the assessment changed since the
    /// proposal was made.
    pub async fn decide(&self, id: i64, approve: bool, comment: &str, by: &User) -> Result<Proposal> {
        retrying(|| self.decide_once(id, approve, comment, by)).await
    }

    async fn decide_once(&self, id: i64, approve: bool, comment: &str, by: &User) -> Result<Proposal> {
        check_text("comment", comment)?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("{SELECT_PROPOSAL} WHERE p.id = $1")).bind(id).fetch_optional(&mut **tx).await?;
        let p = row
            .as_ref()
            .map(proposal_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        if p.state != ProposalState::Pending {
            return Err(StoreError::Conflict(format!("proposal {id} is already {}", p.state.as_str())));
        }
        // Four eyes: whoever proposed a change cannot publish it.
        if approve && p.proposed_by == by.username {
            return Err(StoreError::Forbidden(format!(
                "proposal {id} is yours: another reviewer must approve it (you may withdraw it)"
            )));
        }
        let now = now_micros();
        let state = if approve { ProposalState::Approved } else { ProposalState::Rejected };
        // Guarded update: a concurrent decision on the same proposal finds no pending row.
        let updated = sqlx::query("UPDATE proposals SET state = $1, decided_by = $2, decided_at = $3, decision_comment = $4 WHERE id = $5 AND state = 'pending'")
            .bind(state.as_str())
            .bind(by.id)
            .bind(now)
            .bind(comment)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("proposal {id} was decided by someone else")));
        }
        if approve {
            let current: Option<i64> = sqlx::query(
                "SELECT revision FROM assessments WHERE jurisdiction = $1 AND requirement = $2 AND version = $3",
            )
            .bind(&p.key.jurisdiction)
            .bind(&p.key.requirement)
            .bind(&p.key.version)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?;
            if current.unwrap_or(0) != p.base_revision {
                return Err(StoreError::Conflict(format!(
                    "the assessment changed since proposal {id} was made (revision {} → {}); reject it and propose again",
                    p.base_revision,
                    current.unwrap_or(0)
                )));
            }
            let revision = p.base_revision + 1;
            let assessed = civil_date(now);
            let who = by.display_name.clone();
            match current {
                Some(_) => {
                    sqlx::query(
                        "UPDATE assessments SET status = $1, evidence = $2, rationale = $3, recommendation = $4, sources = $5, confidence = $6, \
                         assessed = $7, assessor = $8, revision = $9, updated_at = $10, updated_by = $11 \
                         WHERE jurisdiction = $12 AND requirement = $13 AND version = $14",
                    )
                    .bind(p.data.status.as_str())
                    .bind(json(&p.data.evidence))
                    .bind(&p.data.rationale)
                    .bind(&p.data.recommendation)
                    .bind(json(&p.data.sources))
                    .bind(p.data.confidence.as_str())
                    .bind(&assessed)
                    .bind(&p.proposed_by)
                    .bind(revision)
                    .bind(now)
                    .bind(&who)
                    .bind(&p.key.jurisdiction)
                    .bind(&p.key.requirement)
                    .bind(&p.key.version)
                    .execute(&mut **tx)
                    .await?;
                }
                None => {
                    insert_assessment(
                        &mut tx,
                        &p.key,
                        &p.data,
                        Some(&assessed),
                        Some(&p.proposed_by),
                        revision,
                        now,
                        &who,
                    )
                    .await?
                }
            }
            let hid = Self::next_id(&mut tx, "history").await?;
            let comment = if comment.trim().is_empty() {
                format!("Approved proposal {id}")
            } else {
                format!("Approved proposal {id}: {comment}")
            };
            insert_history(&mut tx, hid, &p.key, revision, &p.data, now, &who, Some(id), &comment).await?;
        }
        tx.commit().await?;
        self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }

    /// The proposer withdraws a pending proposal.
    pub async fn withdraw(&self, id: i64, by: &User) -> Result<Proposal> {
        let p = self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        if p.proposed_by != by.username {
            return Err(StoreError::Invalid("only the proposer can withdraw a proposal".into()));
        }
        let updated = sqlx::query("UPDATE proposals SET state = 'withdrawn', decided_by = $1, decided_at = $2 WHERE id = $3 AND state = 'pending'")
            .bind(by.id)
            .bind(now_micros())
            .bind(id)
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("proposal {id} is not pending")));
        }
        self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }

    // ── Users and sessions ─────────────────────────────────────────────────────

    /// Adds a user; the password hash is computed by the caller.
    pub async fn add_user(&self, username: &str, display_name: &str, password_hash: &str, role: Role) -> Result<User> {
        retrying(|| self.add_user_once(username, display_name, password_hash, role)).await
    }

    async fn add_user_once(&self, username: &str, display_name: &str, password_hash: &str, role: Role) -> Result<User> {
        if !valid_username(username) {
            return Err(StoreError::Invalid(format!(
                "username '{username}': use 1–64 letters, digits, '.', '_', '-', '@'"
            )));
        }
        check_text("display_name", display_name)?;
        let mut tx = self.begin_write().await?;
        // Unique regardless of case: "Ana" and "ana" would share a login throttle and confuse people.
        let exists = sqlx::query("SELECT id FROM users WHERE LOWER(username) = LOWER($1)")
            .bind(username)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("user '{username}' already exists")));
        }
        let id = Self::next_id(&mut tx, "user").await?;
        sqlx::query("INSERT INTO users (id, username, display_name, password_hash, role, created_at, disabled) VALUES ($1, $2, $3, $4, $5, $6, 0)")
            .bind(id)
            .bind(username)
            .bind(display_name)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(now_micros())
            .execute(&mut **tx)
            .await?;
        tx.commit().await?;
        self.user(id).await?.ok_or_else(|| StoreError::NotFound(format!("user {id}")))
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(&format!("{SELECT_USER} WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!("{SELECT_USER} ORDER BY id")).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// The user and their password hash, for logging in.
    pub async fn credentials(&self, username: &str) -> Result<Option<(User, String)>> {
        if !valid_username(username) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT id, username, display_name, role, created_at, disabled, password_hash FROM users WHERE LOWER(username) = LOWER($1)")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some((user_from_row(&r)?, r.try_get::<String, _>(6)?))),
            None => Ok(None),
        }
    }

    pub async fn set_role(&self, username: &str, role: Role) -> Result<()> {
        let done = sqlx::query("UPDATE users SET role = $1 WHERE LOWER(username) = LOWER($2)")
            .bind(role.as_str())
            .bind(username)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user '{username}'")));
        }
        Ok(())
    }

    pub async fn create_session(&self, token_hash: &str, user: &User, csrf_token: &str, ttl: Duration) -> Result<()> {
        let now = now_micros();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user.id)
            .bind(csrf_token)
            .bind(now)
            .bind(now + ttl.as_micros() as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The live session with this token hash (expired sessions and disabled users give `None`).
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.created_at, u.disabled, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let user = user_from_row(&r)?;
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(Session { user, csrf_token: r.try_get(6)?, expires_at: r.try_get(7)? }))
    }

    /// For each throttling key, the failed logins since `since` (Unix µs): how many, and the oldest.
    pub async fn login_failures(&self, keys: &[&str], since: i64) -> Result<Vec<(String, i64, i64)>> {
        let mut out = Vec::new();
        for key in keys {
            let row = sqlx::query("SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at > $2")
                .bind(*key)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
            let count: i64 = row.try_get(0)?;
            if count > 0 {
                out.push((key.to_string(), count, row.try_get::<i64, _>(1)?));
            }
        }
        Ok(out)
    }

    /// Records a failed login under each key and forgets failures older than `forget_before`.
    pub async fn record_login_failure(&self, keys: &[&str], at: i64, forget_before: i64) -> Result<()> {
        retrying(|| self.record_login_failure_once(keys, at, forget_before)).await
    }

    async fn record_login_failure_once(&self, keys: &[&str], at: i64, forget_before: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at <= $1").bind(forget_before).execute(&mut **tx).await?;
        for key in keys {
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                .bind(*key)
                .bind(at)
                .execute(&mut **tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes the rows one attempt recorded at `at` (it was refused unchecked, or it succeeded).
    pub async fn remove_login_attempt(&self, keys: &[&str], at: i64) -> Result<()> {
        for key in keys {
            sqlx::query("DELETE FROM login_failures WHERE key = $1 AND at = $2")
                .bind(*key)
                .bind(at)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Forgets the failed logins under a key (after a successful login).
    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_micros())
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}

fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => url.to_string(),
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// YYYY-MM-DD (UTC) of a time in microseconds.
pub fn civil_date(micros: i64) -> String {
    let days = micros.div_euclid(86_400_000_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[allow(clippy::too_many_arguments)]
async fn insert_assessment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &Key,
    data: &AssessmentData,
    assessed: Option<&str>,
    assessor: Option<&str>,
    revision: i64,
    now: i64,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assessments (jurisdiction, requirement, version, status, evidence, rationale, recommendation, sources, confidence, \
         assessed, assessor, revision, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&key.jurisdiction)
    .bind(&key.requirement)
    .bind(&key.version)
    .bind(data.status.as_str())
    .bind(json(&data.evidence))
    .bind(&data.rationale)
    .bind(&data.recommendation)
    .bind(json(&data.sources))
    .bind(data.confidence.as_str())
    .bind(assessed.map(str::to_string))
    .bind(assessor.map(str::to_string))
    .bind(revision)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_history(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    key: &Key,
    revision: i64,
    data: &AssessmentData,
    at: i64,
    by: &str,
    proposal: Option<i64>,
    comment: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assessment_history (id, jurisdiction, requirement, version, revision, data, changed_at, changed_by, proposal_id, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(&key.jurisdiction)
    .bind(&key.requirement)
    .bind(&key.version)
    .bind(revision)
    .bind(json(data))
    .bind(at)
    .bind(by)
    .bind(proposal)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const SELECT_ASSESSMENT: &str = "SELECT jurisdiction, requirement, version, status, evidence, rationale, recommendation, sources, confidence, \
     assessed, assessor, revision, updated_at, updated_by FROM assessments";
const SELECT_HISTORY: &str = "SELECT id, jurisdiction, requirement, version, revision, data, changed_at, changed_by, proposal_id, comment FROM assessment_history";
const SELECT_PROPOSAL: &str = "SELECT p.id, p.jurisdiction, p.requirement, p.version, p.base_revision, p.data, p.note, p.state, \
     u.username, p.proposed_at, d.username, p.decided_at, p.decision_comment \
     FROM proposals p JOIN users u ON u.id = p.proposed_by LEFT JOIN users d ON d.id = p.decided_by";
const SELECT_USER: &str = "SELECT id, username, display_name, role, created_at, disabled FROM users";

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn key_from_row(r: &AnyRow, start: usize) -> Result<Key> {
    Ok(Key { jurisdiction: r.try_get(start)?, requirement: r.try_get(start + 1)?, version: r.try_get(start + 2)? })
}

fn stored_from_row(r: &AnyRow) -> Result<Stored> {
    let status: String = r.try_get(3)?;
    let confidence: String = r.try_get(8)?;
    Ok(Stored {
        key: key_from_row(r, 0)?,
        data: AssessmentData {
            status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status '{status}'")))?,
            evidence: parse_json(&r.try_get::<String, _>(4)?, "evidence")?,
            rationale: r.try_get(5)?,
            recommendation: r.try_get(6)?,
            sources: parse_json(&r.try_get::<String, _>(7)?, "sources")?,
            confidence: Confidence::parse(&confidence)
                .ok_or_else(|| StoreError::Corrupt(format!("confidence '{confidence}'")))?,
        },
        assessed: r.try_get(9)?,
        assessor: r.try_get(10)?,
        revision: r.try_get(11)?,
        updated_at: r.try_get(12)?,
        updated_by: r.try_get(13)?,
    })
}

fn history_from_row(r: &AnyRow) -> Result<HistoryEntry> {
    Ok(HistoryEntry {
        id: r.try_get(0)?,
        key: key_from_row(r, 1)?,
        revision: r.try_get(4)?,
        data: parse_json(&r.try_get::<String, _>(5)?, "history data")?,
        changed_at: r.try_get(6)?,
        changed_by: r.try_get(7)?,
        proposal_id: r.try_get(8)?,
        comment: r.try_get(9)?,
    })
}

fn proposal_from_row(r: &AnyRow) -> Result<Proposal> {
    Ok(Proposal {
        id: r.try_get(0)?,
        key: key_from_row(r, 1)?,
        base_revision: r.try_get(4)?,
        data: parse_json(&r.try_get::<String, _>(5)?, "proposal data")?,
        note: r.try_get(6)?,
        state: ProposalState::parse(&r.try_get::<String, _>(7)?)?,
        proposed_by: r.try_get(8)?,
        proposed_at: r.try_get(9)?,
        decided_by: r.try_get(10)?,
        decided_at: r.try_get(11)?,
        decision_comment: r.try_get(12)?,
    })
}

fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get(3)?;
    Ok(User {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        created_at: r.try_get(4)?,
        disabled: r.try_get::<i64, _>(5)? != 0,
    })
}

/// Helpers for integration tests (here and in the web crate): fresh databases on both backends.
pub mod testing {
    use sqlx::Connection;

    /// The PostgreSQL server tests should use, from `TOMAS_TEST_POSTGRES_URL`; prints why when unset.
    pub fn postgres_base_url() -> Option<String> {
        match std::env::var("TOMAS_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ => {
                eprintln!("skipping the PostgreSQL run: TOMAS_TEST_POSTGRES_URL is not set (.ci/run sets it)");
                None
            }
        }
    }

    /// Creates a new, empty database on the server of `base_url` and returns its URL. Each test gets
    /// its own, so tests run in parallel without seeing each other's rows.
    pub async fn fresh_postgres(base_url: &str) -> Result<String, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let name = format!("tomas_test_{}_{}", std::process::id(), super::now_micros());
        let mut conn = sqlx::AnyConnection::connect(base_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
        conn.close().await?;
        let (head, _) = base_url.rsplit_once('/').unwrap_or((base_url, ""));
        Ok(format!("{head}/{name}"))
    }
}
