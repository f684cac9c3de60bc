//! Accounts (admin).

use super::*;

#[derive(Template)]
#[template(path = "users.html")]
pub(super) struct UsersPage<'a> {
    pub(crate) c: Chrome<'a>,
    pub(crate) users: Vec<(String, String, String)>,
    pub(crate) roles: Vec<(&'static str, String)>,
    pub(crate) error: String,
}

pub(super) async fn users_page(state: &AppState, ctx: &Ctx, error: Option<&ApiError>) -> Response {
    let tr = ctx.tr(state);
    let users = match state.store.users().await {
        Ok(u) => u,
        Err(e) => return api_error_page(state, ctx, e.into()),
    };
    let page = UsersPage {
        c: Chrome::new(state, ctx, "users"),
        users: users
            .iter()
            .map(|u| (u.username.clone(), u.display_name.clone(), tr.t(&format!("role-{}", u.role.as_str()))))
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), tr.t(&format!("role-{}", r.as_str())))).collect(),
        error: error.map_or(String::new(), |e| e.message.clone()),
    };
    let mut r = render(&page);
    if let Some(e) = error {
        *r.status_mut() = e.status;
    }
    r
}

pub(super) async fn users(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Admin, None) {
        return resp;
    }
    users_page(&state, &ctx, None).await
}

#[derive(Deserialize)]
pub struct UserForm {
    pub(crate) csrf: Option<String>,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) password: String,
    pub(crate) role: String,
}

pub(super) async fn add_user(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<UserForm>) -> Response {
    if let Err(resp) = page_require(&state, &ctx, Role::Admin, Some(f.csrf.as_deref())) {
        return resp;
    }
    let input = api::UserIn { username: f.username, display_name: f.display_name, password: f.password, role: f.role };
    match api::create_user(&state, &input).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => users_page(&state, &ctx, Some(&e)).await,
    }
}
