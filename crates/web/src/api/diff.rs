//! What changed between two versions of an instrument.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct DiffEntryOut {
    pub id: String,
    /// added, changed, removed
    pub change: String,
    pub fields: Vec<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub unverified: bool,
    pub notes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReReviewOut {
    pub jurisdiction: String,
    pub requirement: String,
    pub assessed_version: String,
    pub status: String,
    pub change: String,
}

#[derive(Serialize, ToSchema)]
pub struct DiffOut {
    pub instrument: String,
    pub from: String,
    pub to: String,
    pub unchanged: usize,
    pub requirements: Vec<DiffEntryOut>,
    pub rereview: Vec<ReReviewOut>,
    /// `jurisdiction/requirement` pairs to assess.
    pub to_assess: Vec<String>,
}

pub fn diff_out(d: &law::diff::Diff<'_>) -> DiffOut {
    DiffOut {
        instrument: d.instrument.clone(),
        from: d.from.clone(),
        to: d.to.clone(),
        unchanged: d.count(law::diff::DiffKind::Unchanged),
        requirements: d
            .entries
            .iter()
            .filter(|e| e.kind != law::diff::DiffKind::Unchanged)
            .map(|e| DiffEntryOut {
                id: e.requirement.id.clone(),
                change: e.kind.as_str().into(),
                fields: e.fields.iter().map(|f| f.to_string()).collect(),
                before: e.before.as_ref().map(|s| s.statement.clone()),
                after: e.after.as_ref().map(|s| s.statement.clone()),
                unverified: e.unverified(),
                notes: e
                    .notes
                    .iter()
                    .map(|n| {
                        let mark = if n.confidence == law::Confidence::Unverified { " (unverified)" } else { "" };
                        format!("{}: {}{mark}", n.version, n.note)
                    })
                    .collect(),
            })
            .collect(),
        rereview: d
            .rereview
            .iter()
            .map(|r| ReReviewOut {
                jurisdiction: r.assessment.jurisdiction.clone(),
                requirement: r.assessment.requirement.clone(),
                assessed_version: r.assessment.version.clone(),
                status: r.assessment.status.to_string(),
                change: r.kind.as_str().into(),
            })
            .collect(),
        to_assess: d.to_assess.iter().map(|(j, r)| format!("{j}/{}", r.id)).collect(),
    }
}

#[derive(Deserialize)]
pub struct DiffQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Parses `from`/`to` (defaults: the CSAR's first and last versions).
pub fn diff_specs(corpus: &Corpus, q: &DiffQuery) -> Result<(String, String, String), ApiError> {
    let first = corpus.versions("eu-csar").first().cloned().unwrap_or_default();
    let last = corpus.latest_version("eu-csar").unwrap_or_default().to_string();
    let from = q
        .from
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("eu-csar@{first}"));
    let to =
        q.to.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("eu-csar@{last}"));
    let (fi, fv) = law::diff::parse_spec(&from).map_err(|m| ApiError::field("from", m))?;
    let (ti, tv) = law::diff::parse_spec(&to).map_err(|m| ApiError::field("to", m))?;
    let known = corpus.versions(fi);
    if known.is_empty() {
        return Err(ApiError::field("from", format!("unknown instrument '{fi}'")));
    }
    if fi != ti {
        return Err(ApiError::field(
            "to",
            format!("'{to}' is not a version of '{fi}' (from and to must be versions of one instrument)"),
        ));
    }
    for (field, v) in [("from", fv), ("to", tv)] {
        if !known.iter().any(|k| k == v) {
            return Err(ApiError::field(field, format!("'{fi}' has no version '{v}' (it has: {})", known.join(", "))));
        }
    }
    Ok((fi.to_string(), fv.to_string(), tv.to_string()))
}

#[utoipa::path(get, path = "/api/v1/diff", tag = "alignment",
    params(("from" = Option<String>, Query, description = "e.g. eu-csar@com-2022"), ("to" = Option<String>, Query, description = "e.g. eu-csar@council-2025")),
    responses((status = 200, body = DiffOut), (status = 422, body = ErrorBody)))]
pub async fn diff(State(state): State<AppState>, QueryIn(q): QueryIn<DiffQuery>) -> Result<Json<DiffOut>, ApiError> {
    let snap = state.snapshot();
    let (i, f, t) = diff_specs(&snap.corpus, &q)?;
    let d = law::diff::diff(&snap.corpus, &i, &f, &t).map_err(|m| ApiError::field("from", m))?;
    Ok(Json(diff_out(&d)))
}
