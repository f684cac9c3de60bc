//! Helpers for integration tests (here and in the web crate): fresh databases on both backends.
//! Compiled only for tests and with the `testing` feature, never into a release build.

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
    let name = format!("tomas_test_{}_{}", std::process::id(), crate::now_micros());
    let mut conn = sqlx::AnyConnection::connect(base_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    conn.close().await?;
    let (head, _) = base_url.rsplit_once('/').unwrap_or((base_url, ""));
    Ok(format!("{head}/{name}"))
}
