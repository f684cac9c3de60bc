//! The legal model: what an instrument, a provision, a requirement and an assessment are.
//!
//! Plain data. Loading and validation live in [`crate::load`] and [`crate::check`]; scoring in
//! [`crate::score`]; version comparison in [`crate::diff`].

use std::{collections::BTreeMap, fmt, sync::Arc};

use serde::{Deserialize, Serialize};

/// Where a record came from, for error messages (`file:line`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: u32,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Text in several languages, keyed by BCP 47 tag (`en`, `sr-Latn`, `sr-Cyrl`, `sq`, `mk`).
pub type Localized = BTreeMap<String, String>;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Whether a fact was checked against a primary or official source.
    Confidence { Verified = "verified", Unverified = "unverified" }
);

// The enum is macro-generated, so `#[derive(Default)]` cannot mark the variant.
#[allow(clippy::derivable_impls)]
impl Default for Confidence {
    fn default() -> Self {
        Confidence::Verified
    }
}

string_enum!(
    /// The scale of EU accession tables of concordance.
    Status {
        Full = "full",
        Partial = "partial",
        None = "none",
        NotApplicable = "not_applicable",
        NotAssessed = "not_assessed",
    }
);

impl Status {
    /// A status other than `not_assessed`.
    pub fn is_substantive(self) -> bool {
        self != Status::NotAssessed
    }

    /// `none` or `partial`: something the jurisdiction must change.
    pub fn is_gap(self) -> bool {
        matches!(self, Status::None | Status::Partial)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Full => "full",
            Status::Partial => "partial",
            Status::None => "none",
            Status::NotApplicable => "n/a",
            Status::NotAssessed => "not assessed",
        }
    }
}

string_enum!(
    InstrumentKind {
        EuRegulation = "eu_regulation",
        EuDirective = "eu_directive",
        Convention = "convention",
        NationalLaw = "national_law",
        Draft = "draft",
    }
);

string_enum!(
    Stage {
        Proposal = "proposal",
        ParliamentPosition = "parliament_position",
        CouncilPosition = "council_position",
        Adopted = "adopted",
        InForce = "in_force",
        DraftAmendment = "draft_amendment",
    }
);

string_enum!(
    Topic {
        Definitions = "definitions",
        CriminalOffences = "criminal_offences",
        ProviderObligations = "provider_obligations",
        Orders = "orders",
        AuthoritiesPowers = "authorities_powers",
        Penalties = "penalties",
        Victims = "victims",
        DataTransparency = "data_transparency",
        Cooperation = "cooperation",
    }
);

impl Topic {
    pub fn title(self) -> &'static str {
        match self {
            Topic::Definitions => "Definitions",
            Topic::CriminalOffences => "Criminal offences",
            Topic::ProviderObligations => "Provider obligations",
            Topic::Orders => "Orders",
            Topic::AuthoritiesPowers => "Authorities & powers",
            Topic::Penalties => "Penalties",
            Topic::Victims => "Victims",
            Topic::DataTransparency => "Data & transparency",
            Topic::Cooperation => "Cooperation",
        }
    }
}

string_enum!(
    Addressee {
        MemberState = "member_state",
        CoordinatingAuthority = "coordinating_authority",
        JudicialAuthority = "judicial_authority",
        HostingProvider = "hosting_provider",
        InterpersonalCommunicationsProvider = "interpersonal_communications_provider",
        AppStore = "app_store",
        InternetAccessProvider = "internet_access_provider",
        SearchEngine = "search_engine",
        EuCentre = "eu_centre",
        AnyProvider = "any_provider",
    }
);

string_enum!(
    DeadlineUnit { Hours = "hours", Days = "days", Weeks = "weeks", Months = "months", Years = "years" }
);

string_enum!(
    JurisdictionKind { Country = "country", Eu = "eu", Coe = "coe" }
);

#[derive(Debug, Clone)]
pub struct Jurisdiction {
    pub id: String,
    pub kind: JurisdictionKind,
    pub name: Localized,
    pub languages: Vec<String>,
    pub candidate: bool,
    pub loc: Loc,
}

impl Jurisdiction {
    /// The name in `lang`, falling back to English, then to the id.
    pub fn name(&self, lang: &str) -> &str {
        self.name.get(lang).or_else(|| self.name.get("en")).map_or(&self.id, String::as_str)
    }
}

/// One act in one version.
#[derive(Debug, Clone)]
pub struct Instrument {
    pub id: String,
    pub version: String,
    pub short: String,
    pub title: Localized,
    pub kind: InstrumentKind,
    pub jurisdiction: String,
    pub stage: Stage,
    pub date: Option<String>,
    pub celex: Option<String>,
    pub eli: Option<String>,
    pub gazette: Option<String>,
    pub source: Option<String>,
    pub languages: Vec<String>,
    pub confidence: Confidence,
    pub note: Option<String>,
    pub sources: Vec<String>,
    pub provisions: Vec<Provision>,
    pub loc: Loc,
}

impl Instrument {
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn provision(&self, eid: &str) -> Option<&Provision> {
        self.provisions.iter().find(|p| p.eid == eid)
    }

