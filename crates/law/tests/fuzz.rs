//! Property-based fuzzing of the parsers of outside data: corpus TOML files (arbitrary bytes, and
//! mutations of the good fixture: flipped bytes, truncations, duplicated lines, huge numbers, deep
//! nesting), EUR-Lex HTML and overlay JSON. Nothing may panic or run away; every corpus problem is
//! a diagnostic naming a corpus file and a line that exists in it.
//!
//! Inputs that once broke a parser are kept in `tests/fuzz-corpus/` and replayed by the tests at
//! the end of this file.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::mpsc,
    thread,
    time::Duration,
};

use law::{Diagnostic, check::check_dir, eurlex, overlay};
use proptest::{prelude::*, sample::Index, test_runner::TestCaseError};

const GOOD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/good");
const FUZZ_CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-corpus");

/// The good fixture's files, one of each kind the loader reads.
const FILES: [&str; 5] = [
    "jurisdictions.toml",
    "scoring.toml",
    "instruments/x-act/v1.toml",
    "requirements/x-act.toml",
    "assessments/aa.toml",
];

/// Far above what any of these small inputs needs (milliseconds); reached only by a hang.
const BOUND: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread: a panic or a run past [`BOUND`] fails the case.
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> Result<T, TestCaseError> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(BOUND).map_err(|e| match e {
        mpsc::RecvTimeoutError::Timeout => TestCaseError::fail(format!("{what}: still running after {BOUND:?}")),
        mpsc::RecvTimeoutError::Disconnected => TestCaseError::fail(format!("{what}: panicked")),
    })
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Checks a copy of the good fixture whose `FILES[which]` holds `bytes`, and holds the
/// diagnostics to the rules: each names a file of the corpus and a line that file has.
fn check_corpus_with(which: usize, bytes: &[u8]) -> Result<Vec<Diagnostic>, TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    copy_dir(Path::new(GOOD), &dir);
    fs::write(dir.join(FILES[which]), bytes).unwrap();
    let checked = dir.clone();
    let (_, diags) = bounded("law check", move || check_dir(&checked))?;
    for d in &diags {
        let path = PathBuf::from(&*d.loc.file);
        prop_assert!(path.starts_with(&dir) && path.is_file(), "{d}: does not name a corpus file");
        let lines = fs::read(&path).unwrap().split(|&b| b == b'\n').count() as u32;
        prop_assert!((1..=lines).contains(&d.loc.line), "{d}: {} has lines 1 to {lines}", path.display());
        prop_assert!(!d.message.trim().is_empty(), "{d}: empty message");
    }
    Ok(diags)
}

/// One change to a file's bytes; positions are taken relative to the current length.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Truncate(Index),
    DuplicateLine(Index),
    DeleteLine(Index),
    /// Replaces the number (or start of a value) at or after the position.
    HugeNumber(Index, &'static str),
    /// Inserts a line with `depth` levels of one kind of nesting.
    Nest(Index, Nesting, usize),
    Insert(Index, &'static str),
}

#[derive(Clone, Copy, Debug)]
enum Nesting {
    Arrays,
    InlineTables,
    DottedKey,
    TableHeader,
}

const HUGE: &[&str] = &[
    "1e400",
    "-1e400",
    "1e-400",
    "nan",
    "-inf",
    "-0",
    "99999999999999999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "0x7fffffffffffffff",
    "0b1111111111111111111111111111111111111111111111111111111111111111",
    "1979-05-27T07:32:00Z",
];

const TOKENS: &[&str] = &[
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "#",
    "\n",
    "\r",
    "\t",
    "\\",
    "\"\"\"",
    "'''",
    "\0",
    "\u{feff}",
    "é",
    "\u{10ffff}",
    "\u{202e}",
    " = ",
    "\"\n\"",
    "x = 1\n",
    "[instrument]\n",
    "[[requirement]]\n",
    "[[requirement.change]]\n",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        any::<Index>().prop_map(Mutation::Truncate),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        any::<Index>().prop_map(Mutation::DeleteLine),
        (any::<Index>(), prop::sample::select(HUGE)).prop_map(|(i, n)| Mutation::HugeNumber(i, n)),
        (
            any::<Index>(),
            prop::sample::select(
                &[Nesting::Arrays, Nesting::InlineTables, Nesting::DottedKey, Nesting::TableHeader][..]
            ),
            prop_oneof![1usize..200, 200usize..20_000],
        )
            .prop_map(|(i, kind, depth)| Mutation::Nest(i, kind, depth)),
        (any::<Index>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Mutation::Insert(i, t)),
    ]
}

