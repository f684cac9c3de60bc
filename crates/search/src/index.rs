//! The in-memory index: documents, queries, filters, hits.

use std::{
    collections::HashSet,
    fmt,
    sync::{Mutex, MutexGuard},
};

use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
    collector::TopDocs,
    query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery},
    schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value},
    tokenizer::TextAnalyzer,
};

use crate::{
    analyzer::{ANALYZER, analyzer, is_word_char, tokens},
    snippet::{Matcher, SNIPPET_CHARS, snippet},
};

/// How much more a match in the title counts than one in the body.
const TITLE_BOOST: f32 = 3.0;

/// How much a match on the other English number of a word counts (`orders` for `order`).
const NUMBER_VARIANT_WEIGHT: f32 = 0.7;

/// The index writer's memory budget (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 20_000_000;

/// What a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// One version of an act.
    Instrument,
    /// An article, paragraph, point, annex or topic anchor of an instrument version.
    Provision,
    /// One requirement derived from an EU act or convention.
    Requirement,
    /// A jurisdiction's assessment against one requirement.
    Assessment,
}

impl DocKind {
    pub const ALL: [DocKind; 4] = [DocKind::Instrument, DocKind::Provision, DocKind::Requirement, DocKind::Assessment];

    /// `instrument`, `provision`, `requirement`, `assessment`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Instrument => "instrument",
            DocKind::Provision => "provision",
            DocKind::Requirement => "requirement",
            DocKind::Assessment => "assessment",
        }
    }

    /// The inverse of [`DocKind::as_str`].
    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document to index. `key` is unique: indexing a document with the key of one already in the
/// index replaces it.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub key: String,
    pub kind: DocKind,
    pub title: String,
    pub body: String,
    /// BCP 47 tag of the title and the main text (`en`, `sr-Latn`, …). Stored, not searched: every
    /// language goes through the same analyser.
    pub lang: String,
    pub url: String,
    pub jurisdiction: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub key: String,
    pub kind: DocKind,
    pub title: String,
    pub url: String,
    pub jurisdiction: Option<String>,
    /// A fragment of the body, HTML-escaped, with the matched words in `<mark>…</mark>`.
    pub snippet: String,
    /// The relevance score within the hit's tier (see [`SearchIndex::search`]).
    pub score: f32,
}

/// Restricts a search. `Filter::default()` lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub kind: Option<DocKind>,
    /// A jurisdiction id (`rs`, `al`, `mk`, `eu`, `coe`), compared exactly.
    pub jurisdiction: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: stored document {0:?} lacks its field {1:?}")]
    Corrupt(DocAddress, &'static str),
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    /// Stored: the title as given.
    title: Field,
    /// Indexed: the title without identifiers.
    title_words: Field,
    /// Indexed: identifiers from the title (`csar-removal-execute-24h`).
    ids: Field,
    body: Field,
    lang: Field,
    url: Field,
    jurisdiction: Field,
}

