//! Full-text search over provisions, requirements and assessments.

use super::*;

#[derive(Template)]
#[template(path = "search.html")]
pub(super) struct SearchPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) q: String,
    pub(crate) summary: String,
    pub(crate) hits: Vec<api::HitOut>,
}

pub(super) async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    PageQuery(q): PageQuery<api::SearchQuery>,
) -> Response {
    let tr = ctx.tr(&state);
    let hits = match api::run_search(&state, &q) {
        Ok(h) => h,
        Err(e) => return api_error_page(&state, &ctx, e),
    };
    let text = q.q.clone().unwrap_or_default();
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("n", hits.len());
    args.set("q", text.clone());
    let summary = tr.i18n.get(tr.lang, if hits.is_empty() { "search-none" } else { "search-results" }, Some(&args));
    render(&SearchPage { c: Chrome::new(&state, &ctx, "search"), q: text, summary, hits })
}
