//! Transliteration between the Serbian scripts, Macedonian Cyrillic to Latin, and the search
//! folding built on them.
//!
//! - [`sr_latin_to_cyrillic`]: Serbian Gaj Latin → Vuk Cyrillic, for Serbian Cyrillic UI text made
//!   from Serbian Latin. It leaves alone what is clearly not a Serbian word (see its docs).
//! - [`cyrillic_to_latin`]: Serbian and Macedonian Cyrillic → Latin with diacritics (`Љубљана` →
//!   `Ljubljana`, `ќерка` → `ḱerka`).
//! - [`fold`]: the search key of a text: lowercase, Latin, no diacritics (`Đorđe` and `Ђорђе` →
//!   `djordje`). The index analyser folds every token with it, so queries and documents meet.
//!
//! All three are pure and never fail: a character they have no rule for is copied as it is.

/// Serbian (and Macedonian) Cyrillic → Latin, for one lowercase letter. Macedonian `ѓ`/`ќ` give
/// the standard `ǵ`/`ḱ`; other Cyrillic letters (Russian, Ukrainian, Bulgarian) get a best-effort
/// Latin spelling so that folded text never keeps Cyrillic.
fn cyrillic_lower(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'ђ' => "đ",
        'ѓ' => "ǵ",
        'е' => "e",
        'ж' => "ž",
        'з' => "z",
        'ѕ' => "dz",
        'и' => "i",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "ć",
        'ќ' => "ḱ",
        'у' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "c",
        'ч' => "č",
        'џ' => "dž",
        'ш' => "š",
        // Not Serbian or Macedonian: best effort.
        'й' => "j",
        'ё' => "jo",
        'є' => "je",
        'і' => "i",
        'ї' => "ji",
        'ґ' => "g",
        'щ' => "šč",
        'ы' => "y",
        'э' => "e",
        'ю' => "ju",
        'я' => "ja",
        'ъ' | 'ь' => "",
        // Macedonian and Bulgarian texts sometimes mark stress with the grave accent.
        'ѐ' => "e",
        'ѝ' => "i",
        _ => return None,
    })
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Serbian and Macedonian Cyrillic → Latin (`Љубљана` → `Ljubljana`, `ЊЕГОШ` → `NJEGOŠ`,
/// `Ѓорѓи` → `Ǵorǵi`). Everything that is not Cyrillic is copied unchanged.
///
/// An uppercase letter that becomes two Latin letters (`Љ`, `Њ`, `Џ`, `Ѕ`) is written all caps
/// (`LJ`) when the next letter is uppercase too, or when it ends a word after an uppercase letter;
/// otherwise title case (`Lj`).
pub fn cyrillic_to_latin(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if !is_cyrillic(c) {
            out.push(c);
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        let Some(latin) = cyrillic_lower(lower) else {
            out.push(c);
            continue;
        };
        if lower == c {
            out.push_str(latin);
            continue;
        }
        let mut letters = latin.chars();
        let Some(first) = letters.next() else {
            continue;
        };
        out.extend(first.to_uppercase());
        let rest = letters.as_str();
        if rest.is_empty() {
            continue;
        }
        let next = chars.get(i + 1).copied().filter(|n| n.is_alphabetic());
        let all_caps = match next {
            Some(n) => n.is_uppercase(),
            None => i > 0 && chars[i - 1].is_uppercase(),
        };
        if all_caps {
            out.extend(rest.chars().flat_map(char::to_uppercase));
        } else {
            out.push_str(rest);
        }
    }
    out
}

/// The search key of `s`: lowercase, Cyrillic transliterated to Latin, diacritics removed
/// (`č ć → c`, `š → s`, `ž → z`, `đ → dj`, Albanian `ë → e`, `ç → c`, Macedonian `ǵ → gj`,
/// `ḱ → kj`), combining marks dropped. Works character by character, so a word folds the same
/// alone or in a sentence; it never joins or splits words.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Appends the folding of one character to `out`.
pub(crate) fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        if is_cyrillic(lower) {
            match cyrillic_lower(lower) {
                Some(latin) => latin.chars().for_each(|l| strip_diacritics(l, out)),
                None => out.push(lower),
            }
        } else {
            strip_diacritics(lower, out);
        }
    }
}

