use std::{path::PathBuf, process::ExitCode};

#[derive(clap::Subcommand)]
pub enum BankCmd {
    /// List the banks.
    List,
}

#[derive(clap::Args)]
pub struct MatchArgs {
    /// Files or directories to match.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub fn run(_cmd: BankCmd) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`tomas bank` is not implemented yet")
}

pub fn run_match(_args: MatchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`tomas match` is not implemented yet")
}