    pub fn title(&self) -> &str {
        self.title.get("en").map_or(&self.short, String::as_str)
    }
}

/// A part of an instrument, addressed by an Akoma Ntoso eId (`art_14__para_2__point_a`).
#[derive(Debug, Clone)]
pub struct Provision {
    pub eid: String,
    pub num: Option<String>,
    pub heading: Option<String>,
    pub summary: String,
    pub chapter: Option<String>,
    pub section: Option<String>,
    pub confidence: Confidence,
    pub sources: Vec<String>,
    /// Official text per language (shipped corpus: usually empty; imported texts come as an overlay).
    pub text: Localized,
    pub loc: Loc,
}

impl Provision {
    /// The human label of an eId: `art_14__para_2__point_a` → `Art. 14(2)(a)`.
    pub fn label(eid: &str) -> String {
        eid_label(eid)
    }
}

/// `art_14__para_2__point_a` → `Art. 14(2)(a)`; `anx_4` → `Annex 4`; `topic_detection` → `detection`.
pub fn eid_label(eid: &str) -> String {
    let mut out = String::new();
    for part in eid.split("__") {
        let (kind, num) = part.split_once('_').unwrap_or((part, ""));
        match kind {
            "art" => out.push_str(&format!("Art. {num}")),
            "anx" => out.push_str(&format!("Annex {num}")),
            "para" | "point" | "subpara" => out.push_str(&format!("({num})")),
            "topic" => out.push_str(&format!("[{}]", num.replace('_', " "))),
            "chp" => out.push_str(&format!("Chapter {num}")),
            _ => out.push_str(part),
        }
    }
    out
}

/// `instrument@version#eid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ProvisionRef {
    pub instrument: String,
    pub version: String,
    pub eid: String,
}

impl ProvisionRef {
    /// Parses `instrument@version#eid`. A bare eid takes `default` (instrument, version) when given.
    pub fn parse(s: &str, default: Option<(&str, &str)>) -> Result<ProvisionRef, String> {
        let s = s.trim();
        if let Some((head, eid)) = s.split_once('#') {
            let (instrument, version) =
                head.split_once('@').ok_or_else(|| format!("'{s}' lacks '@version': write instrument@version#eid"))?;
            if instrument.is_empty() || version.is_empty() || eid.is_empty() {
                return Err(format!("'{s}' is not of the form instrument@version#eid"));
            }
            return Ok(ProvisionRef { instrument: instrument.into(), version: version.into(), eid: eid.into() });
        }
        match default {
            Some((instrument, version)) if !s.is_empty() && !s.contains('@') => {
                Ok(ProvisionRef { instrument: instrument.into(), version: version.into(), eid: s.into() })
            }
            _ => Err(format!("'{s}' is not of the form instrument@version#eid")),
        }
    }
}

impl fmt::Display for ProvisionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}#{}", self.instrument, self.version, self.eid)
    }
}

/// A structured deadline: `24 hours from receipt of the removal order`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub amount: f64,
    pub unit: DeadlineUnit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit)?;
        if let Some(from) = &self.from {
            write!(f, " from {from}")?;
        }
        Ok(())
    }
}

/// What a requirement says in one version of its instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementState {
    pub statement: String,
    pub topic: Topic,
    pub addressees: Vec<Addressee>,
    pub derived_from: Vec<ProvisionRef>,
    pub deadlines: Vec<Deadline>,
    pub weight: f64,
}

string_enum!(
    ChangeKind { Changed = "changed", Removed = "removed" }
);

/// A change to a requirement in a later version of its instrument.
#[derive(Debug, Clone)]
pub struct Change {
    pub version: String,
    pub kind: ChangeKind,
    pub statement: Option<String>,
    pub topic: Option<Topic>,
    pub addressees: Option<Vec<Addressee>>,
    pub derived_from: Option<Vec<ProvisionRef>>,
    pub deadlines: Option<Vec<Deadline>>,
    pub weight: Option<f64>,
    pub note: Option<String>,
    pub sources: Vec<String>,
    pub confidence: Confidence,
    pub loc: Loc,
}

/// One atomic thing a national legal order must provide for, with its history across versions.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub id: String,
    pub instrument: String,
    /// The version that introduced it.
    pub since: String,
    pub base: RequirementState,
    pub changes: Vec<Change>,
    pub confidence: Confidence,
    pub note: Option<String>,
    pub sources: Vec<String>,
    pub loc: Loc,
}

impl Requirement {
    /// The requirement as it stands in `version`, given the instrument's versions in order.
    /// `None` when it does not exist there (not yet introduced, or removed).
    pub fn state_at(&self, version: &str, order: &[String]) -> Option<RequirementState> {
        let pos = |v: &str| order.iter().position(|o| o == v);
        let target = pos(version)?;
        if pos(&self.since)? > target {
            return None;
        }
        let mut state = self.base.clone();
        for change in &self.changes {
            match pos(&change.version) {
                Some(p) if p <= target => {}
                _ => continue,
            }
            match change.kind {
                ChangeKind::Removed => return None,
                ChangeKind::Changed => {
                    if let Some(s) = &change.statement {
                        state.statement = s.clone();
                    }
                    if let Some(t) = change.topic {
                        state.topic = t;
                    }
                    if let Some(a) = &change.addressees {
                        state.addressees = a.clone();
                    }
                    if let Some(d) = &change.derived_from {
                        state.derived_from = d.clone();
                    }
                    if let Some(d) = &change.deadlines {
                        state.deadlines = d.clone();
                    }
                    if let Some(w) = change.weight {
                        state.weight = w;
                    }
                }
            }
        }
        Some(state)
    }