/// A full-text index of [`Doc`]s held in RAM.
///
/// `Send + Sync`: share it (e.g. in an `Arc`) and search from any number of threads at once;
/// each search works on a snapshot and never waits for an [`upsert`](SearchIndex::upsert).
/// Upserts are serialised among themselves.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
    analyzer: TextAnalyzer,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex").field("len", &self.len()).finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Indexes `docs` (a later doc replaces an earlier one with the same key).
    pub fn build(docs: impl IntoIterator<Item = Doc>) -> Result<SearchIndex, SearchError> {
        let mut schema = Schema::builder();
        let indexed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            key: schema.add_text_field("key", STRING | STORED),
            kind: schema.add_text_field("kind", STRING | STORED),
            title: schema.add_text_field("title", STORED),
            title_words: schema.add_text_field("title_words", indexed.clone()),
            ids: schema.add_text_field("ids", indexed.clone()),
            body: schema.add_text_field("body", indexed.set_stored()),
            lang: schema.add_text_field("lang", STORED),
            url: schema.add_text_field("url", STORED),
            jurisdiction: schema.add_text_field("jurisdiction", STRING | STORED),
        };
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(ANALYZER, analyzer());
        let mut writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        for doc in docs {
            writer.delete_term(Term::from_field_text(fields.key, &doc.key));
            writer.add_document(to_tantivy(&fields, &doc))?;
        }
        writer.commit()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { reader, writer: Mutex::new(writer), fields, analyzer: analyzer() })
    }

    /// Adds `doc`, replacing the doc with the same key. Searches that start after this returns see
    /// the change.
    pub fn upsert(&self, doc: Doc) -> Result<(), SearchError> {
        let mut writer = self.writer();
        writer.delete_term(Term::from_field_text(self.fields.key, &doc.key));
        writer.add_document(to_tantivy(&self.fields, &doc))?;
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Removes the doc with `key`, if any. Visible to searches that start after this returns.
    pub fn remove(&self, key: &str) -> Result<(), SearchError> {
        let mut writer = self.writer();
        writer.delete_term(Term::from_field_text(self.fields.key, key));
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The number of docs.
    pub fn len(&self) -> usize {
        usize::try_from(self.reader.searcher().num_docs()).unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches titles and bodies, best first, at most `limit` hits.
    ///
    /// Query syntax: words, `"a phrase"`, and `prefix*`. A word that the analyser splits
    /// (`14(2)`, `csar-removal-execute-24h`) is searched as a phrase. Every word and phrase
    /// goes through the same folding as the documents, so script, case and diacritics do not
    /// matter. Nothing in a query is an error: an unbalanced quote is ignored, punctuation and
    /// operators (`:`, `+`, `AND`) are just text, an empty query finds nothing.
    ///
    /// Ranking comes in two tiers: first the docs that match every word and phrase, then (when
    /// fewer than `limit`) those that match only some, each tier by BM25 with title matches
    /// counting [`TITLE_BOOST`] times body matches. Identifiers in a title
    /// (`csar-removal-execute-24h`: lowercase ASCII words joined by `-`) count as body text, so
    /// that `Serbia — csar-removal-order-form` does not outrank the requirement it names.
    ///
    /// A plain word also finds its other English number at a lower weight (`order` ↔ `orders`,
    /// `authority` ↔ `authorities`): our summaries and statements are English. There is no
    /// other stemming; `stem*` finds every form of a Serbian, Albanian or Macedonian word.
    pub fn search(&self, query: &str, filter: &Filter, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let clauses = parse_query(&mut self.analyzer.clone(), query);
        if clauses.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let queries: Vec<Box<dyn Query>> = clauses.iter().map(|c| self.clause_query(c)).collect();

        let mut tiers: Vec<Box<dyn Query>> = Vec::new();
        if queries.len() > 1 {
            tiers.push(Box::new(BooleanQuery::intersection(queries.iter().map(|q| q.box_clone()).collect())));
        }
        tiers.push(Box::new(BooleanQuery::union(queries)));

        let mut seen = HashSet::new();
        let mut found: Vec<(f32, DocAddress)> = Vec::new();
        for tier in tiers {
            let wanted = limit - found.len();
            if wanted == 0 {
                break;
            }
            let query = self.filtered(tier, filter);
            let top = searcher.search(&query, &TopDocs::with_limit(wanted + seen.len()))?;
            found.extend(top.into_iter().filter(|(_, addr)| seen.insert(*addr)).take(wanted));
        }

        let matcher = matcher(&clauses);
        found.into_iter().map(|(score, addr)| self.hit(&searcher, addr, score, &matcher)).collect()
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter<TantivyDocument>> {
        // A panic while holding the lock leaves the writer usable: every operation on it is
        // complete or reported as an error by tantivy.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn filtered(&self, query: Box<dyn Query>, filter: &Filter) -> Box<dyn Query> {
        let mut must = vec![(Occur::Must, query)];
        let mut exact = |field: Field, value: &str| {
            let term = TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
            must.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(term), 0.0)) as Box<dyn Query>));
        };
        if let Some(kind) = filter.kind {
            exact(self.fields.kind, kind.as_str());
        }
        if let Some(j) = &filter.jurisdiction {
            exact(self.fields.jurisdiction, j);
        }
        if must.len() == 1 { must.remove(0).1 } else { Box::new(BooleanQuery::new(must)) }
    }

    /// One clause matched in the title (boosted), the title's identifiers or the body.
    fn clause_query(&self, clause: &Clause) -> Box<dyn Query> {
        let per_field = |field: Field| -> Box<dyn Query> {
            let term = |t: &str| Term::from_field_text(field, t);
            let term_query = |t: &str| Box::new(TermQuery::new(term(t), IndexRecordOption::WithFreqs));
            match clause {
                Clause::Term(t) => {
                    let variants = number_variants(t);
                    if variants.is_empty() {
                        return term_query(t);
                    }
                    let mut any: Vec<Box<dyn Query>> = vec![term_query(t)];
                    for v in &variants {
                        any.push(Box::new(BoostQuery::new(term_query(v), NUMBER_VARIANT_WEIGHT)));
                    }
                    Box::new(BooleanQuery::union(any))
                }
                Clause::Prefix(p) => Box::new(FuzzyTermQuery::new_prefix(term(p), 0, true)),
                Clause::Phrase(words) => Box::new(PhraseQuery::new(words.iter().map(|w| term(w)).collect())),
            }
        };
        Box::new(BooleanQuery::union(vec![
            Box::new(BoostQuery::new(per_field(self.fields.title_words), TITLE_BOOST)),
            per_field(self.fields.ids),
            per_field(self.fields.body),
        ]))
    }

    fn hit(&self, searcher: &Searcher, addr: DocAddress, score: f32, matcher: &Matcher) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field: Field, name: &'static str| -> Result<String, SearchError> {
            doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string).ok_or(SearchError::Corrupt(addr, name))
        };
        let kind = text(self.fields.kind, "kind")?;
        Ok(Hit {
            key: text(self.fields.key, "key")?,
            kind: DocKind::parse(&kind).ok_or(SearchError::Corrupt(addr, "kind"))?,
            title: text(self.fields.title, "title")?,
            url: text(self.fields.url, "url")?,
            jurisdiction: text(self.fields.jurisdiction, "jurisdiction").ok(),
            snippet: snippet(&text(self.fields.body, "body")?, matcher, SNIPPET_CHARS),
            score,
        })
    }
}

