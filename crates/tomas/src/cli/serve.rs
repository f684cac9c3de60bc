//! `tomas serve` and `tomas user …`: the web platform and its accounts.

use std::{io::IsTerminal, net::SocketAddr, path::PathBuf, process::ExitCode};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};

#[derive(Args, Clone)]
pub struct DbArgs {
    /// Data directory: holds the SQLite database (tomas.db) and imported official texts
    /// [default: $XDG_DATA_HOME/tomas].
    #[arg(long, env = "TOMAS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL for shared deployments (postgres://user@host/db); default: SQLite in the data directory.
    #[arg(long, env = "TOMAS_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Corpus directory [default: ./corpus, else the one this binary was built with].
    #[arg(long, env = "TOMAS_CORPUS", value_name = "DIR")]
    pub corpus: Option<PathBuf>,
}

impl DbArgs {
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(super::default_data_dir)
    }

    pub fn corpus_dir(&self) -> PathBuf {
        self.corpus.clone().unwrap_or_else(super::law::default_corpus_dir)
    }

    pub fn url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                let dir = self.data_dir();
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create data directory {}", dir.display()))?;
                Ok(store::sqlite_url(&dir.join("tomas.db")))
            }
        }
    }
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TOMAS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// When to mark cookies `Secure`: auto = unless listening on loopback.
    #[arg(long, env = "TOMAS_COOKIE_SECURE", value_enum, default_value_t = CookieSecure::Auto)]
    pub cookie_secure: CookieSecure,
    /// Behind a reverse proxy: take the client's address (for login throttling and logs) from the
    /// last entry of X-Forwarded-For, which the proxy appends. Only set this when every request
    /// comes through such a proxy, or clients could pick their own address.
    #[arg(long, env = "TOMAS_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Require `Authorization: Bearer <token>` on /metrics (default: open, for a private network).
    #[arg(long, env = "TOMAS_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Log as JSON lines (default: human-readable). Filter with RUST_LOG, e.g. RUST_LOG=debug.
    #[arg(long, env = "TOMAS_LOG_JSON")]
    pub log_json: bool,
    /// Seconds a client has to send a request's head; an idle keep-alive connection is closed after
    /// as long.
    #[arg(long, env = "TOMAS_HEADER_TIMEOUT", value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Longest silence, in seconds, while a request body is arriving.
    #[arg(long, env = "TOMAS_BODY_TIMEOUT", value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,
    /// Seconds a response may wait for the client to read it.
    #[arg(long, env = "TOMAS_WRITE_TIMEOUT", value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub write_timeout: u64,
    /// Connections served at once; more clients wait to be accepted.
    #[arg(long, env = "TOMAS_MAX_CONNECTIONS", value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
}

#[derive(ValueEnum, Clone, Copy)]
pub enum CookieSecure {
    Auto,
    Always,
    Never,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn init_logs(json: bool) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(std::io::stderr().is_terminal());
    if json { builder.json().init() } else { builder.init() }
}

pub fn run_serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logs(args.log_json);
    let mut config = web::Config::new(args.listen, args.db.data_dir(), args.db.corpus_dir());
    config.database_url = args.db.database_url.clone();
    config.cookie_secure = match args.cookie_secure {
        CookieSecure::Auto => web::CookieSecure::Auto,
        CookieSecure::Always => web::CookieSecure::Always,
        CookieSecure::Never => web::CookieSecure::Never,
    };
    config.trust_forwarded_for = args.trust_forwarded_for;
    config.metrics_token = args.metrics_token.filter(|t| !t.is_empty());
    config.limits = web::ConnLimits {
        header_read_timeout: std::time::Duration::from_secs(args.header_timeout),
        body_idle_timeout: std::time::Duration::from_secs(args.body_timeout),
        write_timeout: std::time::Duration::from_secs(args.write_timeout),
        max_connections: args.max_connections as usize,
    };
    runtime()?.block_on(web::serve(config))?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account. The password is asked for on the terminal, or read from standard input
    /// with --password-stdin.
    Add {
        username: String,
        #[arg(long, value_enum)]
        role: Role,
        /// Name shown on the site [default: the username].
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Change an account's role.
    SetRole {
        username: String,
        #[arg(long, value_enum)]
        role: Role,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(ValueEnum, Clone, Copy)]
pub enum Role {
    Viewer,
    Editor,
    Reviewer,
    Admin,
}

impl From<Role> for store::Role {
    fn from(r: Role) -> store::Role {
        match r {
            Role::Viewer => store::Role::Viewer,
            Role::Editor => store::Role::Editor,
            Role::Reviewer => store::Role::Reviewer,
            Role::Admin => store::Role::Admin,
        }
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
    let again = rpassword::prompt_password("Again: ").context("cannot read the password")?;
    if first != again {
        bail!("the passwords differ");
    }
    Ok(first)
}

pub fn run_user(cmd: UserCmd) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    match cmd {
        UserCmd::Add { username, role, display_name, password_stdin, db } => {
            let password = read_password(password_stdin)?;
            let hash = web::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
            let url = db.url()?;
            let user = rt.block_on(async {
                let store = store::Store::open(&url).await?;
                let user =
                    store.add_user(&username, display_name.as_deref().unwrap_or(&username), &hash, role.into()).await;
                store.close().await;
                user
            })?;
            eprintln!("created {} ({})", user.username, user.role.as_str());
        }
        UserCmd::SetRole { username, role, db } => {
            let url = db.url()?;
            rt.block_on(async {
                let store = store::Store::open(&url).await?;
                let done = store.set_role(&username, role.into()).await;
                store.close().await;
                done
            })?;
            eprintln!("{username} is now {}", store::Role::from(role).as_str());
        }
        UserCmd::List { db } => {
            let url = db.url()?;
            let users = rt.block_on(async {
                let store = store::Store::open(&url).await?;
                let users = store.users().await;
                store.close().await;
                users
            })?;
            for u in users {
                println!(
                    "{}\t{}\t{}{}",
                    u.username,
                    u.role.as_str(),
                    u.display_name,
                    if u.disabled { "\t(disabled)" } else { "" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
