//! The user interface in five languages with Project Fluent.
//!
//! Resource files live in `i18n/<lang>.ftl` and are compiled into the binary. Serbian Cyrillic has
//! no file of its own: it is produced from the Serbian Latin file by transliteration (message values
//! only; ids, placeables and variant keys are left alone). A message missing in a language falls
//! back to English.

use std::{collections::HashMap, fmt};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    SrLatn,
    SrCyrl,
    Sq,
    Mk,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::SrLatn, Lang::SrCyrl, Lang::Sq, Lang::Mk];

    /// BCP 47 tag, as used in `lang` attributes, cookies and `?lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::SrLatn => "sr-Latn",
            Lang::SrCyrl => "sr-Cyrl",
            Lang::Sq => "sq",
            Lang::Mk => "mk",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::SrLatn => "Srpski (latinica)",
            Lang::SrCyrl => "Српски (ћирилица)",
            Lang::Sq => "Shqip",
            Lang::Mk => "Македонски",
        }
    }

    /// Exact tag (case-insensitive), or a close match: `sr` and `sr-RS` are Cyrillic (CLDR's default
    /// script for Serbian), `sr-Latn-*` Latin, `sq-*` Albanian, `mk-*` Macedonian, `en-*` English.
    pub fn parse(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        let mut parts = t.split(['-', '_']);
        let primary = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        match primary {
            "en" => Some(Lang::En),
            "sq" => Some(Lang::Sq),
            "mk" => Some(Lang::Mk),
            "sr" if rest.contains(&"latn") => Some(Lang::SrLatn),
            "sr" => Some(Lang::SrCyrl),
            "sh" | "hbs" | "bs" | "hr" | "cnr" => Some(Lang::SrLatn),
            _ => None,
        }
    }

    /// Picks a language from an `Accept-Language` header, honouring q-values.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, usize, Lang)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                (q > 0.0).then_some(())?;
                Some((q, i, Lang::parse(tag)?))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map(|c| c.2)
    }

    /// Whether corpus content (our summaries, statements, rationales: written in English) is in
    /// this language.
    pub fn is_content_language(self) -> bool {
        self == Lang::En
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

const EN: &str = include_str!("../i18n/en.ftl");
const SR_LATN: &str = include_str!("../i18n/sr-Latn.ftl");
const SQ: &str = include_str!("../i18n/sq.ftl");
const MK: &str = include_str!("../i18n/mk.ftl");

pub struct I18n {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

impl fmt::Debug for I18n {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("I18n")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("i18n/{lang}.ftl: {message}")]
pub struct I18nError {
    lang: &'static str,
    message: String,
}

impl I18n {
    pub fn load() -> Result<I18n, I18nError> {
        let mut bundles = HashMap::new();
        let cyrillic = transliterate_ftl(SR_LATN);
        for (lang, source) in [
            (Lang::En, EN.to_string()),
            (Lang::SrLatn, SR_LATN.to_string()),
            (Lang::SrCyrl, cyrillic),
            (Lang::Sq, SQ.to_string()),
            (Lang::Mk, MK.to_string()),
        ] {
            let err = |message: String| I18nError { lang: lang.tag(), message };
            let resource = FluentResource::try_new(source).map_err(|(_, errors)| err(format!("{errors:?}")))?;
            let id: LanguageIdentifier = lang.tag().parse().map_err(|e| err(format!("{e}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks around placeables: they would leak into attributes and URLs.
            bundle.set_use_isolating(false);
            bundle.add_resource(resource).map_err(|errors| err(format!("{errors:?}")))?;
            bundles.insert(lang, bundle);
        }
        Ok(I18n { bundles })
    }

    fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let bundle = self.bundles.get(&lang)?;
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        Some(text.into_owned())
    }

    /// The message in `lang`, else in English, else its id (a missing message is visible, not fatal).
    pub fn get(&self, lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        self.format(lang, id, args).or_else(|| self.format(Lang::En, id, args)).unwrap_or_else(|| id.to_string())
    }

    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundles.get(&lang).is_some_and(|b| b.has_message(id))
    }

    /// Every message id of the English file (the reference set).
    pub fn english_ids() -> Vec<String> {
        message_ids(EN)
    }

    pub fn ids(lang: Lang) -> Vec<String> {
        match lang {
            Lang::En => message_ids(EN),
            Lang::SrLatn | Lang::SrCyrl => message_ids(SR_LATN),
            Lang::Sq => message_ids(SQ),
            Lang::Mk => message_ids(MK),
        }
    }
}

fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
        .collect()
}

/// Serbian Latin FTL → Serbian Cyrillic FTL: message values only.
pub fn transliterate_ftl(source: &str) -> String {
    let mut out = String::with_capacity(source.len() * 2);
    for line in source.lines() {
        let trimmed = line.trim_start();
        if line.is_empty() || trimmed.starts_with('#') {
            out.push_str(line);
        } else if line.starts_with(|c: char| c.is_ascii_alphabetic()) || trimmed.starts_with('.') {
            // `id = value` or `.attr = value`
            match line.split_once('=') {
                Some((head, value)) => {
                    out.push_str(head);
                    out.push('=');
                    out.push_str(&search::translit::sr_latin_to_cyrillic(value));
                }
                None => out.push_str(line),
            }
        } else if let Some(rest) = trimmed.strip_prefix('[').or_else(|| trimmed.strip_prefix("*[")) {
            // A variant `[key] value`: keep the key.
            let indent = &line[..line.len() - trimmed.len()];
            let star = if trimmed.starts_with('*') { "*" } else { "" };
            match rest.split_once(']') {
                Some((key, value)) => {
                    out.push_str(&format!("{indent}{star}[{key}]"));
                    out.push_str(&search::translit::sr_latin_to_cyrillic(value));
                }
                None => out.push_str(line),
            }
        } else {
            out.push_str(&search::translit::sr_latin_to_cyrillic(line));
        }
        out.push('\n');
    }
    out
}

/// A language bound to the bundles, for templates: `{{ tr.t("nav-matrix") }}`.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    pub i18n: &'a I18n,
    pub lang: Lang,
}

impl Tr<'_> {
    pub fn t(&self, id: &str) -> String {
        self.i18n.get(self.lang, id, None)
    }

    /// With one named argument: `tr.t1("matrix-count", "n", 12)`.
    pub fn t1(&self, id: &str, name: &str, value: impl fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), FluentValue::from(value.to_string()));
        self.i18n.get(self.lang, id, Some(&args))
    }

    /// With a number argument (plural rules apply).
    pub fn tn(&self, id: &str, name: &str, value: usize) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), FluentValue::from(value));
        self.i18n.get(self.lang, id, Some(&args))
    }

    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        assert_eq!(Lang::negotiate("sr-Latn-RS,sr;q=0.8,en;q=0.5"), Some(Lang::SrLatn));
        assert_eq!(Lang::negotiate("sr-RS"), Some(Lang::SrCyrl));
        assert_eq!(Lang::negotiate("de-DE,sq;q=0.9,en;q=0.8"), Some(Lang::Sq));
        assert_eq!(Lang::negotiate("en;q=0.2, mk;q=0.9"), Some(Lang::Mk));
        assert_eq!(Lang::negotiate("de, fr"), None);
        assert_eq!(Lang::negotiate(""), None);
        assert_eq!(Lang::parse("SR-latn"), Some(Lang::SrLatn));
    }

    #[test]
    fn cyrillic_is_generated_from_latin_values_only() {
        let src = "# komentar\nnav-matrix = Matrica { $n }\n    .title = Naslov\nmore =\n    Dalje\n    [one] jedan\n   *[other] više\n";
        let out = transliterate_ftl(src);
        assert!(out.contains("nav-matrix = Матрица { $n }"), "{out}");
        assert!(out.contains(".title = Наслов"), "{out}");
        assert!(out.contains("[one] један") && out.contains("*[other] више"), "{out}");
        assert!(out.contains("# komentar"));
    }

    #[test]
    fn every_language_loads_and_falls_back_to_english() {
        let i18n = I18n::load().unwrap();
        for lang in Lang::ALL {
            assert!(!i18n.get(lang, "site-title", None).is_empty());
        }
        assert_eq!(i18n.get(Lang::Sq, "no-such-message", None), "no-such-message");
    }

    #[test]
    fn translations_only_use_known_ids() {
        let english = I18n::english_ids();
        for lang in [Lang::SrLatn, Lang::Sq, Lang::Mk] {
            for id in I18n::ids(lang) {
                assert!(english.contains(&id), "{lang}: '{id}' is not in en.ftl");
            }
        }
    }
}
