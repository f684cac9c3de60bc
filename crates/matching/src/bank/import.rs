//! Reading hash lists: plain text, CSV with a header, Project VIC VICS JSON, NCMEC hash-sharing
//! XML and ThreatExchange `simple.<TYPE>.te` files.
//!
//! Parsing is all or nothing: every bad line is collected (with its line number) and, if there is
//! any, the whole import is refused and nothing is stored.

use std::cell::OnceCell;
use std::fmt;

use super::{Kind, Record, Value};
use crate::text::escape_for_terminal;

/// File formats [`parse`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One value per line (`#` comments and blank lines skipped), or `<type> <value>` per line
    /// (python-threatexchange's local-file exchange). The kind is guessed from the length unless given.
    Text,
    /// CSV with a header: value columns `pdq`, `md5`, `sha1`, `sha256`, `url`, or `hash`/`indicator`
    /// with a `type`/`kind` column; optional `label`/`classification`/`category` and `source`.
    Csv,
    /// Project VIC VICS JSON (1.3 and 2.0 roots): `MD5`, `SHA1` and `Category` of each Media item.
    Vics,
    /// NCMEC hash-sharing v2 `queryResult` XML: `image`/`video` entries with `fingerprints`
    /// (`md5`, `sha1`, `pdq`) and `classification`; `deletedImage`/`deletedVideo` are skipped.
    Ncmec,
    /// ThreatExchange / HMA dataset CSV `simple.<TYPE>.te`: `indicator,descriptor id,added_on,labels`
    /// (or HMA's `indicator,indicator id,descriptor id,added_on,labels`), labels space-separated.
    ThreatExchange,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Some(Format::Text),
            "csv" => Some(Format::Csv),
            "vics" | "json" | "projectvic" => Some(Format::Vics),
            "ncmec" | "xml" => Some(Format::Ncmec),
            "te" | "threatexchange" => Some(Format::ThreatExchange),
            _ => None,
        }
    }

    /// The format a file name suggests: `.json` VICS, `.xml` NCMEC, `.te` ThreatExchange,
    /// `.csv` CSV, anything else plain text.
    pub fn from_file_name(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Vics
        } else if lower.ends_with(".xml") {
            Format::Ncmec
        } else if lower.ends_with(".te") {
            Format::ThreatExchange
        } else if lower.ends_with(".csv") {
            Format::Csv
        } else {
            Format::Text
        }
    }
}

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number (0 when the problem concerns the whole file).
    pub line: usize,
    pub message: String,
}

/// Why an import was refused. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub file: String,
    pub errors: Vec<LineError>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        // The file name and the messages quote the file's own text: escaped, each stays one line.
        let file = escape_for_terminal(&self.file);
        write!(f, "{file}: {n} problem{}; nothing was imported", if n == 1 { "" } else { "s" })?;
        for e in self.errors.iter().take(20) {
            let message = escape_for_terminal(&e.message);
            if e.line > 0 {
                write!(f, "\n  line {}: {message}", e.line)?;
            } else {
                write!(f, "\n  {message}")?;
            }
        }
        if n > 20 {
            write!(f, "\n  … and {} more", n - 20)?;
        }
        Ok(())
    }
}

/// What [`parse`] needs besides the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options<'a> {
    pub format: Format,
    /// The kind of bare values (for text and ThreatExchange files); guessed when `None`.
    pub kind: Option<Kind>,
    /// The file's name (for messages, and for the kind in `simple.<TYPE>.te`).
    pub file: &'a str,
}

/// Parses a whole file. Returns every record, or every problem.
pub fn parse(text: &str, opts: Options<'_>) -> Result<Vec<Record>, ImportError> {
    let mut errors = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = match opts.format {
        Format::Text => text_records(text, opts.kind, &mut errors),
        Format::Csv => csv_records(text, &mut errors),
        Format::Vics => vics_records(text, &mut errors),
        Format::Ncmec => ncmec_records(text, &mut errors),
        Format::ThreatExchange => te_records(text, opts, &mut errors),
    };
    if records.is_empty() && errors.is_empty() {
        errors.push(LineError { line: 0, message: "the file holds no hashes".into() });
    }
    if errors.is_empty() { Ok(records) } else { Err(ImportError { file: opts.file.to_owned(), errors }) }
}

