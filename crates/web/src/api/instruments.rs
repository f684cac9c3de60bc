//! Instruments and their provisions, and the whole-corpus export.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct ProvisionOut {
    pub eid: String,
    pub num: Option<String>,
    pub label: String,
    pub heading: Option<String>,
    pub summary: String,
    pub confidence: String,
    pub text: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentOut {
    pub id: String,
    pub version: String,
    pub jurisdiction: String,
    pub short: String,
    pub title: BTreeMap<String, String>,
    pub kind: String,
    pub stage: String,
    pub date: Option<String>,
    pub celex: Option<String>,
    pub eli: Option<String>,
    pub gazette: Option<String>,
    pub source: Option<String>,
    pub confidence: String,
    pub note: Option<String>,
    /// Empty in the list endpoint.
    pub provisions: Vec<ProvisionOut>,
}

pub(super) fn instrument_out(i: &law::Instrument, with_provisions: bool) -> InstrumentOut {
    InstrumentOut {
        id: i.id.clone(),
        version: i.version.clone(),
        jurisdiction: i.jurisdiction.clone(),
        short: i.short.clone(),
        title: i.title.clone(),
        kind: i.kind.to_string(),
        stage: i.stage.to_string(),
        date: i.date.clone(),
        celex: i.celex.clone(),
        eli: i.eli.clone(),
        gazette: i.gazette.clone(),
        source: i.source.clone(),
        confidence: i.confidence.to_string(),
        note: i.note.clone(),
        provisions: if with_provisions {
            i.provisions
                .iter()
                .map(|p| ProvisionOut {
                    eid: p.eid.clone(),
                    num: p.num.clone(),
                    label: law::eid_label(&p.eid),
                    heading: p.heading.clone(),
                    summary: p.summary.clone(),
                    confidence: p.confidence.to_string(),
                    text: p.text.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

#[utoipa::path(get, path = "/api/v1/instruments", tag = "alignment", responses((status = 200, body = Vec<InstrumentOut>)))]
pub async fn instruments(State(state): State<AppState>) -> Json<Vec<InstrumentOut>> {
    let snap = state.snapshot();
    Json(snap.corpus.instruments.iter().map(|i| instrument_out(i, false)).collect())
}

#[utoipa::path(get, path = "/api/v1/instruments/{id}/{version}", tag = "alignment",
    params(("id" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = InstrumentOut), (status = 404, body = ErrorBody)))]
pub async fn instrument(
    State(state): State<AppState>,
    PathIn((id, version)): PathIn<(String, String)>,
) -> Result<Json<InstrumentOut>, ApiError> {
    let snap = state.snapshot();
    let i = snap
        .corpus
        .instrument(&id, &version)
        .ok_or_else(|| ApiError::not_found(format!("instrument '{id}@{version}'")))?;
    Ok(Json(instrument_out(i, true)))
}

/// The published corpus as `tomas-corpus/1` JSON (see docs/formats.md).
#[utoipa::path(get, path = "/api/v1/export", tag = "alignment", responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn export(State(state): State<AppState>) -> Response {
    let snap = state.snapshot();
    Json(law::export::export(&snap.corpus)).into_response()
}
