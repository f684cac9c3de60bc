//! Application state: the database, and an immutable snapshot of the corpus with the published
//! assessments that every read request works from.
//!
//! Reads never touch the database (except for the session of a logged-in user): they use the
//! current [`Snapshot`], swapped atomically when something is published. A background task also
//! polls the database's data version, so several servers sharing one PostgreSQL database converge
//! within seconds.

use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};

use arc_swap::ArcSwap;
use law::Corpus;
use store::{Key, Store};

use crate::{Config, auth::LoginLimiter, i18n::I18n, metrics::Metrics};

/// Published state at one moment.
pub struct Snapshot {
    /// The shipped corpus with its assessments replaced by the published ones from the database.
    pub corpus: Corpus,
    /// Revision, time and author of every published assessment.
    pub meta: HashMap<Key, (i64, i64, String)>,
    pub data_version: i64,
}

/// Rendered fragments (the matrix page body, the matrix JSON) keyed by language and query, valid
/// for one data version: the expensive pages are computed once per publication, not per request.
#[derive(Default)]
pub struct RenderCache {
    inner: std::sync::Mutex<(i64, HashMap<String, Arc<str>>)>,
}

const CACHE_ENTRIES: usize = 256;

impl RenderCache {
    pub fn get_or_render<E>(
        &self,
        version: i64,
        key: &str,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<Arc<str>, E> {
        {
            let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if guard.0 == version
                && let Some(hit) = guard.1.get(key)
            {
                return Ok(hit.clone());
            }
        }
        let value: Arc<str> = render()?.into();
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if guard.0 != version {
            *guard = (version, HashMap::new());
        }
        // Keys come from query strings: bound the memory they can take.
        if guard.1.len() >= CACHE_ENTRIES {
            guard.1.clear();
        }
        guard.1.insert(key.to_string(), value.clone());
        Ok(value)
    }
}

pub struct Inner {
    pub config: Config,
    pub store: Store,
    /// The corpus as shipped (instruments, requirements; assessments as seed).
    pub base: Corpus,
    pub snapshot: ArcSwap<Snapshot>,
    pub search: search::SearchIndex,
    pub i18n: I18n,
    pub limiter: LoginLimiter,
    pub metrics: Metrics,
    pub cookies: crate::auth::CookiePolicy,
    pub cache: RenderCache,
    reload: tokio::sync::Mutex<()>,
}

pub type AppState = Arc<Inner>;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Corpus(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    I18n(#[from] crate::i18n::I18nError),
    #[error("search index: {0}")]
    Search(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Loads the corpus (refusing one with errors), opens and migrates the database, seeds it on first
/// start, and builds the search index.
pub async fn build(config: Config) -> Result<AppState, StartError> {
    let (mut base, diags) = law::check::check_dir(&config.corpus_dir);
    let errors: Vec<String> =
        diags.iter().filter(|d| d.severity == law::Severity::Error).map(|d| d.to_string()).collect();
    if !errors.is_empty() {
        return Err(StartError::Corpus(format!(
            "the corpus in {} has {} error(s), e.g. {}; run `tomas law check`",
            config.corpus_dir.display(),
            errors.len(),
            errors[0]
        )));
    }
    let overlays = law::overlay::load_all(&config.data_dir).map_err(|e| StartError::Corpus(e.to_string()))?;
    law::overlay::apply(&mut base, &overlays);

    let url = match &config.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|source| StartError::Io { path: config.data_dir.clone(), source })?;
            store::sqlite_url(&config.data_dir.join("tomas.db"))
        }
    };
    let store = Store::open(&url).await?;
    let (seeded, updated) = store.seed(&base.assessments).await?;
    if seeded + updated > 0 {
        tracing::info!(seeded, updated, "brought assessments in line with the shipped corpus (web edits are kept)");
    }
    let snapshot = load_snapshot(&store, &base).await?;
    let search = search::SearchIndex::build(search::docs_from_corpus(&snapshot.corpus))
        .map_err(|e| StartError::Search(e.to_string()))?;
    let cookies = crate::auth::CookiePolicy { secure: config.secure_cookies() };
    Ok(Arc::new(Inner {
        i18n: I18n::load()?,
        config,
        limiter: LoginLimiter::new(store.clone()),
        store,
        base,
        snapshot: ArcSwap::from_pointee(snapshot),
        search,
        metrics: Metrics::new(),
        cookies,
        cache: RenderCache::default(),
        reload: tokio::sync::Mutex::new(()),
    }))
}

async fn load_snapshot(store: &Store, base: &Corpus) -> Result<Snapshot, store::StoreError> {
    let data_version = store.data_version().await?;
    let stored = store.assessments().await?;
    let mut corpus = base.clone();
    let mut meta = HashMap::with_capacity(stored.len());
    corpus.assessments = stored
        .iter()
        .map(|s| {
            meta.insert(s.key.clone(), (s.revision, s.updated_at, s.updated_by.clone()));
            s.to_assessment()
        })
        .collect();
    corpus.reindex();
    for j in meta.keys().map(|k| k.jurisdiction.clone()).collect::<std::collections::BTreeSet<_>>() {
        corpus.track_jurisdiction(&j);
    }
    Ok(Snapshot { corpus, meta, data_version })
}

impl Inner {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// Reloads the published state from the database when it changed, and re-indexes the
    /// assessments whose revision changed.
    pub async fn refresh(&self) -> Result<bool, store::StoreError> {
        let _guard = self.reload.lock().await;
        let current = self.snapshot();
        if self.store.data_version().await? == current.data_version {
            return Ok(false);
        }
        let next = load_snapshot(&self.store, &self.base).await?;
        for a in &next.corpus.assessments {
            let key = Key {
                jurisdiction: a.jurisdiction.clone(),
                requirement: a.requirement.clone(),
                version: a.version.clone(),
            };
            if current.meta.get(&key).map(|m| m.0) != next.meta.get(&key).map(|m| m.0)
                && let Err(e) = self.search.upsert(search::assessment_doc(&next.corpus, a))
            {
                tracing::warn!(error = %e, "search index update failed");
            }
        }
        self.snapshot.store(Arc::new(next));
        Ok(true)
    }
}

/// Polls for changes made by other servers sharing the database.
pub fn spawn_refresher(state: AppState, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            ticks += 1;
            if let Err(e) = state.refresh().await {
                tracing::warn!(error = %e, "refreshing published state failed");
            }
            if ticks.is_multiple_of(600)
                && let Err(e) = state.store.purge_sessions().await
            {
                tracing::warn!(error = %e, "purging sessions failed");
            }
        }
    });
}
