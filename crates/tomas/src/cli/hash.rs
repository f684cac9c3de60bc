use std::{path::PathBuf, process::ExitCode};

#[derive(clap::Args)]
pub struct HashArgs {
    /// Files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: HashArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`tomas hash` is not implemented yet")
}
