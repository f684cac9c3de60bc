//! Reviewing proposals: the list, one proposal, approve, reject, withdraw.

use super::*;

pub(super) struct ProposalItem {
    pub(crate) id: i64,
    pub(crate) jurisdiction: String,
    pub(crate) requirement: String,
    pub(crate) status: String,
    pub(crate) state: String,
    pub(crate) who: String,
}

#[derive(Template)]
#[template(path = "proposals.html")]
pub(super) struct ProposalsPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) tabs: Vec<Opt>,
    pub(crate) items: Vec<ProposalItem>,
}

#[derive(Deserialize)]
pub(super) struct StateQuery {
    pub(crate) state: Option<String>,
}

pub(super) async fn proposals(
    State(state): State<AppState>,
    ctx: Ctx,
    PageQuery(q): PageQuery<StateQuery>,
) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Viewer, None) {
        return resp;
    }
    let tr = ctx.tr(&state);
    let chosen = q.state.as_deref().filter(|s| !s.is_empty()).unwrap_or("pending");
    let filter = match chosen {
        "all" => None,
        other => match other.parse::<store::ProposalState>() {
            Ok(s) => Some(s),
            Err(m) => return api_error_page(&state, &ctx, ApiError::field("state", m)),
        },
    };
    let list = match state.store.proposals(filter, store::ProposalState::LIST_LIMIT).await {
        Ok(l) => l,
        Err(e) => return api_error_page(&state, &ctx, e.into()),
    };
    let snap = state.snapshot();
    let tabs = ["pending", "approved", "rejected", "withdrawn"]
        .iter()
        .map(|s| Opt { value: s.to_string(), label: tr.t(&format!("state-{s}")), selected: *s == chosen })
        .collect();
    let items = list
        .iter()
        .map(|p| ProposalItem {
            id: p.id,
            jurisdiction: jurisdiction_name(&snap.corpus, &tr, &p.key.jurisdiction),
            requirement: p.key.requirement.clone(),
            status: status_label(&tr, p.data.status),
            state: tr.t(&format!("state-{}", p.state.as_str())),
            who: p.proposed_by.clone(),
        })
        .collect();
    render(&ProposalsPage { c: Chrome::new(&state, &ctx, "proposals"), tabs, items })
}

#[derive(Template)]
#[template(path = "proposal.html")]
pub(super) struct ProposalPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) before_label: String,
    pub(crate) id: i64,
    pub(crate) requirement: String,
    pub(crate) requirement_href: String,
    pub(crate) jurisdiction_name: String,
    pub(crate) version: String,
    pub(crate) state: String,
    pub(crate) by: String,
    pub(crate) decided: String,
    pub(crate) note: String,
    pub(crate) error: String,
    pub(crate) rows: Vec<(String, String, String, bool)>,
    pub(crate) can_decide: bool,
    /// The viewer made the proposal: they may reject or withdraw it, not approve it.
    pub(crate) own: bool,
    pub(crate) can_withdraw: bool,
}

