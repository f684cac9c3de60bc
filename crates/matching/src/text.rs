//! Text from outside (file names, lines of an import file, labels from a hash list) made safe to
//! print on a terminal: control characters and bidirectional overrides are shown as escapes
//! instead of being sent raw, where they could recolour the screen, move the cursor, hide the
//! rest of a line or reverse its reading order.

use std::borrow::Cow;

/// Whether a character is shown escaped: C0 controls (tab and line breaks included: one field
/// stays one line), DEL, C1 controls and the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069).
fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One field of outside text, printable: `\t`, `\n` and `\r` as those two characters, every other
/// character [`needs_escape`] picks as `\u{1b}` (Rust's notation). Borrows when nothing changes.
pub fn escape_for_terminal(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// A whole message, printable: like [`escape_for_terminal`] but its line breaks stay line breaks
/// (for messages that list one problem per line and quote outside text within them).
pub fn escape_message(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| needs_escape(c) && !(keep_newlines && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !bad(c) => out.push(c),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped_and_the_rest_borrowed() {
        assert!(matches!(escape_for_terminal("plain Ünïcode ћирилица"), Cow::Borrowed(_)));
        assert_eq!(escape_for_terminal("a\x1b[31mred\x07"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(escape_for_terminal("tab\there\nnext\rback"), "tab\\there\\nnext\\rback");
        assert_eq!(escape_for_terminal("\x7f\u{85}\u{9b}"), "\\u{7f}\\u{85}\\u{9b}");
        assert_eq!(escape_for_terminal("x\u{202e}txt.exe\u{2066}\u{2069}"), "x\\u{202e}txt.exe\\u{2066}\\u{2069}");
        assert_eq!(escape_for_terminal("\u{2029}\u{a0}"), "\u{2029}\u{a0}");
        assert_eq!(escape_message("line 1: \x1b]0;x\x07\nline 2"), "line 1: \\u{1b}]0;x\\u{7}\nline 2");
        // Escaping escaped text changes nothing: printing sites may both escape a field.
        let once = escape_for_terminal("\x1b\n\u{202e}").into_owned();
        assert_eq!(escape_for_terminal(&once), once);
    }
}