/// Start of the line holding byte `at`, and the start of the next line.
fn line_around(bytes: &[u8], at: usize) -> (usize, usize) {
    let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| at + p + 1);
    (start, end)
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len) };
    match m {
        Mutation::Flip(i, x) if !bytes.is_empty() => {
            let p = at(i, bytes.len());
            bytes[p] ^= x;
        }
        Mutation::Truncate(i) => bytes.truncate(at(i, bytes.len())),
        Mutation::DuplicateLine(i) if !bytes.is_empty() => {
            let (start, end) = line_around(bytes, at(i, bytes.len()));
            let line = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
        }
        Mutation::DeleteLine(i) if !bytes.is_empty() => {
            let (start, end) = line_around(bytes, at(i, bytes.len()));
            bytes.drain(start..end);
        }
        Mutation::HugeNumber(i, n) => {
            let from = at(i, bytes.len());
            // The next value: a digit, or what follows the next `= `.
            let start = bytes[from..]
                .iter()
                .position(u8::is_ascii_digit)
                .map(|p| from + p)
                .or_else(|| bytes[from..].windows(2).position(|w| w == b"= ").map(|p| from + p + 2));
            if let Some(start) = start {
                let len = bytes[start..].iter().take_while(|b| !matches!(b, b'\n' | b',' | b']' | b'}')).count();
                bytes.splice(start..start + len, n.bytes());
            }
        }
        Mutation::Nest(i, kind, depth) => {
            let d = *depth;
            let line = match kind {
                Nesting::Arrays => format!("deep = {}1{}\n", "[".repeat(d), "]".repeat(d)),
                Nesting::InlineTables => format!("deep = {}1{}\n", "{a = ".repeat(d), "}".repeat(d)),
                Nesting::DottedKey => format!("{}a = 1\n", "a.".repeat(d)),
                Nesting::TableHeader => format!("[{}a]\n", "a.".repeat(d)),
            };
            let (start, _) = line_around(bytes, at(i, bytes.len()));
            bytes.splice(start..start, line.into_bytes());
        }
        Mutation::Insert(i, t) => {
            let p = at(i, bytes.len() + 1);
            bytes.splice(p..p, t.bytes());
        }
        _ => {}
    }
}

/// Small TOML-looking text: the characters and fragments the grammar cares about.
fn tomlish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(TOKENS).prop_map(str::to_string),
            prop::sample::select(HUGE).prop_map(str::to_string),
            "[a-z_]{1,8}",
            "[ 0-9.eE+-]{1,6}",
            prop::sample::select(&["id", "instrument", "requirement", "status", "version", "eid", "weight"][..])
                .prop_map(str::to_string),
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

/// `default` cases per property, or `FUZZ_CASES` for a longer run (`FUZZ_CASES=1000000 cargo test
/// -p law --test fuzz`).
fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(200), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn corpus_file_of_arbitrary_bytes(which in 0..FILES.len(), bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_corpus_with(which, &bytes)?;
    }

    #[test]
    fn corpus_file_of_toml_like_text(which in 0..FILES.len(), text in tomlish()) {
        check_corpus_with(which, text.as_bytes())?;
    }

    #[test]
    fn mutated_corpus_file(which in 0..FILES.len(), mutations in prop::collection::vec(mutation(), 1..5)) {
        let mut bytes = fs::read(Path::new(GOOD).join(FILES[which])).unwrap();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        check_corpus_with(which, &bytes)?;
    }
}

/// A small EUR-Lex-like document with every construct the importer reads.
const SAMPLE_HTML: &str = r#"<html><body>
<p class="Normal">HAVE ADOPTED THIS REGULATION:</p>
<p class="li ManualHeading1">CHAPTER I</p>
<p class="li ManualHeading3"><span>Article 2</span></p>
<p class="li ManualHeading3"><span>Definitions</span></p>
<p class="Normal">For the purpose of this Regulation:</p>
<p class="li Point0"><span class="num">(a)</span><span>&lsquo;hosting&rsquo; means &amp; so on;</span></p>
<p class="li Point1"><span class="num">(i)</span>a hosting service &#x2014; &#8212;;</p>
<p class="Normal">Article 14</p>
<p class="Normal">Removal orders</p>
<p class="li ManualNumPar1"><span class="num">1.</span>The authority may request.</p>
<p class="li ManualNumPar1"><span class="num">2.</span>Execute within 24 hours of receipt.</p>
<p class="li Point1"><span class="num">(a)</span>first point;</p>
<p class="Normal">Done at Brussels,</p>
<p class="Annexetitre">ANNEX IV:</p>
<p class="Normal">TEMPLATE FOR REMOVAL ORDERS referred to in Article 14(3)</p>
<p class="BodyText">SECTION 1: Authorities</p>
</body></html>"#;

