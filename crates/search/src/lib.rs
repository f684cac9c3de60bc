//! Full-text search over the TOMAS corpus — instruments, provisions, requirements and assessments
//! — in English, Serbian (Latin and Cyrillic), Albanian and Macedonian, held in RAM.
//!
//! # The analyser
//!
//! Documents and queries go through one analyser, so they meet whatever script, case or
//! diacritics either was typed in:
//!
//! ```text
//! text ──words──▶ Dečja | ДЕЧЈА | Shqipëria | ќерка ──fold──▶ decja | decja | shqiperia | kjerka
//! ```
//!
//! 1. **words**: maximal runs of letters and digits in any script (tantivy's simple tokenizer),
//!    combining marks included so that decomposed text (`c` + U+030C) stays one word.
//! 2. **fold** ([`translit::fold`]), a token filter: lowercase; Serbian and Macedonian Cyrillic
//!    to Latin (`љ → lj`, `џ → dž`, `ѓ → ǵ`, `ќ → ḱ`, `ѕ → dz`); diacritics removed (`č ć → c`,
//!    `š → s`, `ž → z`, `đ → dj`, `ë → e`, `ç → c`, `ǵ → gj`, `ḱ → kj`).
//!
//! So `дечја порнографија`, `dečja pornografija` and `decja pornografija` are the same two
//! terms. There is no stemming: Serbian and Albanian inflect heavily, so search a stem with a
//! trailing `*` (`pornograf*`) to find every form.
//!
//! Snippets ([`Hit::snippet`]) fold each word of the original text the same way to find the
//! matches, and show the original spelling, HTML-escaped, with matches in `<mark>`.
//!
//! # Use
//!
//! ```
//! use search::{Doc, DocKind, Filter, SearchIndex};
//!
//! let index = SearchIndex::build([Doc {
//!     key: "provision:rs-cc@2019#art_185".into(),
//!     kind: DocKind::Provision,
//!     title: "Кривични законик, члан 185".into(),
//!     body: "Приказивање, прибављање и поседовање порнографског материјала".into(),
//!     lang: "sr-Cyrl".into(),
//!     url: "/instruments/rs-cc/2019#art_185".into(),
//!     jurisdiction: Some("rs".into()),
//! }])?;
//! let hits = index.search("posedovanje pornografskog", &Filter::default(), 10)?;
//! assert_eq!(hits[0].key, "provision:rs-cc@2019#art_185");
//! assert!(hits[0].snippet.contains("<mark>поседовање</mark>"));
//! # Ok::<(), search::SearchError>(())
//! ```
//!
//! [`docs_from_corpus`] turns a [`law::Corpus`] into documents; [`assessment_doc`] rebuilds one
//! assessment's document after an edit, for [`SearchIndex::upsert`].

mod analyzer;
mod corpus;
mod index;
mod snippet;
pub mod translit;

pub use corpus::{assessment_doc, docs_from_corpus, instrument_doc, provision_doc, requirement_doc};
pub use index::{Doc, DocKind, Filter, Hit, SearchError, SearchIndex};