fn to_tantivy(fields: &Fields, doc: &Doc) -> TantivyDocument {
    let mut d = TantivyDocument::new();
    d.add_text(fields.key, &doc.key);
    d.add_text(fields.kind, doc.kind.as_str());
    d.add_text(fields.title, &doc.title);
    let (words, ids) = split_identifiers(&doc.title);
    d.add_text(fields.title_words, words);
    d.add_text(fields.ids, ids);
    d.add_text(fields.body, &doc.body);
    d.add_text(fields.lang, &doc.lang);
    d.add_text(fields.url, &doc.url);
    if let Some(j) = &doc.jurisdiction {
        d.add_text(fields.jurisdiction, j);
    }
    d
}

/// Splits a title into its words and its identifiers: whitespace-separated chunks of lowercase
/// ASCII letters and digits joined by `-` (`csar-removal-execute-24h`, `eu-csar`), ignoring
/// punctuation around them.
fn split_identifiers(title: &str) -> (String, String) {
    let (mut words, mut ids) = (String::new(), String::new());
    for chunk in title.split_whitespace() {
        let core = chunk.trim_matches(|c: char| !c.is_alphanumeric());
        let is_id = core.contains('-')
            && core
                .split('-')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
            && core.bytes().any(|b| b.is_ascii_lowercase());
        let out = if is_id { &mut ids } else { &mut words };
        out.push_str(if is_id { core } else { chunk });
        out.push(' ');
    }
    (words, ids)
}

/// The other English number of a folded word: `order` → `orders`, `orders` → `order`,
/// `authority` → `authorities` and back. Only for words of 3+ ASCII letters.
fn number_variants(word: &str) -> Vec<String> {
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return Vec::new();
    }
    let vowel = |b: u8| b"aeiou".contains(&b);
    let bytes = word.as_bytes();
    let before_last = bytes[bytes.len() - 2];
    let mut out = Vec::new();
    if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() >= 2) {
        out.push(format!("{stem}y"));
    } else if let Some(stem) = word.strip_suffix('y').filter(|_| !vowel(before_last)) {
        out.push(format!("{stem}ies"));
    } else if let Some(stem) = word.strip_suffix('s') {
        if !stem.ends_with('s') && stem.len() >= 3 {
            out.push(stem.to_string());
        }
    } else {
        out.push(format!("{word}s"));
    }
    out
}

/// One part of a query, in folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Clause {
    Term(String),
    Prefix(String),
    /// Two or more words in a row.
    Phrase(Vec<String>),
}

/// Characters that join the words of a query chunk into a phrase (`14(2)`, `2011/93/EU`,
/// `csar-removal-execute-24h`). Any other non-word character separates chunks, so query syntax
/// from other engines (`title:removal`, `+a`, `a^2`) degrades to plain words.
const PHRASE_JOINERS: &str = "-./()'’_@#&*";

