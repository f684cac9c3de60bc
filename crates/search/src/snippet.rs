//! Snippets: a short fragment of the original text around the matches, HTML-escaped, with the
//! matched words in `<mark>`.
//!
//! Matching works on folded words (the same [`words`] and [`fold`] as the index), but the text
//! shown is the original: each word of the original text is folded on its own and compared with
//! the query's folded terms, so the `<mark>` wraps the original spelling (`Дечја` for `decja`).

use crate::analyzer::{Word, words};
use crate::translit::fold;

/// Longest snippet, in characters of the original text (plus the `…` marks).
pub(crate) const SNIPPET_CHARS: usize = 200;

/// At most this many matches are considered when choosing the fragment.
const MAX_MATCHES: usize = 256;

/// What a snippet highlights: folded whole words (each query term with its variants) and
/// folded word prefixes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Matcher {
    pub terms: Vec<Vec<String>>,
    pub prefixes: Vec<String>,
}

impl Matcher {
    /// An id for the query term a folded word matches (distinct terms count more in a fragment).
    fn find(&self, folded: &str) -> Option<usize> {
        if let Some(i) = self.terms.iter().position(|forms| forms.iter().any(|t| t == folded)) {
            return Some(i);
        }
        self.prefixes.iter().position(|p| folded.starts_with(p.as_str())).map(|i| self.terms.len() + i)
    }
}

/// A fragment of `text` of at most `max_chars` characters around the best cluster of matches
/// (the start of the text when nothing matches), HTML-escaped, matches in `<mark>…</mark>`,
/// runs of whitespace shown as one space, `…` where the text was cut.
pub(crate) fn snippet(text: &str, matcher: &Matcher, max_chars: usize) -> String {
    let all: Vec<Word> = words(text).collect();
    let hits: Vec<(Word, usize)> =
        all.iter().filter_map(|w| Some((*w, matcher.find(&fold(&text[w.start..w.end]))?))).take(MAX_MATCHES).collect();
    let total_chars = text.chars().count();

    // The fragment in chars: [start, end).
    let (mut start, mut end) = (0, total_chars.min(max_chars));
    if let Some((first, last)) = best_cluster(&hits, max_chars) {
        let spare = max_chars.saturating_sub(last - first);
        start = first - (spare / 3).min(first);
        end = (start + max_chars).min(total_chars);
        // Near the end of the text: use the whole budget before the matches.
        start = start.min(end.saturating_sub(max_chars));
    }
    // Cut at word boundaries, never through a match.
    if start > 0 {
        start = all.iter().find(|w| w.char_start >= start).map_or(start, |w| w.char_start);
    }
    if end < total_chars {
        end = all.iter().rev().find(|w| w.char_end <= end && w.char_start >= start).map_or(end, |w| w.char_end);
    }
    let byte_start = char_to_byte(text, &all, start, true);
    let byte_end = char_to_byte(text, &all, end, false);

    let mut out = String::new();
    if byte_start > 0 {
        out.push('…');
    }
    let mut cursor = byte_start;
    for (w, _) in hits.iter().filter(|(w, _)| w.start >= byte_start && w.end <= byte_end) {
        escape_into(&text[cursor..w.start], &mut out);
        out.push_str("<mark>");
        escape_into(&text[w.start..w.end], &mut out);
        out.push_str("</mark>");
        cursor = w.end;
    }
    escape_into(&text[cursor..byte_end], &mut out);
    let mut out = out.trim().to_string();
    if byte_end < text.len() && !text[byte_end..].trim().is_empty() {
        out.push('…');
    }
    out
}

/// The char range [first match start, last match end) of the window of at most `max_chars`
/// that holds the most distinct terms (then the most matches; the earliest on a tie).
fn best_cluster(hits: &[(Word, usize)], max_chars: usize) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize, usize, usize)> = None; // (distinct, count, first, last)
    for (i, (first, _)) in hits.iter().enumerate() {
        let mut ids: Vec<usize> = Vec::new();
        let mut last = first.char_end;
        let mut count = 0;
        for (w, id) in &hits[i..] {
            if w.char_end > first.char_start + max_chars {
                break;
            }
            if !ids.contains(id) {
                ids.push(*id);
            }
            last = w.char_end;
            count += 1;
        }
        let better = match best {
            None => true,
            Some((d, c, _, _)) => (ids.len(), count) > (d, c),
        };
        if better {
            best = Some((ids.len(), count, first.char_start, last));
        }
    }
    best.map(|(_, _, first, last)| (first, last))
}

/// The byte offset of char offset `at`, which is a word boundary, the start or the end.
fn char_to_byte(text: &str, words: &[Word], at: usize, is_start: bool) -> usize {
    let found = if is_start {
        words.iter().find(|w| w.char_start == at).map(|w| w.start)
    } else {
        words.iter().find(|w| w.char_end == at).map(|w| w.end)
    };
    found.unwrap_or_else(|| text.char_indices().nth(at).map_or(text.len(), |(byte, _)| byte))
}

/// HTML-escapes `s` into `out`, collapsing each run of whitespace into one space.
pub(crate) fn escape_into(s: &str, out: &mut String) {
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(terms: &[&str]) -> Matcher {
        Matcher { terms: terms.iter().map(|t| vec![t.to_string()]).collect(), prefixes: vec![] }
    }

    #[test]
    fn marks_the_original_spelling_and_escapes() {
        let s = snippet(
            "Zakon: <script>alert('x')</script> & Дечја порнографија, dečja pornografija.",
            &matcher(&["decja", "pornografija"]),
            200,
        );
        assert_eq!(
            s,
            "Zakon: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; <mark>Дечја</mark> \
             <mark>порнографија</mark>, <mark>dečja</mark> <mark>pornografija</mark>."
        );
    }

    #[test]
    fn long_text_is_cut_around_the_best_cluster() {
        let filler = "lorem ipsum dolor sit amet ".repeat(30);
        let text = format!("{filler}removal here {filler}the removal order must be executed {filler}");
        let s = snippet(&text, &matcher(&["removal", "order"]), 80);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>removal</mark> <mark>order</mark>"), "{s}");
        assert!(s.chars().count() <= 80 + 2 + "<mark></mark>".len() * 2, "{s}");

        let text = format!("{filler}the removal order.");
        let s = snippet(&text, &matcher(&["removal", "order"]), 80);
        assert!(s.starts_with('…') && s.ends_with("<mark>removal</mark> <mark>order</mark>."), "{s}");
        assert!(s.chars().count() > 70, "{s}");
    }

    #[test]
    fn no_match_gives_the_start() {
        let text = "First words of a long body. ".repeat(20);
        let s = snippet(&text, &matcher(&["zzz"]), 30);
        assert_eq!(s, "First words of a long body…");
        assert_eq!(snippet("", &matcher(&["a"]), 30), "");
        assert_eq!(snippet("  \n ", &matcher(&["a"]), 30), "");
    }

    #[test]
    fn prefixes_match_word_starts() {
        let m = Matcher { terms: vec![], prefixes: vec!["porno".into()] };
        assert_eq!(snippet("o pornografiji", &m, 50), "o <mark>pornografiji</mark>");
    }
}
