//! Language switching, login and logout.

use super::*;

#[derive(Deserialize)]
pub struct LangQuery {
    pub(crate) set: Option<String>,
    pub(crate) next: Option<String>,
}

/// Remembers the chosen language in a cookie (a year) and goes back.
pub async fn set_lang(State(state): State<AppState>, PageQuery(q): PageQuery<LangQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    match q.set.as_deref().and_then(Lang::parse) {
        Some(lang) => {
            let cookie = state.cookies.set(
                auth::LANG_COOKIE,
                lang.tag(),
                Some(std::time::Duration::from_secs(365 * 86_400)),
                false,
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        None => Redirect::to(&next).into_response(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) error: String,
    pub(crate) next: String,
    pub(crate) username: String,
    pub(crate) pre_csrf: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub(crate) next: Option<String>,
}

pub(super) fn login_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    error: String,
    next: String,
    username: String,
) -> Response {
    // Keep the double-submit token across retries (several tabs, a wrong password).
    let pre = auth::cookie(&ctx.headers, auth::PRE_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(auth::random_token, str::to_string);
    let cookie = state.cookies.set(auth::PRE_CSRF_COOKIE, &pre, Some(std::time::Duration::from_secs(3600)), true);
    let mut r = render(&LoginPage { c: Chrome::new(state, ctx, "login"), error, next, username, pre_csrf: pre });
    *r.status_mut() = status;
    if let Ok(v) = cookie.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_form(State(state): State<AppState>, ctx: Ctx, PageQuery(q): PageQuery<NextQuery>) -> Response {
    login_page(&state, &ctx, StatusCode::OK, String::new(), safe_next(q.next.as_deref()), String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) csrf: Option<String>,
    pub(crate) next: Option<String>,
}

pub async fn login(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<LoginForm>) -> Response {
    let tr = ctx.tr(&state);
    let next = safe_next(f.next.as_deref());
    let pre_ok = match (auth::cookie(&ctx.headers, auth::PRE_CSRF_COOKIE), f.csrf.as_deref()) {
        (Some(c), Some(t)) => auth::same_token(c, t),
        _ => false,
    };
    if !pre_ok {
        return login_page(&state, &ctx, StatusCode::FORBIDDEN, tr.t("error-csrf"), next, f.username);
    }
    match api::start_session(&state, &ctx, &f.username, &f.password).await {
        Ok((_, token, _)) => {
            let cookie = state.cookies.set(auth::SESSION_COOKIE, &token, Some(state.config.session_ttl), true);
            let mut r = Redirect::to(&next).into_response();
            for c in [cookie, state.cookies.clear(auth::PRE_CSRF_COOKIE)] {
                if let Ok(v) = c.parse() {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            r
        }
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            let minutes = e.retry_after.map_or(15, |d| d.as_secs().div_ceil(60));
            login_page(&state, &ctx, e.status, tr.tn("login-throttled", "minutes", minutes as usize), next, f.username)
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            login_page(&state, &ctx, e.status, tr.t("login-failed"), next, f.username)
        }
        Err(e) => api_error_page(&state, &ctx, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub(crate) csrf: Option<String>,
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<CsrfForm>) -> Response {
    if ctx.session.is_some() && !ctx.csrf_ok(f.csrf.as_deref()) {
        let message = ctx.tr(&state).t("error-csrf");
        return error_page(&state, &ctx, StatusCode::FORBIDDEN, message);
    }
    if let Some(h) = &ctx.token_hash
        && let Err(e) = state.store.delete_session(h).await
    {
        return api_error_page(&state, &ctx, e.into());
    }
    ([(header::SET_COOKIE, state.cookies.clear(auth::SESSION_COOKIE))], Redirect::to("/")).into_response()
}

/// Page-side guard: redirects to the login page when not logged in.
#[allow(clippy::result_large_err)] // the error is the response to send, built once per request
pub(super) fn page_require(
    state: &AppState,
    ctx: &Ctx,
    need: Role,
    csrf: Option<Option<&str>>,
) -> Result<User, Response> {
    let Some(user) = ctx.user() else {
        return Err(Redirect::to(&format!("/login?next={}", url_encode(&ctx.path))).into_response());
    };
    if let Some(token) = csrf
        && !ctx.csrf_ok(token)
    {
        let message = ctx.tr(state).t("error-csrf");
        return Err(error_page(state, ctx, StatusCode::FORBIDDEN, message));
    }
    if user.role < need {
        let message = ctx.tr(state).t("error-forbidden");
        return Err(error_page(state, ctx, StatusCode::FORBIDDEN, message));
    }
    Ok(user.clone())
}