/// Splits a query into clauses; see [`SearchIndex::search`].
fn parse_query(analyzer: &mut TextAnalyzer, query: &str) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut push = |c: Clause| {
        if !clauses.contains(&c) {
            clauses.push(c);
        }
    };
    let phrase_or_term = |mut words: Vec<String>| match words.len() {
        0 => None,
        1 => words.pop().map(Clause::Term),
        _ => Some(Clause::Phrase(words)),
    };
    let mut rest = query;
    while !rest.is_empty() {
        // Text before the next balanced pair of quotes, then the quoted phrase.
        let (plain, quoted, after) = match rest.split_once('"') {
            Some((before, tail)) => match tail.split_once('"') {
                Some((inside, after)) => (before, Some(inside), after),
                None => (before, None, tail), // unbalanced: the quote is ignored
            },
            None => (rest, None, ""),
        };
        for chunk in plain.split(|c: char| !(is_word_char(c) || PHRASE_JOINERS.contains(c))).filter(|c| !c.is_empty()) {
            let mut words = tokens(analyzer, chunk);
            if chunk.ends_with('*') && words.len() == 1 {
                push(Clause::Prefix(words.remove(0)));
            } else if let Some(c) = phrase_or_term(words) {
                push(c);
            }
        }
        if let Some(c) = quoted.and_then(|q| phrase_or_term(tokens(analyzer, q))) {
            push(c);
        }
        rest = after;
    }
    clauses
}

/// What snippets highlight for these clauses.
fn matcher(clauses: &[Clause]) -> Matcher {
    let mut m = Matcher::default();
    for c in clauses {
        match c {
            Clause::Term(t) => m.terms.push(std::iter::once(t.clone()).chain(number_variants(t)).collect()),
            Clause::Prefix(p) => m.prefixes.push(p.clone()),
            Clause::Phrase(words) => m.terms.extend(words.iter().map(|w| vec![w.clone()])),
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Vec<Clause> {
        parse_query(&mut analyzer(), q)
    }

    fn term(t: &str) -> Clause {
        Clause::Term(t.into())
    }

    fn phrase(words: &[&str]) -> Clause {
        Clause::Phrase(words.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn queries_parse_into_folded_clauses() {
        assert_eq!(parse("Дечја   Pornografija"), [term("decja"), term("pornografija")]);
        assert_eq!(parse("\"removal order\" 24 hours"), [phrase(&["removal", "order"]), term("24"), term("hours")]);
        assert_eq!(
            parse("csar-removal-execute-24h Art. 14(2)"),
            [phrase(&["csar", "removal", "execute", "24h"]), term("art"), phrase(&["14", "2"])]
        );
        assert_eq!(parse("porno*"), [Clause::Prefix("porno".into())]);
        assert_eq!(parse("order order ORDER"), [term("order")]);
    }

    #[test]
    fn english_number_variants() {
        let v = |w: &str| number_variants(w);
        assert_eq!(v("order"), ["orders"]);
        assert_eq!(v("orders"), ["order"]);
        assert_eq!(v("authority"), ["authorities"]);
        assert_eq!(v("authorities"), ["authority"]);
        assert_eq!(v("day"), ["days"]);
        assert_eq!(v("access"), Vec::<String>::new());
        assert_eq!(v("24"), Vec::<String>::new());
        assert_eq!(v("na"), Vec::<String>::new());
        assert_eq!(v("član"), Vec::<String>::new());
    }

    #[test]
    fn identifiers_leave_the_title_words() {
        assert_eq!(
            split_identifiers("Serbia — csar-removal-execute-24h (com-2022)"),
            ("Serbia — ".to_string(), "csar-removal-execute-24h com-2022 ".to_string())
        );
        assert_eq!(
            split_identifiers("csar-def-csam: Member States must define CSAM, e.g. end-to-end X-ray"),
            ("Member States must define CSAM, e.g. X-ray ".to_string(), "csar-def-csam end-to-end ".to_string())
        );
    }

    #[test]
    fn malformed_queries_degrade_to_terms() {
        assert_eq!(parse("\"removal order"), [term("removal"), term("order")]);
        assert_eq!(parse("title: removal"), [term("title"), term("removal")]);
        assert_eq!(parse("title:removal +order^2"), [term("title"), term("removal"), term("order"), term("2")]);
        assert_eq!(parse("a\"b\"c"), [term("a"), term("b"), term("c")]);
        for q in ["", "\"", "\"\"", ":", "*", "(((", "AND OR NOT", "-", "+-:^~", "\" \""] {
            let _ = parse(q);
        }
        assert!(parse("\"\" : * ((( ").is_empty());
    }
}
