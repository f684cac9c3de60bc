//! `tomas`: the command line. Each subcommand lives in its own module under `cli/` and only wires
//! the domain crates together; the work itself happens in `law`, `media`, `matching`, `store` and `web`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// TOMAS — Towards UnifOrMed Legislation Against CSAM.
///
/// Two jobs in one program:
///   alignment  how far the laws of Serbia, Albania and North Macedonia are from the EU Regulation
///              to prevent and combat child sexual abuse (CSAR) and the acts around it;
///   practice   hashing media and matching it against banks of known-material indicators.
///
/// Start with `tomas serve` (then open http://127.0.0.1:8080/), `tomas law matrix` for the regional
/// picture in a terminal, or `tomas hash PHOTO.jpg`.
#[derive(Parser)]
#[command(name = "tomas", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Alignment: check the legal corpus, show the matrix, gaps, reports, version diffs, exports.
    #[command(subcommand)]
    Law(cli::law::LawCmd),
    /// Compute PDQ (and MD5/SHA-1/SHA-256) hashes of image files or directories.
    Hash(cli::hash::HashArgs),
    /// Manage hash banks: import, list, enable, disable.
    #[command(subcommand)]
    Bank(cli::bank::BankCmd),
    Match(cli::bank::MatchArgs),
    /// Hamming-index tools (benchmark interface for comparing engines).
    #[command(subcommand)]
    Index(cli::index::IndexCmd),
    /// Run the alignment platform on the web (SQLite in the data directory by default).
    Serve(cli::serve::ServeArgs),
    /// Manage accounts of the web platform.
    #[command(subcommand)]
    User(cli::serve::UserCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Law(cmd) => cli::law::run(cmd),
        Command::Hash(args) => cli::hash::run(args),
        Command::Bank(cmd) => cli::bank::run(cmd),
        Command::Match(args) => cli::bank::run_match(args),
        Command::Index(cmd) => cli::index::run(cmd),
        Command::Serve(args) => cli::serve::run_serve(args),
        Command::User(cmd) => cli::serve::run_user(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // Errors quote file names and file contents: control characters are shown escaped.
            eprintln!("error: {}", matching::text::escape_message(&cli::error_text(&err)));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
