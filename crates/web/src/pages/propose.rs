//! Proposing a change to an assessment.

use super::*;

#[derive(Template)]
#[template(path = "propose.html")]
pub(super) struct ProposePage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) jurisdiction: String,
    pub(crate) jurisdiction_name: String,
    pub(crate) requirement: String,
    pub(crate) version: String,
    pub(crate) statement: String,
    pub(crate) statuses: Vec<Opt>,
    pub(crate) evidence: String,
    pub(crate) rationale: String,
    pub(crate) recommendation: String,
    pub(crate) sources: String,
    pub(crate) verified: bool,
    pub(crate) note: String,
    pub(crate) error: String,
    pub(crate) error_field: String,
}

#[derive(Deserialize, Default)]
pub struct ProposeForm {
    pub(crate) csrf: Option<String>,
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) evidence: String,
    #[serde(default)]
    pub(crate) rationale: String,
    #[serde(default)]
    pub(crate) recommendation: String,
    #[serde(default)]
    pub(crate) sources: String,
    #[serde(default)]
    pub(crate) confidence: String,
    #[serde(default)]
    pub(crate) note: String,
}

pub(super) fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub(super) fn propose_page(
    state: &AppState,
    ctx: &Ctx,
    key: (&str, &str, &str),
    form: &ProposeForm,
    error: Option<&ApiError>,
) -> Response {
    let snap = state.snapshot();
    let tr = ctx.tr(state);
    let (j, r, v) = key;
    let statement = snap
        .corpus
        .requirement(r)
        .and_then(|req| req.state_at(v, snap.corpus.versions(&req.instrument)))
        .map_or(String::new(), |s| s.statement);
    let status = Status::parse(&form.status);
    let page = ProposePage {
        c: Chrome::new(state, ctx, ""),
        jurisdiction: j.into(),
        jurisdiction_name: jurisdiction_name(&snap.corpus, &tr, j),
        requirement: r.into(),
        version: v.into(),
        statement,
        statuses: Status::ALL
            .iter()
            .map(|s| Opt { value: s.as_str().into(), label: status_label(&tr, *s), selected: status == Some(*s) })
            .collect(),
        evidence: form.evidence.clone(),
        rationale: form.rationale.clone(),
        recommendation: form.recommendation.clone(),
        sources: form.sources.clone(),
        verified: form.confidence == "verified",
        note: form.note.clone(),
        error: error.map_or(String::new(), |e| e.message.clone()),
        error_field: error.and_then(|e| e.field.clone()).unwrap_or_default(),
    };
    let mut r = render(&page);
    if let Some(e) = error {
        *r.status_mut() = e.status;
    }
    r
}

pub(super) async fn propose_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((j, r, v)): PagePath<(String, String, String)>,
) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Editor, None) {
        return resp;
    }
    let snap = state.snapshot();
    // Start from the published assessment.
    let current = snap.corpus.assessments_for(&j, &r).into_iter().find(|a| a.version == v);
    let form = match current {
        Some(a) => ProposeForm {
            csrf: None,
            status: a.status.to_string(),
            evidence: a.evidence.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            rationale: a.rationale.clone(),
            recommendation: a.recommendation.clone(),
            sources: a.sources.join("\n"),
            confidence: a.confidence.to_string(),
            note: String::new(),
        },
        None => ProposeForm { status: "not_assessed".into(), confidence: "unverified".into(), ..Default::default() },
    };
    let input = ProposalIn {
        jurisdiction: j.clone(),
        requirement: r.clone(),
        version: v.clone(),
        status: "not_assessed".into(),
        evidence: vec![],
        rationale: String::new(),
        recommendation: String::new(),
        sources: vec![],
        confidence: None,
        note: String::new(),
    };
    // Refuse an edit page for something that cannot be proposed (unknown requirement, version…).
    if let Err(e) = api::validate_proposal(&snap.corpus, &input) {
        return api_error_page(&state, &ctx, ApiError::not_found(e.message));
    }
    propose_page(&state, &ctx, (&j, &r, &v), &form, None)
}

pub(super) async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((j, r, v)): PagePath<(String, String, String)>,
    PageForm(form): PageForm<ProposeForm>,
) -> Response {
    let user = match page_require(&state, &ctx, Role::Editor, Some(form.csrf.as_deref())) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let input = ProposalIn {
        jurisdiction: j.clone(),
        requirement: r.clone(),
        version: v.clone(),
        status: form.status.clone(),
        // Blank lines are kept (and skipped by the check) so that an error's line number is the textarea's.
        evidence: form.evidence.lines().map(str::to_string).collect(),
        rationale: form.rationale.clone(),
        recommendation: form.recommendation.clone(),
        sources: lines(&form.sources),
        confidence: Some(form.confidence.clone()),
        note: form.note.clone(),
    };
    match api::create_proposal(&state, &user, &input).await {
        Ok(p) => Redirect::to(&format!("/proposals/{}", p.id)).into_response(),
        Err(e) => propose_page(&state, &ctx, (&j, &r, &v), &form, Some(&e)),
    }
}
