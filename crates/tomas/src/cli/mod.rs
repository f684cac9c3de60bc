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
