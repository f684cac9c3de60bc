//! Property tests of the hash-list importers: arbitrary text and mutations of valid files in each
//! format never panic, finish quickly, and every rejection names a line (or, where a JSON value
//! has no line, the item and field); printed, it holds no raw control character. Large files
//! parse in linear time. Inputs that once failed are kept in `fuzz-corpus/` and replayed first.

use std::time::{Duration, Instant};

use matching::bank::import::{self, Format, Options};
use proptest::prelude::*;

const FORMATS: [Format; 5] = [Format::Text, Format::Csv, Format::Vics, Format::Ncmec, Format::ThreatExchange];

fn md5(i: u32) -> String {
    format!("{i:032x}")
}

/// A small valid file of each format.
fn valid(format: Format) -> String {
    let pdq = "f".repeat(32) + &"0".repeat(32);
    match format {
        Format::Text => {
            format!("# list\n{}\npdq {pdq}\nsha1 {}\nurl https://example.invalid/x\n", md5(1), "ab".repeat(20))
        }
        Format::Csv => {
            format!("md5,pdq,label,source\n{},{pdq},baseline,\"hotline, RS\"\n{},,national,\n", md5(2), md5(3))
        }
        Format::Vics => format!(
            "{{\"value\":[{{\"MediaID\":1,\"Category\":1,\"MD5\":\"{}\",\"SHA1\":\"{}\"}},\n\
             {{\"Media\":[{{\"MD5\":\"{}\",\"MediaFiles\":[{{\"MD5\":\"{}\"}}]}}]}}]}}",
            md5(4),
            "cd".repeat(20),
            md5(5),
            md5(6)
        ),
        Format::Ncmec => format!(
            "<?xml version=\"1.0\"?>\n<queryResult><images><image><member id=\"4\">M</member>\n\
             <classification>A1</classification><fingerprints><md5>{}</md5>\n<pdq>{pdq}</pdq></fingerprints>\n\
             </image></images></queryResult>",
            md5(7)
        ),
        Format::ThreatExchange => {
            format!("indicator,descriptor_id,added_on,labels\n{pdq},1,2020-01-01,a b\n{pdq},2,x,\n")
        }
    }
}

/// Characters that matter to the formats, often; any character, sometimes.
fn a_char() -> impl Strategy<Value = char> {
    let common: Vec<char> =
        "0123456789abcdefABCDEF,\"\n\r\t {}[]:<>/=#-_.&;?!\\xyzMDSHA\u{1b}\u{feff}é\u{202e}".chars().collect();
    prop_oneof![6 => prop::sample::select(common), 1 => any::<char>()]
}

/// Pieces of structure, to mutate valid files into plausible broken ones.
const FRAGMENTS: &[&str] = &[
    "<image>",
    "</image>",
    "<fingerprints>",
    "</fingerprints>",
    "<md5>",
    "</md5>",
    "<pdq>",
    "<![CDATA[",
    "&amp;",
    "&#0;",
    "\"MD5\":",
    "\"value\":[",
    "{",
    "}",
    "[",
    "]",
    "\"Media\":[",
    "null",
    "1e999",
    "\"\\u0000\"",
    ",",
    "\"",
    "\n",
    "md5 ",
    "pdq ",
    "hash,type\n",
    "indicator,",
    "sha256 ",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index),
    Insert(prop::sample::Index, char),
    Replace(prop::sample::Index, char),
    Fragment(prop::sample::Index, prop::sample::Index),
    Duplicate(prop::sample::Index, prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn an_edit() -> impl Strategy<Value = Edit> {
    use prop::sample::Index;
    prop_oneof![
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), a_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        (any::<Index>(), a_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, f)| Edit::Fragment(i, f)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Edit::Duplicate(i, j)),
        any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut c: Vec<char> = text.chars().collect();
    for e in edits {
        let n = c.len();
        match e {
            Edit::Delete(i) if n > 0 => {
                c.remove(i.index(n));
            }
            Edit::Insert(i, ch) => c.insert(i.index(n + 1), *ch),
            Edit::Replace(i, ch) if n > 0 => c[i.index(n)] = *ch,
            Edit::Fragment(i, f) => {
                let at = i.index(n + 1);
                c.splice(at..at, f.get(FRAGMENTS).chars());
            }
            Edit::Duplicate(i, j) if n > 0 => {
                let (a, b) = (i.index(n), j.index(n));
                let piece: Vec<char> = c[a.min(b)..=a.max(b)].to_vec();
                c.splice(a..a, piece);
            }
            Edit::Truncate(i) => c.truncate(i.index(n + 1)),
            _ => {}
        }
    }
    c.into_iter().collect()
}

