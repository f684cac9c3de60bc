//! Proposing changes and deciding on them.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct ProposalOut {
    pub id: i64,
    pub jurisdiction: String,
    pub requirement: String,
    pub version: String,
    pub base_revision: i64,
    pub data: AssessmentDataOut,
    pub note: String,
    /// pending, approved, rejected, withdrawn
    pub state: String,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_comment: Option<String>,
}

impl From<&store::Proposal> for ProposalOut {
    fn from(p: &store::Proposal) -> ProposalOut {
        ProposalOut {
            id: p.id,
            jurisdiction: p.key.jurisdiction.clone(),
            requirement: p.key.requirement.clone(),
            version: p.key.version.clone(),
            base_revision: p.base_revision,
            data: (&p.data).into(),
            note: p.note.clone(),
            state: p.state.as_str().into(),
            proposed_by: p.proposed_by.clone(),
            proposed_at: p.proposed_at,
            decided_by: p.decided_by.clone(),
            decided_at: p.decided_at,
            decision_comment: p.decision_comment.clone(),
        }
    }
}

/// A proposed change to one assessment.
#[derive(Deserialize, ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    pub jurisdiction: String,
    pub requirement: String,
    /// Version of the requirement's instrument, e.g. `com-2022`.
    pub version: String,
    /// full, partial, none, not_applicable, not_assessed
    pub status: String,
    /// National provisions as `instrument@version#eid`.
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub recommendation: String,
    /// URLs or official gazette references; required unless not_assessed.
    #[serde(default)]
    pub sources: Vec<String>,
    /// verified or unverified (default unverified: an edit is not verified until a reviewer says so).
    #[serde(default)]
    pub confidence: Option<String>,
    /// For the reviewer.
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    #[serde(default)]
    pub comment: String,
}

pub(super) const MAX_TEXT: usize = 20_000;

/// Refuses control characters other than line breaks and tabs, naming the field.
pub fn clean_text(field: &str, text: &str) -> Result<(), ApiError> {
    store::check_text(field, text).map_err(|e| ApiError::field(field, e.to_string()))
}

/// Checks a proposal against the corpus; every error names its field.
pub fn validate_proposal(corpus: &Corpus, p: &ProposalIn) -> Result<(Key, AssessmentData), ApiError> {
    if corpus.jurisdiction(&p.jurisdiction).is_none()
        || !corpus.assessed_jurisdictions().iter().any(|j| j.id == p.jurisdiction)
    {
        return Err(ApiError::field("jurisdiction", format!("unknown jurisdiction '{}'", p.jurisdiction)));
    }
    let Some(r) = corpus.requirement(&p.requirement) else {
        return Err(ApiError::field("requirement", format!("unknown requirement '{}'", p.requirement)));
    };
    let order = corpus.versions(&r.instrument);
    if r.state_at(&p.version, order).is_none() {
        return Err(ApiError::field(
            "version",
            format!(
                "requirement '{}' does not exist in version '{}' (versions: {})",
                r.id,
                p.version,
                order.join(", ")
            ),
        ));
    }
    let status = Status::parse(&p.status).ok_or_else(|| {
        ApiError::field(
            "status",
            format!("'{}' is not one of full, partial, none, not_applicable, not_assessed", p.status),
        )
    })?;
    let confidence = match p.confidence.as_deref() {
        None | Some("") => law::Confidence::Unverified,
        Some(c) => law::Confidence::parse(c)
            .ok_or_else(|| ApiError::field("confidence", format!("'{c}' is not verified or unverified")))?,
    };
    for (field, text) in [("rationale", &p.rationale), ("recommendation", &p.recommendation), ("note", &p.note)] {
        clean_text(field, text)?;
    }
    if p.evidence.len() > 50 {
        return Err(ApiError::field("evidence", "at most 50 provisions"));
    }
    let mut evidence = Vec::new();
    for (i, e) in p.evidence.iter().map(|e| e.trim()).enumerate().filter(|(_, e)| !e.is_empty()) {
        clean_text("evidence", e)?;
        let parsed = law::ProvisionRef::parse(e, None)
            .map_err(|m| ApiError::field("evidence", format!("line {}: {m}", i + 1)))?;
        if corpus.provision(&parsed).is_none() {
            return Err(ApiError::field("evidence", format!("line {}: no provision '{e}' in the corpus", i + 1)));
        }
        evidence.push(parsed.to_string());
    }
    let sources: Vec<String> = p.sources.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if status.is_substantive() && sources.is_empty() {
        return Err(ApiError::field("sources", "give at least one source (a URL or a gazette reference)"));
    }
    if status.is_substantive() && p.rationale.trim().is_empty() {
        return Err(ApiError::field("rationale", "explain the status"));
    }
    for (field, text) in [("rationale", &p.rationale), ("recommendation", &p.recommendation), ("note", &p.note)] {
        if text.len() > MAX_TEXT {
            return Err(ApiError::field(field, format!("at most {MAX_TEXT} bytes")));
        }
    }
    if sources.len() > 50 {
        return Err(ApiError::field("sources", "at most 50 sources"));
    }
    for (i, source) in sources.iter().enumerate() {
        if source.len() > 2000 {
            return Err(ApiError::field("sources", format!("source {}: at most 2000 bytes", i + 1)));
        }
        clean_text("sources", source)?;
    }
    Ok((
        Key { jurisdiction: p.jurisdiction.clone(), requirement: p.requirement.clone(), version: p.version.clone() },
        AssessmentData {
            status,
            evidence,
            rationale: p.rationale.trim().to_string(),
            recommendation: p.recommendation.trim().to_string(),
            sources,
            confidence,
        },
    ))
}

