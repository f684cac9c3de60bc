use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum LawCmd {
    /// Load the corpus and check it.
    Check,
}

pub fn run(_cmd: LawCmd) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`tomas law` is not implemented yet")
}
