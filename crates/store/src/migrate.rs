//! The schema: migrations embedded in the binary and run by [`crate::Store::open`].

/// The migrations, embedded in the binary (the `migrate!` macro would pull in sqlx's proc macros).
/// A new migration is a new file in `migrations/` and a new line here; applied ones never change.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (2, "login_failures", include_str!("../migrations/0002_login_failures.sql")),
];

/// [`MIGRATIONS`] as a source for sqlx's migrator.
#[derive(Debug)]
pub(crate) struct Embedded;

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

/// Brings the schema of `pool` up to date.
pub(crate) async fn run(pool: &sqlx::AnyPool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate::Migrator::new(Embedded).await?.run(pool).await
}
