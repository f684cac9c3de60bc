//! Recent changes site-wide and the history of one assessment.

use super::*;

pub(super) struct EventView {
    pub(crate) at: String,
    pub(crate) kind: String,
    pub(crate) href: String,
    pub(crate) what: String,
    pub(crate) who: String,
    pub(crate) link: String,
    pub(crate) link_label: String,
    pub(crate) summary: String,
}

#[derive(Template)]
#[template(path = "changes.html")]
pub(super) struct ChangesPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) title: String,
    pub(crate) events: Vec<EventView>,
}

/// `2026-11-29 14:03 UTC`
pub(super) fn when(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let day = store::civil_date(micros);
    let tod = secs.rem_euclid(86_400);
    format!("{day} {:02}:{:02} UTC", tod / 3600, (tod % 3600) / 60)
}

pub(super) async fn changes(State(state): State<AppState>, ctx: Ctx) -> Response {
    let tr = ctx.tr(&state);
    let events = match state.store.recent_changes(100).await {
        Ok(e) => e,
        Err(e) => return api_error_page(&state, &ctx, e.into()),
    };
    let logged_in = ctx.user().is_some();
    let events = events
        .into_iter()
        .map(|e| EventView {
            at: when(e.at),
            kind: tr.t(&format!("event-{}", e.kind)),
            href: format!("/requirements/{}#{}", e.key.requirement, e.key.jurisdiction),
            what: format!("{} · {}", e.key.jurisdiction, e.key.requirement),
            who: e.who,
            link: if logged_in {
                e.proposal_id.map_or(String::new(), |id| format!("/proposals/{id}"))
            } else {
                String::new()
            },
            link_label: e.proposal_id.map_or(String::new(), |id| format!("#{id}")),
            summary: e.summary,
        })
        .collect();
    render(&ChangesPage { title: tr.t("changes-title"), events, c: Chrome::new(&state, &ctx, "changes") })
}

pub(super) async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    PagePath((j, r, v)): PagePath<(String, String, String)>,
) -> Response {
    let tr = ctx.tr(&state);
    let key = store::Key { jurisdiction: j.clone(), requirement: r.clone(), version: v };
    let entries = match state.store.history(&key).await {
        Ok(e) => e,
        Err(e) => return api_error_page(&state, &ctx, e.into()),
    };
    if entries.is_empty() {
        return api_error_page(&state, &ctx, ApiError::not_found(format!("assessment {j}/{r}")));
    }
    let snap = state.snapshot();
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("requirement", r.clone());
    args.set("jurisdiction", jurisdiction_name(&snap.corpus, &tr, &j));
    let logged_in = ctx.user().is_some();
    let events = entries
        .into_iter()
        .map(|h| EventView {
            at: when(h.changed_at),
            kind: format!(
                "{} · {}",
                tr.tn("assessment-revision", "n", h.revision.max(0) as usize),
                status_label(&tr, h.data.status)
            ),
            href: format!("/requirements/{r}#{j}"),
            what: h.comment,
            who: tr.t1("history-by", "who", &h.changed_by),
            link: if logged_in {
                h.proposal_id.map_or(String::new(), |id| format!("/proposals/{id}"))
            } else {
                String::new()
            },
            link_label: h.proposal_id.map_or(String::new(), |id| format!("#{id}")),
            summary: h.data.rationale,
        })
        .collect();
    render(&ChangesPage {
        title: tr.i18n.get(tr.lang, "history-title", Some(&args)),
        events,
        c: Chrome::new(&state, &ctx, "changes"),
    })
}