fn record(value: Value, label: &str, source: &str) -> Record {
    Record { value, label: label.trim().to_owned(), source: source.trim().to_owned() }
}

fn value_of(kind: Option<Kind>, text: &str) -> Result<Value, String> {
    match kind {
        Some(k) => Value::parse(k, text),
        None => Value::guess(text),
    }
}

fn text_records(text: &str, kind: Option<Kind>, errors: &mut Vec<LineError>) -> Vec<Record> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = match line.split_once(char::is_whitespace) {
            Some((ty, value)) => match Kind::parse(ty) {
                Some(k) => Value::parse(k, value),
                None => Err(format!("'{}' is not a signal type (pdq, md5, sha1, sha256, url)", ty)),
            },
            None => value_of(kind, line),
        };
        match parsed {
            Ok(v) => out.push(record(v, "", "")),
            Err(message) => errors.push(LineError { line: i + 1, message }),
        }
    }
    out
}

/// Splits CSV text into records of fields, with the line each record starts on (RFC 4180 quoting,
/// quoted fields may span lines).
fn csv_rows(text: &str, errors: &mut Vec<LineError>) -> Vec<(usize, Vec<String>)> {
    let mut rows = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut was_quoted = false;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    errors.push(LineError { line: start, message: "a quoted field is never closed".into() });
                }
                break;
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        field.push('\n');
                    }
                    c => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() && !was_quoted => {
                    field.clear();
                    quoted = true;
                    was_quoted = true;
                }
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '\n' => {
                    line += 1;
                    break;
                }
                '\r' => {}
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push((start, fields));
    }
    rows
}

fn csv_records(text: &str, errors: &mut Vec<LineError>) -> Vec<Record> {
    let rows = csv_rows(text, errors);
    let Some(((_, header), body)) = rows.split_first() else {
        return Vec::new();
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase().replace(['-', ' '], "_")).collect();
    let col = |cands: &[&str]| names.iter().position(|n| cands.contains(&n.as_str()));
    let kind_cols: Vec<(usize, Kind)> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match n.as_str() {
            "pdq" | "md5" | "sha1" | "sha256" | "url" => Kind::parse(n).map(|k| (i, k)),
            _ => None,
        })
        .collect();
    let generic = col(&["hash", "value", "indicator", "signal", "signal_value"]);
    let type_col = col(&["type", "kind", "signal_type", "hash_type"]);
    let label_col = col(&["label", "labels", "classification", "category", "tags"]);
    let source_col = col(&["source"]);
    if kind_cols.is_empty() && generic.is_none() {
        errors.push(LineError {
            line: 1,
            message: format!(
                "the header ({}) names no hash column: use pdq, md5, sha1, sha256, url, or hash with type",
                header.join(",")
            ),
        });
        return Vec::new();
    }
    let mut out = Vec::new();
    for (line, fields) in body {
        let get = |i: Option<usize>| i.and_then(|i| fields.get(i)).map_or("", |s| s.trim());
        if fields.len() > names.len() {
            errors.push(LineError {
                line: *line,
                message: format!("{} fields, the header has {}", fields.len(), names.len()),
            });
            continue;
        }
        let label = get(label_col);
        let source = get(source_col);
        let mut any = false;
        for &(i, kind) in &kind_cols {
            let v = get(Some(i));
            if v.is_empty() {
                continue;
            }
            any = true;
            match Value::parse(kind, v) {
                Ok(v) => out.push(record(v, label, source)),
                Err(m) => errors.push(LineError { line: *line, message: format!("column {}: {m}", names[i]) }),
            }
        }
        if let Some(g) = generic {
            let v = get(Some(g));
            if !v.is_empty() {
                any = true;
                let ty = get(type_col);
                let parsed = if ty.is_empty() {
                    Value::guess(v)
                } else {
                    match Kind::parse(ty) {
                        Some(k) => Value::parse(k, v),
                        None => Err(format!("'{ty}' is not a hash type (pdq, md5, sha1, sha256, url)")),
                    }
                };
                match parsed {
                    Ok(v) => out.push(record(v, label, source)),
                    Err(m) => errors.push(LineError { line: *line, message: m }),
                }
            }
        }
        if !any {
            errors.push(LineError { line: *line, message: "no hash in this row".into() });
        }
    }
    out
}

