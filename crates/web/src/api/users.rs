//! Accounts.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub username: String,
    pub display_name: String,
    /// viewer, editor, reviewer, admin
    pub role: String,
}

impl From<&store::User> for UserOut {
    fn from(u: &store::User) -> UserOut {
        UserOut { username: u.username.clone(), display_name: u.display_name.clone(), role: u.role.as_str().into() }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// viewer, editor, reviewer, admin
    pub role: String,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, body = Vec<UserOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn users(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<UserOut>>, ApiError> {
    let user = require_login(&ctx)?;
    if !user.role.can_admin() {
        return Err(ApiError::forbidden("admin"));
    }
    Ok(Json(state.store.users().await?.iter().map(Into::into).collect()))
}

/// Creates a user (hashing the password).
pub async fn create_user(state: &AppState, input: &UserIn) -> Result<store::User, ApiError> {
    let role: Role = input.role.parse().map_err(|m: String| ApiError::field("role", m))?;
    store::check_display_name(&input.display_name).map_err(|e| ApiError::field("display_name", e.to_string()))?;
    let password = input.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|m| ApiError::field("password", m))?;
    state.store.add_user(input.username.trim(), input.display_name.trim(), &hash, role).await.map_err(|e| match e {
        store::StoreError::Invalid(m) => ApiError::field("username", m),
        store::StoreError::Conflict(m) => ApiError { status: StatusCode::CONFLICT, ..ApiError::field("username", m) },
        other => other.into(),
    })
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserIn,
    responses((status = 201, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_user(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonIn(input): JsonIn<UserIn>,
) -> Result<Response, ApiError> {
    require(&ctx, Role::Admin, ctx.csrf_header())?;
    let user = create_user(&state, &input).await?;
    Ok((StatusCode::CREATED, Json(UserOut::from(&user))).into_response())
}