/// Whether `c` is a combining mark that belongs to the letter before it (`c` + U+030C = `č`).
pub(crate) fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Appends the base letter(s) of one lowercase character.
fn strip_diacritics(c: char, out: &mut String) {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' | 'ǻ' | 'ȁ' | 'ȃ' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ'
        | 'ẫ' | 'ậ' | 'ắ' | 'ằ' | 'ẳ' | 'ẵ' | 'ặ' => "a",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'ð' => "d",
        'đ' => "dj",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ȅ' | 'ȇ' | 'ẹ' | 'ẻ' | 'ẽ' | 'ế' | 'ề' | 'ể' | 'ễ'
        | 'ệ' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'ǧ' => "g",
        'ǵ' => "gj",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' | 'ȉ' | 'ȋ' | 'ỉ' | 'ị' => "i",
        'ĵ' | 'ǰ' => "j",
        'ķ' | 'ĸ' | 'ǩ' => "k",
        'ḱ' => "kj",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' | 'ǹ' | 'ŋ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ơ' | 'ǒ' | 'ȍ' | 'ȏ' | 'ọ' | 'ỏ' | 'ố' | 'ồ' | 'ổ'
        | 'ỗ' | 'ộ' | 'ớ' | 'ờ' | 'ở' | 'ỡ' | 'ợ' => "o",
        'ŕ' | 'ŗ' | 'ř' | 'ȑ' | 'ȓ' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ſ' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ư' | 'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ȕ' | 'ȗ'
        | 'ụ' | 'ủ' | 'ứ' | 'ừ' | 'ử' | 'ữ' | 'ự' => "u",
        'ŵ' | 'ẁ' | 'ẃ' | 'ẅ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'ỳ' | 'ỹ' | 'ỷ' | 'ỵ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        // The Serbo-Croatian digraph ligatures.
        'ǆ' | 'ǅ' => "dz",
        'ǉ' | 'ǈ' => "lj",
        'ǌ' | 'ǋ' => "nj",
        c if is_combining(c) => "",
        c => {
            out.push(c);
            return;
        }
    };
    out.push_str(base);
}

/// Serbian Gaj Latin → Vuk Cyrillic (`Ljubljana` → `Љубљана`, `Džep` → `Џеп`, `NJEGOŠ` →
/// `ЊЕГОШ`), for producing Serbian Cyrillic UI text from Serbian Latin.
///
/// `lj`, `nj` and `dž` become `љ`, `њ`, `џ` (also as `Lj`/`LJ`, `Nj`/`NJ`, `Dž`/`DŽ`), except at
/// the start of a few known words where they are two letters (`injekcija` → `инјекција`,
/// `konjunkcija`, `nadživeti` → `надживети`, `podžupan`, …). `dj` stays `дј` (`odjednom`): write
/// `đ` for `ђ`.
///
/// Left exactly as written, because they are not Serbian words:
/// - Fluent placeables `{ … }` (variables, terms, functions, string literals). In a select
///   expression (`{ $n -> [one] … *[other] … }`) the variant keys stay, but the variant values
///   are text and are transliterated (placeables inside them stay). Variants written on one
///   line (`{ $n -> [one] … *[other] … }`, not valid Fluent) are understood too.
/// - text between backticks, backticks included (`` `tomas law check` ``);
/// - URLs and e-mail addresses: from `http://`, `https://`, `ftp://`, `mailto:` or `www.` to
///   the next whitespace, and `name@host.tld`;
/// - HTML tags (`<a href="…">`, `</a>`) and entities (`&amp;`);
/// - words with a letter Serbian does not use (`q`, `w`, `x`, `y`, `é`, `ü`, …) or with a digit
///   (`PDQ`, `Windows`, `MD5`, `SHA256`), except a number with a one-letter lowercase suffix as
///   in article numbering (`185b` → `185б`).
///
/// Everything that is not a letter (digits, punctuation, whitespace) is copied unchanged.
/// Unbalanced `{` or a backtick without its closing partner: the rest after `{` is copied
/// unchanged (it would be a Fluent syntax error anyway); a lone backtick is an ordinary character.
pub fn sr_latin_to_cyrillic(s: &str) -> String {
    let mut t = ToCyrillic { s, pos: 0, out: String::with_capacity(s.len() * 2) };
    t.text(false);
    // `text(false)` only stops at the end of input or at an unmatched `}`, which it copies.
    while t.pos < s.len() {
        t.copy_char();
        t.text(false);
    }
    t.out
}

