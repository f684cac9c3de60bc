//! Parsing the EUR-Lex HTML rendering of a Commission document into provisions with eIds.
//!
//! EUR-Lex renders a COM document as a flat run of `<p class="…">` paragraphs: the explanatory
//! memorandum, the recitals, then the enacting terms, where an article starts with a paragraph that
//! reads exactly `Article N` followed by its heading, numbered paragraphs (`ManualNumPar*`, text
//! `1. …`), points (`Point0`/`Point1`/`Point2`, text `(a) …`, nested by class level) and unnumbered
//! continuation text; then `ANNEX I:` … for the annexes. The classes vary (an article marker may be
//! `ManualHeading3`, `Normal` or `Text1`), so structure is read from the text, with the class only
//! deciding how points nest.

use std::fmt;

/// One provision found in the document: its eId, number, heading (articles and annexes) and the
/// full official text (including the text of its sub-provisions).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Imported {
    pub eid: String,
    pub num: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// A paragraph of the document: its class attribute and its text without tags.
#[derive(Debug)]
struct Para {
    class: String,
    text: String,
}

/// Parses the document; fails when no article is found (the file is not a EUR-Lex act rendering).
pub fn parse(html: &str) -> Result<Vec<Imported>, ParseError> {
    let paras = paragraphs(html);
    let start = paras
        .iter()
        .position(|p| p.text.contains("HAVE ADOPTED THIS REGULATION") || p.text.contains("HAVE ADOPTED THIS DIRECTIVE"))
        .unwrap_or(0);
    let mut b = Builder::default();
    let mut i = start;
    let mut in_annexes = false;
    while i < paras.len() {
        let p = &paras[i];
        let text = p.text.as_str();
        if let Some(n) = annex_number(text) {
            in_annexes = true;
            let heading = paras.get(i + 1).map(|h| annex_heading(&h.text));
            b.open_annex(n, heading.clone());
            i += 2;
            if let Some(h) = heading {
                b.append(&h);
            }
            continue;
        }
        if in_annexes {
            if !text.is_empty() {
                b.append(text);
            }
            i += 1;
            continue;
        }
        if let Some(n) = article_number(text) {
            let heading = paras.get(i + 1).map(|h| h.text.clone()).filter(|h| article_number(h).is_none());
            let skip = if heading.is_some() { 2 } else { 1 };
            b.open_article(n, heading);
            i += skip;
            continue;
        }
        if b.article.is_none() || text.is_empty() || is_structure_heading(p) {
            i += 1;
            continue;
        }
        if text.starts_with("Done at ")
            || p.class.contains("signature")
            || text.starts_with("LEGISLATIVE FINANCIAL STATEMENT")
        {
            b.close_article();
            i += 1;
            continue;
        }
        if let Some((num, rest)) = para_number(text).filter(|_| p.class.contains("NumPar")) {
            b.open_para(num, rest);
        } else if let Some((num, rest)) = point_number(text).filter(|_| p.class.contains("Point")) {
            b.open_point(point_level(&p.class), num, rest);
        } else {
            b.append(text);
        }
        i += 1;
    }
    b.close_article();
    b.close_annex();
    if !b.out.iter().any(|p| p.eid.starts_with("art_")) {
        return Err(ParseError("no articles found: is this the EUR-Lex HTML rendering of an act?".into()));
    }
    Ok(b.out)
}

#[derive(Default)]
struct Builder {
    out: Vec<Imported>,
    /// Index in `out` of the open article / annex.
    article: Option<usize>,
    annex: Option<usize>,
    /// Open paragraph and point stack: (index in `out`, class level).
    para: Option<usize>,
    points: Vec<(usize, u8)>,
}

impl Builder {
    fn open_article(&mut self, num: String, heading: Option<String>) {
        self.close_article();
        self.out.push(Imported { eid: format!("art_{num}"), num, heading, text: String::new() });
        self.article = Some(self.out.len() - 1);
    }

    fn close_article(&mut self) {
        self.article = None;
        self.para = None;
        self.points.clear();
    }

    fn open_annex(&mut self, roman: &str, heading: Option<String>) {
        self.close_article();
        self.close_annex();
        let n = roman_to_int(roman).unwrap_or(0);
        self.out.push(Imported { eid: format!("anx_{n}"), num: roman.into(), heading, text: String::new() });
        self.annex = Some(self.out.len() - 1);
    }

    fn close_annex(&mut self) {
        self.annex = None;
    }

