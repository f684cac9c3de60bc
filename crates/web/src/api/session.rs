//! Logging in and out.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub user: UserOut,
    /// Send as `X-CSRF-Token` on every mutating request.
    pub csrf_token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    pub username: String,
    pub password: String,
}

#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody)))]
pub async fn session_get(ctx: Ctx) -> Result<Json<SessionOut>, ApiError> {
    let s = ctx.session.as_ref().ok_or_else(ApiError::unauthorized)?;
    Ok(Json(SessionOut { user: (&s.user).into(), csrf_token: s.csrf_token.clone() }))
}

/// Logs in and returns the CSRF token; the session itself is an HttpOnly cookie.
pub async fn start_session(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> Result<(store::User, String, String), ApiError> {
    // No account can have a malformed name: refuse it before the throttle or the database see it
    // (a throttle keyed by megabyte-long names would fill the failures table).
    if !store::valid_username(username) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong username or password"));
    }
    let throttled = |wait: std::time::Duration| {
        ApiError::throttled(
            wait,
            format!("too many failed logins; try again in {} minutes", wait.as_secs().div_ceil(60)),
        )
    };
    if let Some(wait) = state.limiter.check(username, ctx.addr).await? {
        return Err(throttled(wait));
    }
    // Counted as a failure before the password is checked, so parallel guesses count each other.
    let attempt = state.limiter.begin(username, ctx.addr).await?.map_err(throttled)?;
    let found = state.store.credentials(username).await?;
    // Verify against a dummy hash when the user is unknown, so timing does not reveal it.
    let hash = found.as_ref().map_or(auth::dummy_hash(), |(_, h)| h.as_str()).to_string();
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash)).await.unwrap_or(false);
    match found {
        Some((user, _)) if ok && !user.disabled => {
            state.limiter.succeed(&attempt).await?;
            let token = auth::random_token();
            let csrf = auth::random_token();
            state.store.create_session(&auth::token_hash(&token), &user, &csrf, state.config.session_ttl).await?;
            Ok((user, token, csrf))
        }
        _ => {
            state.metrics.logins_failed.inc();
            Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong username or password"))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginIn,
    responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonIn(body): JsonIn<LoginIn>,
) -> Result<Response, ApiError> {
    let (user, token, csrf) = start_session(&state, &ctx, &body.username, &body.password).await?;
    let cookie = state.cookies.set(auth::SESSION_COOKIE, &token, Some(state.config.session_ttl), true);
    Ok(([(header::SET_COOKIE, cookie)], Json(SessionOut { user: (&user).into(), csrf_token: csrf })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    require(&ctx, Role::Viewer, ctx.csrf_header())?;
    if let Some(h) = &ctx.token_hash {
        state.store.delete_session(h).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, state.cookies.clear(auth::SESSION_COOKIE))]).into_response())
}
