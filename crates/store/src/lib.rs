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
//!
//! Where things are, by aggregate: `assessments` (published state, history, seeding, recent
//! changes), `proposals` (propose, decide, withdraw), `workflow` (the review rules as pure
//! functions: four eyes, who withdraws, stale revisions), `accounts` (users, sessions), `throttle`
//! (failed logins), `migrate` (the embedded schema), `rows` (row decoding), `clock` (time, and a
//! clock tests can set). This file holds the [`Store`] handle, its errors and the write-transaction
//! helpers every aggregate uses.

mod accounts;
mod assessments;
mod clock;
mod migrate;
mod proposals;
mod rows;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod throttle;
pub mod workflow;

use std::{sync::Arc, time::Duration};

use sqlx::{AnyPool, Row, any::AnyPoolOptions};

pub use accounts::{Role, Session, User, check_display_name, valid_username};
pub use assessments::{AssessmentData, Event, HistoryEntry, Key, Stored};
pub use clock::{Clock, ManualClock, SystemClock, civil_date, now_micros, utc_rfc3339};
pub use proposals::{Proposal, ProposalState};
pub use workflow::{Decision, WorkflowError};

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

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time: this process's writers queue here instead of polling the
    /// file lock (other processes still wait through `busy_timeout`).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Every time the store writes (proposed, decided, created, expires) comes from here.
    clock: Arc<dyn Clock>,
}

/// A write transaction, holding this process's writer slot on SQLite until it ends.
pub(crate) struct WriteTx<'a> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _slot: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl WriteTx<'_> {
    pub(crate) async fn commit(self) -> Result<()> {
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
    /// A failure that a fresh attempt of the same transaction can succeed where this one did not:
    /// a serialisation failure or deadlock, a busy SQLite file, or a unique key another writer
    /// inserted first (the next attempt sees that row and decides accordingly, e.g. "stale").
    fn is_transient(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(
                    e.code().as_deref(),
                    Some("40001" | "40P01" | "5" | "6" | "517" | "261" | "23505" | "2067" | "1555")
                ) || e.message().contains("database is locked")
            }
            _ => false,
        }
    }
}

/// Runs a write until it succeeds, fails for good, or has lost [`WRITE_ATTEMPTS`] races; each
/// attempt is a whole transaction, so a retried one starts from a fresh view of the data.
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T>
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
    /// Connects (`sqlite://…` or `postgres://…`) and brings the schema up to date; times come from
    /// the system clock.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with_clock(url, Arc::new(SystemClock)).await
    }

    /// [`Store::open`] with the times taken from `clock` (a [`ManualClock`] in tests).
    pub async fn open_with_clock(url: &str, clock: Arc<dyn Clock>) -> Result<Store> {
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
        migrate::run(&pool).await?;
        Ok(Store { pool, backend, writer: Arc::new(tokio::sync::Mutex::new(())), clock })
    }

    /// The current time on this store's clock (Unix µs).
    pub fn now_micros(&self) -> i64 {
        self.clock.now_micros()
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and then writes cannot wait for
    /// the lock (SQLite answers "database is locked" at once, whatever `busy_timeout` says), while
    /// an immediate one waits its turn. Writers of this process queue in-process first.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>> {
        match self.backend {
            Backend::Sqlite => {
                let slot = self.writer.lock().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx { tx, _slot: Some(slot) })
            }
            Backend::Postgres => Ok(WriteTx { tx: self.pool.begin().await?, _slot: None }),
        }
    }

    /// One statement that writes, through the same writer queue and retry as the transactions
    /// (on SQLite a bare statement would poll the file lock instead of queueing); `make` builds
    /// the statement afresh for each attempt. Returns the rows affected.
    pub(crate) async fn write_one<'q, F>(&self, make: F) -> Result<u64>
    where
        F: Fn() -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    {
        let make = &make;
        retrying(|| async move {
            let mut tx = self.begin_write().await?;
            let affected = make().execute(&mut **tx).await?.rows_affected();
            tx.commit().await?;
            Ok(affected)
        })
        .await
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
    pub(crate) async fn next_id(tx: &mut sqlx::Transaction<'_, sqlx::Any>, name: &str) -> Result<i64> {
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
}

fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => url.to_string(),
    }
}
