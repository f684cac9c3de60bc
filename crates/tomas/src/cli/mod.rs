//! One module per subcommand family. Each exposes its clap arguments and a `run` function.

pub mod bank;
pub mod hash;
pub mod index;
pub mod law;
pub mod serve;

use std::path::PathBuf;

/// The data directory used when neither `--data-dir` nor `TOMAS_DATA_DIR` is given:
/// `$XDG_DATA_HOME/tomas`, else `$HOME/.local/share/tomas`, else `./tomas-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("tomas");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/tomas");
    }
    PathBuf::from("tomas-data")
}

/// An error and its causes joined by ": ", as anyhow's `{:#}` prints them, except that a cause
/// whose text already ends the message so far is not repeated: many error types (sqlx's,
/// tantivy's, …) put their source in their own message and also report it as `source()`.
pub fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if !text.is_empty() && text.ends_with(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use std::io;

    /// Puts its source in its message and reports it as `source()` too.
    #[derive(Debug)]
    struct Doubled {
        path: String,
        source: io::Error,
    }

    impl std::fmt::Display for Doubled {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}: {}", self.path, self.source)
        }
    }

    impl std::error::Error for Doubled {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn each_cause_is_shown_once() {
        let io = || io::Error::new(io::ErrorKind::NotADirectory, "Not a directory (os error 20)");
        let err = anyhow::Error::new(Doubled { path: "/etc/passwd/overlays".into(), source: io() });
        assert_eq!(super::error_text(&err), "/etc/passwd/overlays: Not a directory (os error 20)");
        let err = anyhow::Error::new(io()).context("/x/banks").context("cannot save bank t1");
        assert_eq!(super::error_text(&err), "cannot save bank t1: /x/banks: Not a directory (os error 20)");
    }
}