/// Line numbers of byte offsets, from the offsets of the line breaks, found once, when first
/// needed (counting from the start of the file for each value made big files quadratic).
struct Lines<'a> {
    text: &'a str,
    breaks: OnceCell<Vec<usize>>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines { text, breaks: OnceCell::new() }
    }

    /// The 1-based line of byte `at`.
    fn line(&self, at: usize) -> usize {
        let breaks = self.breaks.get_or_init(|| self.text.match_indices('\n').map(|(i, _)| i).collect());
        breaks.partition_point(|&b| b < at) + 1
    }

    /// Line of the first occurrence of `needle` after byte `from` (approximate for JSON), and the
    /// byte after it; line 0 if it does not occur verbatim.
    fn find(&self, needle: &str, from: usize) -> (usize, usize) {
        match self.text.get(from..).and_then(|t| t.find(needle)) {
            Some(p) => (self.line(from + p), from + p + needle.len()),
            None => (0, from),
        }
    }
}

fn vics_records(text: &str, errors: &mut Vec<LineError>) -> Vec<Record> {
    let doc: serde_json::Value = match serde_json::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            errors.push(LineError { line: e.line(), message: format!("not valid JSON: {e}") });
            return Vec::new();
        }
    };
    // VICS 2.0: {"value": [Media…]}; VICS 1.3: {"value": [{"Media": [Media…]}, …]}.
    let Some(value) = doc.get("value").and_then(|v| v.as_array()) else {
        errors.push(LineError { line: 1, message: "no top-level \"value\" array: not a VICS file".into() });
        return Vec::new();
    };
    let mut media: Vec<&serde_json::Value> = Vec::new();
    for item in value {
        match item.get("Media").and_then(|m| m.as_array()) {
            Some(list) => media.extend(list),
            None => media.push(item),
        }
    }
    let mut out = Vec::new();
    let mut cursor = 0;
    let lines = Lines::new(text);
    for (i, m) in media.iter().enumerate() {
        let label = match m.get("Category") {
            Some(serde_json::Value::Number(n)) => format!("vics:{n}"),
            Some(serde_json::Value::String(s)) if !s.is_empty() => format!("vics:{s}"),
            _ => String::new(),
        };
        let mut any = false;
        for (field, kind) in [("MD5", Kind::Md5), ("SHA1", Kind::Sha1)] {
            let Some(v) = m.get(field) else { continue };
            let Some(s) = v.as_str() else {
                if !v.is_null() {
                    errors.push(LineError { line: 0, message: format!("Media {i}: {field} is not a string") });
                }
                continue;
            };
            if s.is_empty() {
                continue;
            }
            any = true;
            let (line, next) = lines.find(s, cursor);
            cursor = next;
            match Value::parse(kind, s) {
                Ok(v) => out.push(record(v, &label, "")),
                Err(message) => errors.push(LineError { line, message: format!("Media {i}, {field}: {message}") }),
            }
        }
        if !any && m.get("MediaFiles").is_none() {
            errors.push(LineError { line: 0, message: format!("Media {i} has neither MD5 nor SHA1") });
        }
        // Files inside a media item carry their own MD5s.
        if let Some(files) = m.get("MediaFiles").and_then(|f| f.as_array()) {
            for f in files {
                if let Some(s) = f.get("MD5").and_then(|v| v.as_str()).filter(|s| !s.is_empty()) {
                    let (line, next) = lines.find(s, cursor);
                    cursor = next;
                    match Value::parse(Kind::Md5, s) {
                        Ok(v) => out.push(record(v, &label, "")),
                        Err(message) => {
                            errors.push(LineError { line, message: format!("Media {i}, MediaFiles MD5: {message}") })
                        }
                    }
                }
            }
        }
    }
    out
}