fn is_raw_control(c: char) -> bool {
    (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Parses, and checks what the module promises of any input.
fn check(text: &str, format: Format) -> Result<(), TestCaseError> {
    let file = match format {
        Format::ThreatExchange => "simple.HASH_PDQ.te",
        _ => "input",
    };
    let start = Instant::now();
    let result = import::parse(text, Options { format, kind: None, file });
    let took = start.elapsed();
    prop_assert!(took < Duration::from_secs(2), "{format:?} took {took:?} on {} bytes", text.len());
    let last_line = text.matches('\n').count() + 1;
    match result {
        Ok(records) => prop_assert!(!records.is_empty(), "{format:?}: accepted without records"),
        Err(e) => {
            prop_assert!(!e.errors.is_empty());
            for le in &e.errors {
                prop_assert!(le.line <= last_line, "{format:?}: line {} of {last_line}: {}", le.line, le.message);
                // Line 0: the whole file, or a VICS item (whose value may not be found verbatim).
                let named = le.line > 0 || le.message == "the file holds no hashes" || le.message.starts_with("Media ");
                prop_assert!(named, "{format:?}: names no line or field: {}", le.message);
            }
            let shown = e.to_string();
            prop_assert!(!shown.chars().any(is_raw_control), "{format:?}: raw control character in {shown:?}");
        }
    }
    Ok(())
}

fn format_strategy() -> impl Strategy<Value = Format> {
    prop::sample::select(FORMATS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(format in format_strategy(), chars in prop::collection::vec(a_char(), 0..300)) {
        check(&chars.into_iter().collect::<String>(), format)?;
    }

    #[test]
    fn mutated_valid_files_never_panic(format in format_strategy(), edits in prop::collection::vec(an_edit(), 1..8)) {
        check(&mutate(&valid(format), &edits), format)?;
    }
}

#[test]
fn valid_samples_parse() {
    for format in FORMATS {
        let records = import::parse(&valid(format), Options { format, kind: None, file: "simple.HASH_PDQ.te" });
        assert!(records.is_ok_and(|r| !r.is_empty()), "{format:?}");
    }
}

/// Files once found to break a promise: `<format>-<anything>` in `fuzz-corpus/`.
#[test]
fn corpus_regressions() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-corpus"));
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let format = Format::parse(name.split('-').next().unwrap()).unwrap_or_else(|| panic!("{name}: no format"));
        let text = std::fs::read_to_string(&path).unwrap();
        check(&text, format).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Line numbers for errors used to be found by counting from the start of the file for every
/// value (VICS) or entry (NCMEC): quadratic, minutes for a file of a few megabytes.
#[test]
fn large_files_parse_in_linear_time() {
    let n = 20_000;
    let mut vics = String::from("{\"value\":[\n");
    let mut xml = String::from("<queryResult><images>\n");
    for i in 0..n {
        vics.push_str(&format!(
            "{{\"MediaID\":{i},\"Category\":1,\"MD5\":\"{}\",\"SHA1\":\"{}\"}},\n",
            md5(i),
            "ab".repeat(20)
        ));
        xml.push_str(&format!(
            "<image><member id=\"1\">M</member><classification>A1</classification>\n\
             <fingerprints><md5>{}</md5><sha1>{}</sha1></fingerprints></image>\n",
            md5(i),
            "cd".repeat(20)
        ));
    }
    vics.push_str("{\"MD5\":\"bad\"}]}");
    xml.push_str("<image><fingerprints><md5>bad</md5></fingerprints></image></images></queryResult>");
    for (format, text, bad_line) in [(Format::Vics, &vics, n as usize + 2), (Format::Ncmec, &xml, 2 * n as usize + 2)] {
        let start = Instant::now();
        let err = import::parse(text, Options { format, kind: None, file: "big" }).unwrap_err();
        let took = start.elapsed();
        eprintln!("{format:?}: {} bytes in {took:?}", text.len());
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!(err.errors[0].line, bad_line, "{err}");
        assert!(took < Duration::from_secs(3), "{format:?}: {} bytes took {took:?}", text.len());
    }
}