struct ToCyrillic<'a> {
    s: &'a str,
    pos: usize,
    out: String,
}

impl ToCyrillic<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn prev(&self) -> Option<char> {
        self.s[..self.pos].chars().next_back()
    }

    fn copy_char(&mut self) {
        if let Some(c) = self.peek() {
            self.out.push(c);
            self.pos += c.len_utf8();
        }
    }

    fn copy_to(&mut self, end: usize) {
        self.out.push_str(&self.s[self.pos..end]);
        self.pos = end;
    }

    /// Transliterates text up to the end of input or a `}`. In a select variant (`variant`), also
    /// stops before a line break that starts the next variant (`[`, `*[`) or closes the
    /// expression.
    fn text(&mut self, variant: bool) {
        while let Some(c) = self.peek() {
            match c {
                '}' => return,
                '\n' if variant && self.at_variant_end() => return,
                // Not valid Fluent (variants start on their own line), but a common slip.
                '*' if variant && self.rest().starts_with("*[") => return,
                '[' if variant && self.at_inline_variant_key() => return,
                '{' => self.placeable(),
                '`' => match self.rest()[1..].find('`') {
                    Some(close) => self.copy_to(self.pos + close + 2),
                    None => self.copy_char(),
                },
                '<' => match self.html_tag_len() {
                    Some(len) => self.copy_to(self.pos + len),
                    None => self.copy_char(),
                },
                '&' => match self.entity_len() {
                    Some(len) => self.copy_to(self.pos + len),
                    None => self.copy_char(),
                },
                c if is_word_char(c) => {
                    if let Some(len) = self.link_len() {
                        self.copy_to(self.pos + len);
                    } else {
                        self.word();
                    }
                }
                _ => self.copy_char(),
            }
        }
    }

    /// At a `\n`: whether the next line starts a variant or closes the select expression.
    fn at_variant_end(&self) -> bool {
        let next_line = self.rest()[1..].trim_start_matches([' ', '\t', '\r']);
        next_line.starts_with(['[', '*', '}'])
    }

    /// At `[`: whether this is `[key]` after whitespace, `key` a Fluent identifier or number.
    fn at_inline_variant_key(&self) -> bool {
        let Some(close) = self.rest().find(']') else {
            return false;
        };
        let key = &self.rest()[1..close];
        self.prev().is_some_and(char::is_whitespace)
            && !key.is_empty()
            && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    }

    /// A placeable starting at `{`: copied verbatim, except the values of a select expression.
    fn placeable(&mut self) {
        self.copy_char(); // `{`
        loop {
            let Some(c) = self.peek() else { return };
            match c {
                '}' => {
                    self.copy_char();
                    return;
                }
                '{' => self.verbatim_placeable(),
                '"' => self.string_literal(),
                '-' if self.rest().starts_with("->") => {
                    self.copy_to(self.pos + 2);
                    self.variants();
                    return;
                }
                _ => self.copy_char(),
            }
        }
    }

    /// A placeable nested in an expression: copied as it is, up to its matching `}`.
    fn verbatim_placeable(&mut self) {
        self.copy_char(); // `{`
        while let Some(c) = self.peek() {
            match c {
                '}' => {
                    self.copy_char();
                    return;
                }
                '{' => self.verbatim_placeable(),
                '"' => self.string_literal(),
                _ => self.copy_char(),
            }
        }
    }

    /// `"…"` with `\"` and `\\` escapes, copied as it is.
    fn string_literal(&mut self) {
        self.copy_char(); // opening `"`
        let mut escaped = false;
        while let Some(c) = self.peek() {
            self.copy_char();
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => return,
                '\n' => return, // Fluent string literals are single-line.
                _ => escaped = false,
            }
        }
    }

    /// The variants of a select expression, after `->`, up to and including the closing `}`.
    fn variants(&mut self) {
        loop {
            while self.peek().is_some_and(char::is_whitespace) {
                self.copy_char();
            }
            let Some(c) = self.peek() else { return };
            match c {
                '}' => {
                    self.copy_char();
                    return;
                }
                '*' => self.copy_char(),
                '[' => {
                    let end = self
                        .rest()
                        .find([']', '\n'])
                        .map_or(self.s.len(), |i| self.pos + i + usize::from(self.rest()[i..].starts_with(']')));
                    self.copy_to(end);
                    self.text(true);
                }
                // Not Fluent syntax: keep copying, never loop without progress.
                _ => {
                    self.copy_char();
                    self.text(true);
                }
            }
        }
    }

    /// Length of an HTML tag at `<` (`<b>`, `</a>`, `<a href="x">`, `<!-- … -->`), on one line.
    fn html_tag_len(&self) -> Option<usize> {
        let rest = self.rest();
        let after = rest[1..].chars().next()?;
        if !(after.is_ascii_alphabetic() || after == '/' || after == '!') {
            return None;
        }
        let close = rest.find('>')?;
        (!rest[..close].contains('\n')).then_some(close + 1)
    }

    /// Length of an HTML entity at `&` (`&amp;`, `&#39;`, `&#x27;`).
    fn entity_len(&self) -> Option<usize> {
        let rest = self.rest();
        let body = rest[1..].find(';')?;
        let name = &rest[1..1 + body];
        (!name.is_empty() && name.len() <= 10 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '#'))
            .then_some(body + 2)
    }

    /// Length of a URL or e-mail address starting here, if one does.
    fn link_len(&self) -> Option<usize> {
        if self.prev().is_some_and(is_word_char) {
            return None;
        }
        let rest = self.rest();
        let to_space = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let chunk = &rest[..to_space];
        let lower = chunk.get(..8).unwrap_or(chunk).to_ascii_lowercase();
        if ["http://", "https://", "ftp://", "mailto:", "www."].iter().any(|p| lower.starts_with(p)) {
            return Some(to_space);
        }
        // name@host.tld
        let local_end = chunk.find(|c: char| !(c.is_alphanumeric() || ".-_+%".contains(c))).unwrap_or(chunk.len());
        if chunk[local_end..].starts_with('@') {
            let host = &chunk[local_end + 1..];
            let host_end = host.find(|c: char| !(c.is_alphanumeric() || ".-".contains(c))).unwrap_or(host.len());
            let host = host[..host_end].trim_end_matches('.');
            if host.contains('.') && !host.starts_with('.') {
                return Some(local_end + 1 + host.len());
            }
        }
        None
    }

    /// One word (letters, digits, combining marks).
    fn word(&mut self) {
        let s = self.s;
        let rest = &s[self.pos..];
        let end = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
        let word = &rest[..end];
        self.pos += end;
        // Article numbering: `185b` → `185б`.
        let digits = word.trim_end_matches(|c: char| !c.is_ascii_digit());
        let suffix = &word[digits.len()..];
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && suffix.chars().count() == 1
            && suffix.chars().all(char::is_lowercase)
            && let Some(letters) = serbian_letters(suffix)
        {
            self.out.push_str(digits);
            transliterate_word(&letters, &mut self.out);
            return;
        }
        match serbian_letters(word) {
            Some(letters) => transliterate_word(&letters, &mut self.out),
            None => self.out.push_str(word),
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c)
}