fn ncmec_records(text: &str, errors: &mut Vec<LineError>) -> Vec<Record> {
    let doc = match roxmltree::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            errors.push(LineError { line: e.pos().row as usize, message: format!("not valid XML: {e}") });
            return Vec::new();
        }
    };
    let root = doc.root_element();
    if root.tag_name().name() != "queryResult" {
        errors.push(LineError {
            line: 1,
            message: format!("root element is <{}>, an NCMEC export is <queryResult>", root.tag_name().name()),
        });
        return Vec::new();
    }
    let mut out = Vec::new();
    // Not `Document::text_pos_at`: it counts from the start of the text at each call.
    let lines = Lines::new(text);
    for entry in root.descendants().filter(|n| matches!(n.tag_name().name(), "image" | "video")) {
        let label = child(entry, "classification").and_then(|c| c.text()).unwrap_or("").trim().to_owned();
        let member = child(entry, "member")
            .map(|m| {
                let id = m.attribute("id").unwrap_or("");
                let name = m.text().unwrap_or("").trim();
                format!("NCMEC member {id} {name}").trim().to_owned()
            })
            .unwrap_or_default();
        let Some(fps) = child(entry, "fingerprints") else {
            errors.push(LineError {
                line: lines.line(entry.range().start),
                message: "an entry without <fingerprints>".into(),
            });
            continue;
        };
        let mut any = false;
        for fp in fps.children().filter(|c| c.is_element()) {
            let Some(kind) = (match fp.tag_name().name() {
                "md5" => Some(Kind::Md5),
                "sha1" => Some(Kind::Sha1),
                "pdq" => Some(Kind::Pdq),
                _ => None, // pdna, tmk-pdqf, videntifier…: not supported, skipped
            }) else {
                continue;
            };
            any = true;
            match Value::parse(kind, fp.text().unwrap_or("")) {
                Ok(v) => out.push(record(v, &label, &member)),
                Err(message) => errors.push(LineError { line: lines.line(fp.range().start), message }),
            }
        }
        let _ = any;
    }
    out
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn te_records(text: &str, opts: Options<'_>, errors: &mut Vec<LineError>) -> Vec<Record> {
    // The kind: given, else from the file name `simple.HASH_PDQ.te`.
    let from_name = opts
        .file
        .rsplit(['/', '\\'])
        .next()
        .and_then(|f| f.strip_suffix(".te"))
        .and_then(|f| f.rsplit('.').next())
        .and_then(Kind::parse);
    let kind = opts.kind.or(from_name);
    let mut out = Vec::new();
    for (line, fields) in csv_rows(text, errors) {
        let first = fields[0].trim();
        if line == 1 && first.eq_ignore_ascii_case("indicator") {
            continue; // a header
        }
        let labels = match fields.len() {
            4 => fields[3].trim(),
            5 => fields[4].trim(),
            1 => "",
            n => {
                errors.push(LineError {
                    line,
                    message: format!("{n} fields; ThreatExchange rows have 4 (CLI) or 5 (HMA)"),
                });
                continue;
            }
        };
        match value_of(kind, first) {
            Ok(v) => out.push(record(v, labels, "")),
            Err(message) => errors.push(LineError { line, message }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(format: Format) -> Options<'static> {
        Options { format, kind: None, file: "test" }
    }

    #[test]
    fn csv_quotes_span_lines() {
        let mut errors = Vec::new();
        let rows = csv_rows("a,b\n\"x\ny\",\"q\"\"\"\nz,w\n", &mut errors);
        assert!(errors.is_empty());
        assert_eq!(rows[1], (2, vec!["x\ny".to_owned(), "q\"".to_owned()]));
        assert_eq!(rows[2].0, 4);
    }

    #[test]
    fn text_reports_every_bad_line() {
        let md5 = "d41d8cd98f00b204e9800998ecf8427e";
        let text = format!("# list\n{md5}\nnot-a-hash\n\npdq {}\nmd5 123\n", "0".repeat(64));
        let err = parse(&text, opts(Format::Text)).unwrap_err();
        let lines: Vec<usize> = err.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 6]);
        assert!(err.to_string().contains("nothing was imported"));
    }
}
