//! One module per subcommand family. Each exposes its clap arguments and a `run` function.

pub mod bank;
pub mod hash;
pub mod index;
pub mod law;