    /// Whether any fact about this requirement is unverified in `version`.
    pub fn unverified_at(&self, version: &str, order: &[String]) -> bool {
        let pos = |v: &str| order.iter().position(|o| o == v);
        let target = pos(version);
        self.confidence == Confidence::Unverified
            || self.changes.iter().any(|c| {
                c.confidence == Confidence::Unverified
                    && matches!((pos(&c.version), target), (Some(p), Some(t)) if p <= t)
            })
    }
}

/// The status of one requirement in one jurisdiction, against one version of the requirement's instrument.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub jurisdiction: String,
    pub requirement: String,
    pub version: String,
    pub status: Status,
    pub evidence: Vec<ProvisionRef>,
    pub rationale: String,
    pub recommendation: String,
    pub sources: Vec<String>,
    pub confidence: Confidence,
    pub assessed: Option<String>,
    pub assessor: Option<String>,
    pub loc: Loc,
}

/// Weights for the alignment index; data from `scoring.toml`.
#[derive(Debug, Clone)]
pub struct Scoring {
    pub status_credit: BTreeMap<Status, f64>,
    pub topic_weight: BTreeMap<Topic, f64>,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            status_credit: [(Status::Full, 1.0), (Status::Partial, 0.5), (Status::None, 0.0)].into(),
            topic_weight: Topic::ALL.iter().map(|&t| (t, 1.0)).collect(),
        }
    }
}

impl Scoring {
    pub fn credit(&self, status: Status) -> Option<f64> {
        match status {
            Status::NotApplicable | Status::NotAssessed => None,
            s => Some(self.status_credit.get(&s).copied().unwrap_or(0.0)),
        }
    }

    pub fn topic_weight(&self, topic: Topic) -> f64 {
        self.topic_weight.get(&topic).copied().unwrap_or(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eid_labels_read_like_citations() {
        assert_eq!(eid_label("art_14__para_2__point_a"), "Art. 14(2)(a)");
        assert_eq!(eid_label("anx_4"), "Annex 4");
        assert_eq!(eid_label("topic_age_verification"), "[age verification]");
    }

    #[test]
    fn provision_refs_parse_full_and_bare_forms() {
        let r = ProvisionRef::parse("eu-csar@com-2022#art_14__para_2", None).unwrap();
        assert_eq!(
            (r.instrument.as_str(), r.version.as_str(), r.eid.as_str()),
            ("eu-csar", "com-2022", "art_14__para_2")
        );
        let bare = ProvisionRef::parse("art_3", Some(("eu-csar", "com-2022"))).unwrap();
        assert_eq!(bare.to_string(), "eu-csar@com-2022#art_3");
        assert!(ProvisionRef::parse("art_3", None).is_err());
        assert!(ProvisionRef::parse("eu-csar#art_3", None).is_err());
        assert!(ProvisionRef::parse("eu-csar@com-2022#", None).is_err());
    }

    fn requirement() -> Requirement {
        let base = RequirementState {
            statement: "Remove within 24 hours.".into(),
            topic: Topic::Orders,
            addressees: vec![Addressee::HostingProvider],
            derived_from: vec![],
            deadlines: vec![],
            weight: 3.0,
        };
        let change = |version: &str, kind, statement: Option<&str>| Change {
            version: version.into(),
            kind,
            statement: statement.map(Into::into),
            topic: None,
            addressees: None,
            derived_from: None,
            deadlines: None,
            weight: None,
            note: None,
            sources: vec![],
            confidence: Confidence::Unverified,
            loc: Loc::default(),
        };
        Requirement {
            id: "r".into(),
            instrument: "eu-csar".into(),
            since: "a".into(),
            base,
            changes: vec![
                change("b", ChangeKind::Changed, Some("Remove at once.")),
                change("c", ChangeKind::Removed, None),
            ],
            confidence: Confidence::Verified,
            note: None,
            sources: vec![],
            loc: Loc::default(),
        }
    }

    #[test]
    fn state_follows_the_version_history() {
        let order: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let r = requirement();
        assert_eq!(r.state_at("a", &order).unwrap().statement, "Remove within 24 hours.");
        assert_eq!(r.state_at("b", &order).unwrap().statement, "Remove at once.");
        assert!(r.state_at("c", &order).is_none());
        assert!(r.state_at("zzz", &order).is_none());
        assert!(!r.unverified_at("a", &order));
        assert!(r.unverified_at("b", &order));
    }

    #[test]
    fn requirement_introduced_later_is_absent_before() {
        let order: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let mut r = requirement();
        r.since = "b".into();
        assert!(r.state_at("a", &order).is_none());
        assert!(r.state_at("b", &order).is_some());
    }
}
