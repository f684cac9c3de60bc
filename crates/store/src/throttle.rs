//! Login throttling: failed logins counted in the database, so several servers on one database
//! share one allowance. The times are the caller's (Unix µs), so the policy lives in the web crate.

use sqlx::Row;

use crate::{Result, Store, retrying};

impl Store {
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
            self.write_one(|| sqlx::query("DELETE FROM login_failures WHERE key = $1 AND at = $2").bind(*key).bind(at))
                .await?;
        }
        Ok(())
    }

    /// Forgets the failed logins under a key (after a successful login).
    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        self.write_one(|| sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key)).await?;
        Ok(())
    }
}
