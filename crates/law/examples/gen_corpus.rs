//! Writes a synthetic corpus of N requirements, for the `law check` benchmark (`benches/law/run.sh`)
//! and the large-corpus test.
//!
//! ```text
//! cargo run --release -p law --example gen_corpus -- DIR N
//! ```
//!
//! The corpus passes `tomas law check`: one instrument (`bench-act@v1`) with a provision for every
//! ten requirements, N requirements in one file, and one jurisdiction that assesses every
//! requirement, also in one file, so that both big files grow with N.

use std::{fmt::Write as _, fs, io, path::Path};

/// Writes the corpus into `dir` (created if missing).
pub fn write_corpus(dir: &Path, n: usize) -> io::Result<()> {
    let provisions = n.div_ceil(10).max(1);
    fs::create_dir_all(dir.join("instruments/bench-act"))?;
    fs::create_dir_all(dir.join("requirements"))?;
    fs::create_dir_all(dir.join("assessments"))?;
    fs::write(
        dir.join("jurisdictions.toml"),
        "[[jurisdiction]]\nid = \"eu\"\nkind = \"eu\"\nname = { en = \"European Union\" }\n\n\
         [[jurisdiction]]\nid = \"aa\"\nkind = \"country\"\nname = { en = \"Aland\" }\ncandidate = true\n",
    )?;

    let mut s = String::from(
        "[instrument]\nid = \"bench-act\"\nversion = \"v1\"\nshort = \"Bench Act\"\nkind = \"eu_regulation\"\n\
         jurisdiction = \"eu\"\nstage = \"proposal\"\ndate = \"2022-05-11\"\nsource = \"https://example.org/bench-act\"\n",
    );
    for p in 1..=provisions {
        let _ = write!(
            s,
            "\n[[provision]]\neid = \"art_{p}\"\nnum = \"{p}\"\nsummary = \"Provision {p} of the bench act.\"\n"
        );
    }
    fs::write(dir.join("instruments/bench-act/v1.toml"), s)?;

    let mut s = String::from("instrument = \"bench-act\"\n");
    for r in 0..n {
        let _ = write!(
            s,
            "\n[[requirement]]\nid = \"bench-{r}\"\nstatement = \"Requirement {r}: national law provides for what article {p} says.\"\n\
             topic = \"orders\"\naddressee = [\"member_state\"]\nderived_from = [\"art_{p}\"]\n",
            p = r % provisions + 1
        );
    }
    fs::write(dir.join("requirements/bench-act.toml"), s)?;

    let mut s = String::from("jurisdiction = \"aa\"\n");
    for r in 0..n {
        let status = ["full", "partial", "none", "not_assessed"][r % 4];
        let _ = write!(s, "\n[[assessment]]\nrequirement = \"bench-{r}\"\nversion = \"v1\"\nstatus = \"{status}\"\n");
        if status != "not_assessed" {
            let _ = write!(
                s,
                "rationale = \"Assessed for the benchmark.\"\nrecommendation = \"Keep it.\"\nsources = [\"https://example.org/aa/{r}\"]\n"
            );
        }
    }
    fs::write(dir.join("assessments/aa.toml"), s)
}

#[allow(dead_code)] // the large-corpus test includes this file for `write_corpus` alone
fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, n] = args.as_slice() else {
        eprintln!("usage: gen_corpus DIR N");
        std::process::exit(2);
    };
    let n: usize = n.parse().unwrap_or_else(|_| {
        eprintln!("gen_corpus: N must be a whole number, not '{n}'");
        std::process::exit(2);
    });
    write_corpus(Path::new(dir), n)
}