const HTML_TOKENS: &[&str] = &[
    "<p>",
    "<p class=\"",
    "\">",
    "</p>",
    "<p",
    "<",
    ">",
    "&",
    "&amp;",
    "&#",
    "&#x",
    ";",
    "&#x110000;",
    "&#99999999999;",
    "Article ",
    "Article 7",
    "ANNEX ",
    "ANNEX XLIX",
    "(",
    ")",
    "(a)",
    "1.",
    "Point0",
    "Point9",
    "Point255",
    "ManualNumPar1",
    "HAVE ADOPTED THIS REGULATION",
    "Done at ",
    "é",
    "€",
    "\u{10ffff}",
    "\n",
    " ",
];

/// Runs the importer and holds its answer to the rules: an error explains itself; a result has
/// article or annex eIds.
fn import(html: String) -> Result<(), TestCaseError> {
    match bounded("eurlex::parse", move || eurlex::parse(&html))? {
        Err(e) => prop_assert!(e.to_string().contains("no articles found"), "unclear error: {e}"),
        Ok(provisions) => {
            prop_assert!(provisions.iter().any(|p| p.eid.starts_with("art_")));
            for p in &provisions {
                prop_assert!(p.eid.starts_with("art_") || p.eid.starts_with("anx_"), "eId {:?}", p.eid);
            }
        }
    }
    Ok(())
}

fn html_mutation() -> impl Strategy<Value = (Index, usize, &'static str)> {
    (any::<Index>(), 0usize..40, prop::sample::select(HTML_TOKENS))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn eurlex_arbitrary_text(html in any::<String>()) {
        import(html)?;
    }

    #[test]
    fn eurlex_html_like_text(parts in prop::collection::vec(prop_oneof![
        prop::sample::select(HTML_TOKENS).prop_map(str::to_string),
        "[a-zA-Z0-9 ]{1,12}",
        "[a-z#0-9é€]{0,14}",
    ], 0..150)) {
        import(parts.concat())?;
    }

    /// Mutations of the sample: each replaces `len` bytes at a position with a token (a deletion,
    /// an insertion or both), then the bytes are read back as UTF-8 with replacement characters.
    #[test]
    fn eurlex_mutated_sample(mutations in prop::collection::vec(html_mutation(), 1..8), truncate in any::<Option<Index>>()) {
        let mut bytes = SAMPLE_HTML.as_bytes().to_vec();
        for (i, len, token) in &mutations {
            let at = i.index(bytes.len() + 1);
            let end = (at + len).min(bytes.len());
            bytes.splice(at..end, token.bytes());
        }
        if let Some(t) = truncate {
            bytes.truncate(t.index(bytes.len() + 1));
        }
        import(String::from_utf8_lossy(&bytes).into_owned())?;
    }

    #[test]
    fn overlay_of_arbitrary_or_mutated_json(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            (any::<Index>(), any::<u8>()).prop_map(|(i, x)| {
                let mut b = OVERLAY_JSON.as_bytes().to_vec();
                let at = i.index(b.len());
                b[at] ^= x.max(1);
                b
            }),
        ]
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x-act@v1.json");
        fs::write(&path, &bytes).unwrap();
        let checked = path.clone();
        if let Err(e) = bounded("overlay::load", move || overlay::load(&checked))? {
            prop_assert!(e.to_string().starts_with(&path.display().to_string()), "{e} does not name the file");
        }
    }
}

const OVERLAY_JSON: &str = r#"{"instrument":"x-act","version":"v1","language":"en","source":"x.html",
"imported_at":"2026-12-01","provisions":[{"eid":"art_1","num":"1","heading":"Definitions","text":"Text."}]}"#;

/// Every file in `tests/fuzz-corpus/<kind>/`, sorted.
fn regressions(kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        fs::read_dir(Path::new(FUZZ_CORPUS).join(kind)).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty(), "no regression inputs in tests/fuzz-corpus/{kind}");
    files
}

#[test]
fn replay_corpus_toml_regressions() {
    for path in regressions("corpus-toml") {
        let bytes = fs::read(&path).unwrap();
        for (which, file) in FILES.iter().enumerate() {
            if let Err(e) = check_corpus_with(which, &bytes) {
                panic!("{} as {file}: {e}", path.display());
            }
        }
    }
}

#[test]
fn replay_eurlex_regressions() {
    for path in regressions("eurlex") {
        let html = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
        if let Err(e) = import(html) {
            panic!("{}: {e}", path.display());
        }
    }
}
