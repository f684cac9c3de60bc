//! The text analyser shared by indexing, queries and snippets: words, then [`fold`].

use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

use crate::translit::{fold_char, is_combining};

/// The name the analyser is registered under in the index.
pub(crate) const ANALYZER: &str = "tomas_fold";

/// Folded tokens longer than this (in bytes) are not indexed.
const MAX_TOKEN_BYTES: usize = 100;

/// The analyser: [`WordTokenizer`] → [`FoldFilter`] → drop tokens over 100 bytes.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(FoldFilter)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .build()
}

/// A word character: a letter or digit in any script, or a combining mark (so that text in
/// decomposed form, `c` + U+030C, stays one word).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c)
}

/// A word of a text: its byte range and its char range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    pub char_start: usize,
    pub char_end: usize,
}

/// The words of `text`: maximal runs of [`is_word_char`]. This is tantivy's `SimpleTokenizer`
/// plus combining marks, and the one definition of a word for the index and for snippets.
pub(crate) fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let mut chars = text.char_indices().enumerate().peekable();
    std::iter::from_fn(move || {
        let (char_start, (start, _)) = chars.find(|(_, (_, c))| is_word_char(*c))?;
        let mut char_end = char_start + 1;
        let mut end = text.len();
        while let Some(&(ci, (bi, c))) = chars.peek() {
            if !is_word_char(c) {
                end = bi;
                break;
            }
            char_end = ci + 1;
            chars.next();
        }
        Some(Word { start, end, char_start, char_end })
    })
}

/// Splits text into [`words`].
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
}

pub(crate) struct WordTokenStream<'a> {
    text: &'a str,
    words: Box<dyn Iterator<Item = Word> + 'a>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream { text, words: Box::new(words(text)), token: &mut self.token }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(word) = self.words.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(&self.text[word.start..word.end]);
        self.token.offset_from = word.start;
        self.token.offset_to = word.end;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Replaces each token's text by its [`fold`]. Offsets still point into the original text.
#[derive(Clone)]
pub(crate) struct FoldFilter;

impl TokenFilter for FoldFilter {
    type Tokenizer<T: Tokenizer> = FoldTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldTokenizer<T> {
        FoldTokenizer { inner: tokenizer, buffer: String::new() }
    }
}

#[derive(Clone)]
pub(crate) struct FoldTokenizer<T> {
    inner: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for FoldTokenizer<T> {
    type TokenStream<'a> = FoldTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldTokenStream { inner: self.inner.token_stream(text), buffer: &mut self.buffer }
    }
}

pub(crate) struct FoldTokenStream<'a, S> {
    inner: S,
    buffer: &'a mut String,
}

impl<S: TokenStream> TokenStream for FoldTokenStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if token.text.is_ascii() {
            token.text.make_ascii_lowercase();
        } else {
            self.buffer.clear();
            token.text.chars().for_each(|c| fold_char(c, self.buffer));
            std::mem::swap(&mut token.text, self.buffer);
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// The folded tokens of `text`, as the index sees them.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyser_splits_and_folds() {
        let mut a = analyzer();
        assert_eq!(
            tokens(&mut a, "Dečja pornografija — ДЕЧЈА, čl. 185b; Shqipëria's c\u{30C}lan"),
            ["decja", "pornografija", "decja", "cl", "185b", "shqiperia", "s", "clan"]
        );
        assert!(tokens(&mut a, &"a".repeat(101)).is_empty());
        assert!(tokens(&mut a, " ,.;: ").is_empty());
    }

    #[test]
    fn words_report_byte_and_char_ranges() {
        let text = "Ђорђе, i Ana";
        let w: Vec<Word> = words(text).collect();
        assert_eq!(w.len(), 3);
        assert_eq!(&text[w[0].start..w[0].end], "Ђорђе");
        assert_eq!((w[0].char_start, w[0].char_end), (0, 5));
        assert_eq!(&text[w[2].start..w[2].end], "Ana");
        assert_eq!((w[2].char_start, w[2].char_end), (9, 12));
    }
}