    fn open_para(&mut self, num: String, text: &str) {
        let Some(art) = self.article else { return };
        self.points.clear();
        let eid = format!("{}__para_{num}", self.out[art].eid);
        self.out.push(Imported { eid, num: format!("{num}."), heading: None, text: String::new() });
        self.para = Some(self.out.len() - 1);
        self.append(text);
    }

    fn open_point(&mut self, level: u8, num: String, text: &str) {
        let Some(art) = self.article else { return };
        while self.points.last().is_some_and(|&(_, l)| l >= level) {
            self.points.pop();
        }
        let parent = self.points.last().map(|&(i, _)| i).or(self.para).unwrap_or(art);
        let eid = format!("{}__point_{num}", self.out[parent].eid);
        // A repeated eId (inconsistent numbering in the source) keeps the first; the text still counts.
        self.out.push(Imported { eid, num: format!("({num})"), heading: None, text: String::new() });
        self.points.push((self.out.len() - 1, level));
        self.append(text);
    }

    /// Appends text to the innermost open provision and all its ancestors.
    fn append(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let mut targets: Vec<usize> = Vec::new();
        if let Some(a) = self.annex {
            targets.push(a);
        }
        if let Some(a) = self.article {
            targets.push(a);
            targets.extend(self.para);
            targets.extend(self.points.iter().map(|&(i, _)| i));
        }
        for i in targets {
            let t = &mut self.out[i].text;
            if !t.is_empty() {
                t.push('\n');
            }
            t.push_str(text);
        }
    }
}

/// Deepest point level kept apart: EUR-Lex uses `Point0` to `Point4` or so; deeper classes nest no
/// further. Each level's text is also copied into every enclosing provision, so without a bound a
/// document with `Point1` … `Point255` would multiply its size by 257.
const MAX_POINT_LEVEL: u8 = 9;

fn point_level(class: &str) -> u8 {
    class
        .split_whitespace()
        .find_map(|c| c.strip_prefix("Point").and_then(|n| n.parse::<u8>().ok()))
        .unwrap_or(1)
        .min(MAX_POINT_LEVEL)
}

/// `Article 14` → `14`.
fn article_number(text: &str) -> Option<String> {
    let rest = text.strip_prefix("Article")?.trim();
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then(|| rest.to_string())
}

/// `ANNEX IV:` / `ANNEX IV` → `IV`.
fn annex_number(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("ANNEX ")?.trim().trim_end_matches(':').trim();
    (!rest.is_empty() && rest.len() <= 6 && roman_to_int(rest).is_some()).then_some(rest)
}

/// `TEMPLATE FOR REMOVAL ORDERS referred to in Article 14(3) …` → `TEMPLATE FOR REMOVAL ORDERS`.
fn annex_heading(text: &str) -> String {
    text.split(" referred to in ").next().unwrap_or(text).trim().to_string()
}

/// `2. The provider shall …` → (`2`, `The provider shall …`).
fn para_number(text: &str) -> Option<(String, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || text.as_bytes().get(digits) != Some(&b'.') {
        return None;
    }
    Some((text[..digits].to_string(), text[digits + 1..].trim_start()))
}

/// `(a) identification …` → (`a`, `identification …`); also `(iii)`, `(1)`.
fn point_number(text: &str) -> Option<(String, &str)> {
    let rest = text.strip_prefix('(')?;
    let close = rest.find(')')?;
    let num = &rest[..close];
    if num.is_empty() || num.len() > 6 || !num.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((num.to_ascii_lowercase(), rest[close + 1..].trim_start()))
}

fn is_structure_heading(p: &Para) -> bool {
    if p.class.contains("ManualHeading1") || p.class.contains("ManualHeading2") {
        return true;
    }
    let t = p.text.as_str();
    ["CHAPTER ", "Section ", "SECTION ", "Subsection ", "Part "].iter().any(|prefix| {
        t.strip_prefix(prefix)
            .is_some_and(|r| r.chars().next().is_some_and(|c| c.is_ascii_digit() || "IVX".contains(c)))
    })
}

fn roman_to_int(s: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut prev = 0u32;
    for c in s.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (total > 0).then_some(total)
}

/// Splits the document into `<p>` paragraphs with their class and plain text.
fn paragraphs(html: &str) -> Vec<Para> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = find_ci(rest, "<p") {
        let after = &rest[start + 2..];
        // `<p` must be the whole tag name (not `<pre>`, `<param>`).
        if !after.starts_with([' ', '>', '\t', '\n', '\r', '/']) {
            rest = after;
            continue;
        }
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let attrs = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let end = find_ci(body_start, "</p>").unwrap_or(body_start.len());
        out.push(Para { class: attr(attrs, "class").unwrap_or_default(), text: plain_text(&body_start[..end]) });
        rest = &body_start[end..];
    }
    out
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    haystack.as_bytes().windows(n).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = attrs.find(&key)? + key.len();
    let end = attrs[start..].find('"')?;
    Some(decode_entities(&attrs[start..start + end]))
}

