use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum IndexCmd {
    /// Build an index from a file of hashes and time queries against it.
    Bench,
}

pub fn run(_cmd: IndexCmd) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`tomas index` is not implemented yet")
}
