//! The acts and their provisions, with official text where imported.

use super::*;

pub(super) struct InstrumentItem {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) key: String,
    pub(crate) stage: String,
    pub(crate) date: String,
    pub(crate) count: usize,
    pub(crate) unverified: bool,
}

#[derive(Template)]
#[template(path = "instruments.html")]
pub(super) struct InstrumentsPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) items: Vec<InstrumentItem>,
}

pub(super) async fn instruments(State(state): State<AppState>, ctx: Ctx) -> Response {
    let snap = state.snapshot();
    let items = snap
        .corpus
        .instruments
        .iter()
        .map(|i| InstrumentItem {
            href: format!("/instruments/{}/{}", i.id, i.version),
            title: i.title().to_string(),
            key: i.key(),
            stage: i.stage.to_string().replace('_', " "),
            date: i.date.clone().unwrap_or_default(),
            count: i.provisions.len(),
            unverified: i.confidence == Confidence::Unverified,
        })
        .collect();
    render(&InstrumentsPage { c: Chrome::new(&state, &ctx, "instruments"), items })
}

pub(super) struct ProvisionItem {
    pub(crate) eid: String,
    pub(crate) depth: usize,
    pub(crate) label: String,
    pub(crate) heading: String,
    pub(crate) summary: String,
    pub(crate) official: String,
    pub(crate) official_lang: String,
    pub(crate) unverified: bool,
}

#[derive(Template)]
#[template(path = "instrument.html")]
pub(super) struct InstrumentPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) title: String,
    pub(crate) original_title: String,
    pub(crate) original_lang: String,
    pub(crate) unverified: bool,
    pub(crate) stage: String,
    pub(crate) date: String,
    pub(crate) identifiers: Vec<String>,
    pub(crate) source: String,
    pub(crate) note: String,
    pub(crate) provisions: Vec<ProvisionItem>,
}

pub(super) async fn instrument(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((id, version)): PagePath<(String, String)>,
) -> Response {
    let snap = state.snapshot();
    let Some(i) = snap.corpus.instrument(&id, &version) else {
        return api_error_page(&state, &ctx, ApiError::not_found(format!("instrument '{id}@{version}'")));
    };
    let (original_lang, original_title) = i
        .title
        .iter()
        .find(|(l, _)| l.as_str() != "en")
        .map_or((String::new(), String::new()), |(l, t)| (l.clone(), t.clone()));
    let mut identifiers = vec![i.key()];
    identifiers.extend(i.celex.as_ref().map(|c| format!("CELEX {c}")));
    identifiers.extend(i.eli.clone());
    identifiers.extend(i.gazette.clone());
    let provisions = i
        .provisions
        .iter()
        .map(|p| {
            let (official_lang, official) =
                p.text.iter().next().map_or((String::new(), String::new()), |(l, t)| (l.clone(), t.clone()));
            ProvisionItem {
                eid: p.eid.clone(),
                depth: p.eid.matches("__").count(),
                label: law::eid_label(&p.eid),
                heading: p.heading.clone().unwrap_or_default(),
                summary: p.summary.clone(),
                official,
                official_lang,
                unverified: p.confidence == Confidence::Unverified,
            }
        })
        .collect();
    let page = InstrumentPage {
        title: i.title().to_string(),
        original_title,
        original_lang,
        unverified: i.confidence == Confidence::Unverified,
        stage: i.stage.to_string().replace('_', " "),
        date: i.date.clone().unwrap_or_default(),
        identifiers,
        source: i.source.clone().unwrap_or_default(),
        note: i.note.clone().unwrap_or_default(),
        provisions,
        c: Chrome::new(&state, &ctx, "instruments"),
    };
    render(&page)
}