pub(super) async fn proposal_page(state: &AppState, ctx: &Ctx, id: i64, error: Option<&ApiError>) -> Response {
    if let Err(resp) = page_require(state, ctx, Role::Viewer, None) {
        return resp;
    }
    let tr = ctx.tr(state);
    let p = match state.store.proposal(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return api_error_page(state, ctx, ApiError::not_found(format!("proposal {id}"))),
        Err(e) => return api_error_page(state, ctx, e.into()),
    };
    // Compare with what was published when the proposal was made: the current state while it is
    // pending, the revision it replaced once decided.
    let before: Option<store::AssessmentData> = if p.state == store::ProposalState::Pending {
        state.store.assessment(&p.key).await.ok().flatten().map(|c| c.data)
    } else {
        state
            .store
            .history(&p.key)
            .await
            .ok()
            .and_then(|h| h.into_iter().find(|e| e.revision == p.base_revision))
            .map(|e| e.data)
    };
    let cur = before.as_ref();
    let confidence = |c: Confidence| tr.t(c.as_str());
    let row = |label: &str, now: Option<String>, new: String| {
        let now = now.unwrap_or_default();
        let changed = now != new;
        (tr.t(label), now, new, changed)
    };
    let rows = vec![
        row("assessment-status", cur.map(|d| status_label(&tr, d.status)), status_label(&tr, p.data.status)),
        row("assessment-evidence", cur.map(|d| d.evidence.join("\n")), p.data.evidence.join("\n")),
        row("assessment-rationale", cur.map(|d| d.rationale.clone()), p.data.rationale.clone()),
        row("assessment-recommendation", cur.map(|d| d.recommendation.clone()), p.data.recommendation.clone()),
        row("assessment-sources", cur.map(|d| d.sources.join("\n")), p.data.sources.join("\n")),
        row("assessment-confidence", cur.map(|d| confidence(d.confidence)), confidence(p.data.confidence)),
    ];
    let pending = p.state == store::ProposalState::Pending;
    let user = ctx.user();
    let snap = state.snapshot();
    let page = ProposalPage {
        before_label: tr.t(if pending { "proposal-current" } else { "diff-before" }),
        c: Chrome::new(state, ctx, "proposals"),
        id,
        requirement: p.key.requirement.clone(),
        requirement_href: format!("/requirements/{}#{}", p.key.requirement, p.key.jurisdiction),
        jurisdiction_name: jurisdiction_name(&snap.corpus, &tr, &p.key.jurisdiction),
        version: p.key.version.clone(),
        state: tr.t(&format!("state-{}", p.state.as_str())),
        by: tr.t1("proposal-by", "who", &p.proposed_by),
        decided: match (&p.decided_by, p.decided_at) {
            (Some(who), Some(at)) => {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("state", tr.t(&format!("state-{}", p.state.as_str())));
                args.set("who", who.clone());
                format!(
                    "{} · {}{}",
                    tr.i18n.get(tr.lang, "proposal-decided", Some(&args)),
                    when(at),
                    p.decision_comment
                        .as_deref()
                        .filter(|c| !c.is_empty())
                        .map_or(String::new(), |c| format!(" — {c}"))
                )
            }
            _ => String::new(),
        },
        note: p.note.clone(),
        error: error.map_or(String::new(), |e| e.message.clone()),
        rows,
        can_decide: pending && user.is_some_and(|u| u.role.can_review()),
        own: user.is_some_and(|u| u.username == p.proposed_by),
        can_withdraw: pending && user.is_some_and(|u| u.username == p.proposed_by),
    };
    let mut r = render(&page);
    if let Some(e) = error {
        *r.status_mut() = e.status;
    }
    r
}

pub(super) async fn proposal(State(state): State<AppState>, ctx: Ctx, PagePath(id): PagePath<i64>) -> Response {
    proposal_page(&state, &ctx, id, None).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    pub(crate) csrf: Option<String>,
    pub(crate) decision: String,
    #[serde(default)]
    pub(crate) comment: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<DecideForm>,
) -> Response {
    let user = match page_require(&state, &ctx, Role::Reviewer, Some(f.csrf.as_deref())) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return proposal_page(
                &state,
                &ctx,
                id,
                Some(&ApiError::field("decision", format!("'{other}' is not approve or reject"))),
            )
            .await;
        }
    };
    match api::decide(&state, &user, id, approve, &f.comment).await {
        Ok(_) => Redirect::to(&format!("/proposals/{id}")).into_response(),
        Err(e) => proposal_page(&state, &ctx, id, Some(&e)).await,
    }
}

pub(super) async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<CsrfForm>,
) -> Response {
    let user = match page_require(&state, &ctx, Role::Editor, Some(f.csrf.as_deref())) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    match state.store.withdraw(id, &user).await {
        Ok(_) => Redirect::to(&format!("/proposals/{id}")).into_response(),
        Err(e) => {
            let e = match e {
                store::StoreError::Invalid(m) => ApiError::new(StatusCode::FORBIDDEN, m),
                other => other.into(),
            };
            proposal_page(&state, &ctx, id, Some(&e)).await
        }
    }
}