/// The letters of `word` (with `c` + combining caron composed to `č` etc.) when it is written in
/// the Serbian Latin alphabet; `None` when it has a digit or a letter Serbian does not use.
fn serbian_letters(word: &str) -> Option<Vec<char>> {
    let mut letters: Vec<char> = Vec::with_capacity(word.len());
    for c in word.chars() {
        if is_combining(c) {
            let base = letters.pop()?;
            letters.push(compose(base, c)?);
            continue;
        }
        let serbian = match c {
            'q' | 'w' | 'x' | 'y' | 'Q' | 'W' | 'X' | 'Y' => false,
            'a'..='z' | 'A'..='Z' => true,
            'č' | 'ć' | 'đ' | 'š' | 'ž' | 'Č' | 'Ć' | 'Đ' | 'Š' | 'Ž' => true,
            'ǅ' | 'ǆ' | 'Ǆ' | 'ǈ' | 'ǉ' | 'Ǉ' | 'ǋ' | 'ǌ' | 'Ǌ' => true,
            _ => false,
        };
        if !serbian {
            return None;
        }
        letters.push(c);
    }
    Some(letters)
}

/// `c` + U+030C → `č` and the like, for the Serbian letters only.
fn compose(base: char, mark: char) -> Option<char> {
    Some(match (base, mark) {
        ('c', '\u{30C}') => 'č',
        ('C', '\u{30C}') => 'Č',
        ('c', '\u{301}') => 'ć',
        ('C', '\u{301}') => 'Ć',
        ('s', '\u{30C}') => 'š',
        ('S', '\u{30C}') => 'Š',
        ('z', '\u{30C}') => 'ž',
        ('Z', '\u{30C}') => 'Ž',
        _ => return None,
    })
}