/// Drops tags, decodes entities, drops bidirectional embedding, override and isolate characters
/// (official text needs none; they could make a provision display differently from what is
/// stored) and collapses whitespace.
fn plain_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => in_tag = false,
            (false, c) => raw.push(c),
            (true, _) => {}
        }
    }
    let decoded = decode_entities(&raw).replace(crate::load::is_bidi_control, "");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        // Looked for in bytes: 12 bytes on may fall inside a character, `;` never does.
        let Some(semi) = tail.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let name = &tail[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "lsquo" => Some('‘'),
            "rsquo" => Some('’'),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            "ndash" => Some('–'),
            "mdash" => Some('—'),
            "hellip" => Some('…'),
            n if n.starts_with("#x") || n.starts_with("#X") => {
                u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
            }
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn bidirectional_overrides_are_dropped_from_official_text() {
        assert_eq!(plain_text("<p>Article \u{202E}14\u{202C} &amp; \u{2066}15\u{2069}</p>"), "Article 14 & 15");
    }
    use super::*;

    const SAMPLE: &str = r#"<html><body>
<p class="Normal">Recital text mentioning Article 14 in passing.</p>
<p class="Normal">HAVE ADOPTED THIS REGULATION:</p>
<p class="li ManualHeading1">CHAPTER I</p>
<p class="li ManualHeading3"><span>Article 2</span></p>
<p class="li ManualHeading3"><span>Definitions</span></p>
<p class="Normal">For the purpose of this Regulation:</p>
<p class="li Point0"><span class="num"><span>(a)</span></span><span>&lsquo;hosting&rsquo; means &amp; so on;</span></p>
<p class="li Point0"><span class="num">(f)</span>services:</p>
<p class="li Point1"><span class="num">(i)</span>a hosting service;</p>
<p class="Normal">Section 4 <br/>Removal obligations</p>
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

    #[test]
    fn parses_articles_paragraphs_points_and_annexes() {
        let got = parse(SAMPLE).unwrap();
        let eids: Vec<&str> = got.iter().map(|p| p.eid.as_str()).collect();
        assert_eq!(
            eids,
            [
                "art_2",
                "art_2__point_a",
                "art_2__point_f",
                "art_2__point_f__point_i",
                "art_14",
                "art_14__para_1",
                "art_14__para_2",
                "art_14__para_2__point_a",
                "anx_4"
            ]
        );
        assert_eq!(got[0].heading.as_deref(), Some("Definitions"));
        assert_eq!(got[1].text, "‘hosting’ means & so on;");
        assert!(got[4].text.contains("24 hours") && !got[4].text.contains("Section 4"));
        assert_eq!(got[6].text, "Execute within 24 hours of receipt.\nfirst point;");
        assert_eq!(got[8].heading.as_deref(), Some("TEMPLATE FOR REMOVAL ORDERS"));
        assert!(got[8].text.contains("SECTION 1"));
    }

    #[test]
    fn point_nesting_is_bounded() {
        let mut html = String::from("<p>Article 1</p><p>Heading</p>");
        for level in 1..=255 {
            html.push_str(&format!("<p class=\"Point{level}\">(a) text at level {level}</p>"));
        }
        let got = parse(&html).unwrap();
        let deepest = got.iter().map(|p| p.eid.matches("__point_").count()).max().unwrap();
        assert_eq!(deepest, usize::from(MAX_POINT_LEVEL));
        let text: usize = got.iter().map(|p| p.text.len()).sum();
        assert!(text < 16 * html.len(), "{text} bytes of text from {} bytes of HTML", html.len());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse("").is_err());
        assert!(parse("<p class=\"x\">Article</p><p").is_err());
        assert!(parse("&&&;<<<>>><p><p class=\"").is_err());
        assert_eq!(decode_entities("a &#x41; &#66; &bogus; &"), "a A B &bogus; &");
        // Found by tests/fuzz.rs: the 12th byte after `&` inside a character (é is bytes 11 and 12).
        assert_eq!(decode_entities("&aaaaaaaaaaé;"), "&aaaaaaaaaaé;");
        assert_eq!(decode_entities("x&amp€;"), "x&amp€;");
        assert_eq!(roman_to_int("VIII"), Some(8));
        assert_eq!(roman_to_int("IV"), Some(4));
    }
}