#[derive(Deserialize)]
pub struct ProposalsQuery {
    pub state: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/proposals", tag = "editing",
    params(("state" = Option<String>, Query, description = "pending, approved, rejected, withdrawn")),
    responses((status = 200, body = Vec<ProposalOut>), (status = 401, body = ErrorBody)))]
pub async fn proposals(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryIn(q): QueryIn<ProposalsQuery>,
) -> Result<Json<Vec<ProposalOut>>, ApiError> {
    require_login(&ctx)?;
    let filter = q
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<ProposalState>().map_err(|m| ApiError::field("state", m)))
        .transpose()?;
    Ok(Json(state.store.proposals(filter, ProposalState::LIST_LIMIT).await?.iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "editing", params(("id" = i64, Path)),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
) -> Result<Json<ProposalOut>, ApiError> {
    require_login(&ctx)?;
    let p = state.store.proposal(id).await?.ok_or_else(|| ApiError::not_found(format!("proposal {id}")))?;
    Ok(Json((&p).into()))
}

/// Validates and records a proposal.
pub async fn create_proposal(
    state: &AppState,
    user: &store::User,
    input: &ProposalIn,
) -> Result<store::Proposal, ApiError> {
    let snap = state.snapshot();
    let (key, data) = validate_proposal(&snap.corpus, input)?;
    let p = state.store.propose(&key, &data, input.note.trim(), user).await?;
    state.metrics.proposals.inc();
    tracing::info!(proposal = p.id, user = %user.username, jurisdiction = %key.jurisdiction, requirement = %key.requirement, "proposed");
    Ok(p)
}

#[utoipa::path(post, path = "/api/v1/proposals", tag = "editing", request_body = ProposalIn,
    responses((status = 201, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonIn(input): JsonIn<ProposalIn>,
) -> Result<Response, ApiError> {
    let user = require(&ctx, Role::Editor, ctx.csrf_header())?;
    let p = create_proposal(&state, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(ProposalOut::from(&p))).into_response())
}

/// Approves or rejects, then refreshes the published state.
pub async fn decide(
    state: &AppState,
    user: &store::User,
    id: i64,
    approve: bool,
    comment: &str,
) -> Result<store::Proposal, ApiError> {
    if comment.len() > MAX_TEXT {
        return Err(ApiError::field("comment", format!("at most {MAX_TEXT} bytes")));
    }
    clean_text("comment", comment)?;
    let p = state.store.decide(id, approve, comment.trim(), user).await?;
    if approve {
        state.metrics.publications.inc();
        state.refresh().await?;
    }
    tracing::info!(proposal = id, user = %user.username, approve, "decided");
    Ok(p)
}

pub(super) async fn decision(
    state: AppState,
    ctx: Ctx,
    id: i64,
    body: Option<DecisionIn>,
    approve: bool,
) -> Result<Json<ProposalOut>, ApiError> {
    let user = require(&ctx, Role::Reviewer, ctx.csrf_header())?;
    let p = decide(&state, &user, id, approve, &body.unwrap_or_default().comment).await?;
    Ok(Json((&p).into()))
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/approve", tag = "editing", params(("id" = i64, Path)), request_body(content = DecisionIn, description = "optional"),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
    OptionalJson(body): OptionalJson<DecisionIn>,
) -> Result<Json<ProposalOut>, ApiError> {
    decision(state, ctx, id, body, true).await
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/reject", tag = "editing", params(("id" = i64, Path)), request_body(content = DecisionIn, description = "optional"),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
    OptionalJson(body): OptionalJson<DecisionIn>,
) -> Result<Json<ProposalOut>, ApiError> {
    decision(state, ctx, id, body, false).await
}

#[utoipa::path(post, path = "/api/v1/proposals/{id}/withdraw", tag = "editing", params(("id" = i64, Path)),
    responses((status = 200, body = ProposalOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIn(id): PathIn<i64>,
) -> Result<Json<ProposalOut>, ApiError> {
    let user = require(&ctx, Role::Editor, ctx.csrf_header())?;
    let p = state.store.withdraw(id, &user).await.map_err(|e| match e {
        store::StoreError::Invalid(m) => ApiError::new(StatusCode::FORBIDDEN, m),
        other => other.into(),
    })?;
    Ok(Json((&p).into()))
}