/// Word starts where `lj`, `nj` or `dž` are two letters; `|` marks the split.
const SPLIT_DIGRAPHS: &[&str] = &[
    "in|jek",
    "in|junk",
    "kon|jug",
    "kon|junk",
    "tan|jug",
    "van|jezi",
    "nad|živ",
    "nad|žnje",
    "nad|žanj",
    "pod|žanr",
    "pod|žup",
    "od|žali",
    "pred|žet",
];

/// The index (in letters) of a forced digraph split in `letters`, if a known word start says so.
fn forced_split(letters: &[char]) -> Option<usize> {
    SPLIT_DIGRAPHS.iter().find_map(|pattern| {
        let (head, tail) = pattern.split_once('|')?;
        let mut want = head.chars().chain(tail.chars());
        let n = head.chars().count() + tail.chars().count();
        if letters.len() < n {
            return None;
        }
        let matches = letters[..n].iter().all(|c| Some(c.to_lowercase().next().unwrap_or(*c)) == want.next());
        matches.then(|| head.chars().count())
    })
}

fn transliterate_word(letters: &[char], out: &mut String) {
    let split = forced_split(letters);
    let mut i = 0;
    while i < letters.len() {
        let c = letters[i];
        let upper = c.is_uppercase();
        if let Some(&next) = letters.get(i + 1) {
            // A digraph: second letter lowercase, or both uppercase (`Lj`, `lj`, `LJ`; not `lJ`).
            let pair = (next.is_lowercase() || upper) && split != Some(i + 1);
            let digraph = match (c.to_lowercase().next(), next.to_lowercase().next()) {
                (Some('l'), Some('j')) if pair => Some(('љ', 'Љ')),
                (Some('n'), Some('j')) if pair => Some(('њ', 'Њ')),
                (Some('d'), Some('ž')) if pair => Some(('џ', 'Џ')),
                _ => None,
            };
            if let Some((lower, capital)) = digraph {
                out.push(if upper { capital } else { lower });
                i += 2;
                continue;
            }
        }
        out.push_str(latin_to_cyrillic_letter(c));
        i += 1;
    }
}

fn latin_to_cyrillic_letter(c: char) -> &'static str {
    match c {
        'a' => "а",
        'b' => "б",
        'c' => "ц",
        'č' => "ч",
        'ć' => "ћ",
        'd' => "д",
        'đ' => "ђ",
        'e' => "е",
        'f' => "ф",
        'g' => "г",
        'h' => "х",
        'i' => "и",
        'j' => "ј",
        'k' => "к",
        'l' => "л",
        'm' => "м",
        'n' => "н",
        'o' => "о",
        'p' => "п",
        'r' => "р",
        's' => "с",
        'š' => "ш",
        't' => "т",
        'u' => "у",
        'v' => "в",
        'z' => "з",
        'ž' => "ж",
        'A' => "А",
        'B' => "Б",
        'C' => "Ц",
        'Č' => "Ч",
        'Ć' => "Ћ",
        'D' => "Д",
        'Đ' => "Ђ",
        'E' => "Е",
        'F' => "Ф",
        'G' => "Г",
        'H' => "Х",
        'I' => "И",
        'J' => "Ј",
        'K' => "К",
        'L' => "Л",
        'M' => "М",
        'N' => "Н",
        'O' => "О",
        'P' => "П",
        'R' => "Р",
        'S' => "С",
        'Š' => "Ш",
        'T' => "Т",
        'U' => "У",
        'V' => "В",
        'Z' => "З",
        'Ž' => "Ж",
        'ǆ' => "џ",
        'ǅ' | 'Ǆ' => "Џ",
        'ǉ' => "љ",
        'ǈ' | 'Ǉ' => "Љ",
        'ǌ' => "њ",
        'ǋ' | 'Ǌ' => "Њ",
        // `serbian_letters` admits nothing else.
        _ => "",
    }
}

#[cfg(test)]
mod tests;
