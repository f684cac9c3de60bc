//! Accounts: users (with their role) and login sessions.

use std::{str::FromStr, time::Duration};

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{
    Result, Store, StoreError, check_text, retrying,
    rows::{SELECT_USER, user_from_row},
};

/// The rule for display names, wherever an account is made (web, API, `tomas user add`):
/// something to show, at most 200 bytes, no control or bidirectional characters.
pub fn check_display_name(display_name: &str) -> Result<()> {
    if display_name.trim().is_empty() || display_name.len() > 200 {
        return Err(StoreError::Invalid("display_name: give a display name (at most 200 bytes)".into()));
    }
    check_text("display_name", display_name)
}

/// The rule for usernames: 1–64 ASCII letters, digits, '.', '_', '-', '@'.
pub fn valid_username(username: &str) -> bool {
    !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Editor,
    Reviewer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Reviewer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    /// May propose changes to assessments.
    pub fn can_propose(self) -> bool {
        self >= Role::Editor
    }

    /// May approve or reject proposals.
    pub fn can_review(self) -> bool {
        self >= Role::Reviewer
    }

    /// May manage users.
    pub fn can_admin(self) -> bool {
        self == Role::Admin
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role '{s}' (viewer, editor, reviewer, admin)"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: i64,
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

impl Store {
    /// Adds a user; the password hash is computed by the caller.
    pub async fn add_user(&self, username: &str, display_name: &str, password_hash: &str, role: Role) -> Result<User> {
        let id = retrying(|| self.add_user_once(username, display_name, password_hash, role)).await?;
        self.user(id).await?.ok_or_else(|| StoreError::NotFound(format!("user {id}")))
    }

    async fn add_user_once(&self, username: &str, display_name: &str, password_hash: &str, role: Role) -> Result<i64> {
        if !valid_username(username) {
            return Err(StoreError::Invalid(format!(
                "username '{username}': use 1–64 letters, digits, '.', '_', '-', '@'"
            )));
        }
        check_display_name(display_name)?;
        let mut tx = self.begin_write().await?;
        // Unique regardless of case: "Ana" and "ana" would share a login throttle and confuse people.
        let exists = sqlx::query("SELECT id FROM users WHERE LOWER(username) = LOWER($1)")
            .bind(username)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("user '{username}' already exists")));
        }
        let id = Self::next_id(&mut tx, "user").await?;
        sqlx::query("INSERT INTO users (id, username, display_name, password_hash, role, created_at, disabled) VALUES ($1, $2, $3, $4, $5, $6, 0)")
            .bind(id)
            .bind(username)
            .bind(display_name)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(self.clock.now_micros())
            .execute(&mut **tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(&format!("{SELECT_USER} WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!("{SELECT_USER} ORDER BY id")).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// The user and their password hash, for logging in.
    pub async fn credentials(&self, username: &str) -> Result<Option<(User, String)>> {
        if !valid_username(username) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT id, username, display_name, role, created_at, disabled, password_hash FROM users WHERE LOWER(username) = LOWER($1)")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some((user_from_row(&r)?, r.try_get::<String, _>(6)?))),
            None => Ok(None),
        }
    }

    pub async fn set_role(&self, username: &str, role: Role) -> Result<()> {
        retrying(|| async move {
            let mut tx = self.begin_write().await?;
            let done = sqlx::query("UPDATE users SET role = $1 WHERE LOWER(username) = LOWER($2)")
                .bind(role.as_str())
                .bind(username)
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("user '{username}'")));
            }
            tx.commit().await
        })
        .await
    }

    pub async fn create_session(&self, token_hash: &str, user: &User, csrf_token: &str, ttl: Duration) -> Result<()> {
        let now = self.clock.now_micros();
        self.write_one(|| {
            sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(token_hash)
                .bind(user.id)
                .bind(csrf_token)
                .bind(now)
                .bind(now + ttl.as_micros() as i64)
        })
        .await?;
        Ok(())
    }

    /// The live session with this token hash (expired sessions and disabled users give `None`).
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.created_at, u.disabled, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(self.clock.now_micros())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let user = user_from_row(&r)?;
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(Session { user, csrf_token: r.try_get(6)?, expires_at: r.try_get(7)? }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write_one(|| sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)).await?;
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64> {
        self.write_one(|| sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(self.clock.now_micros()))
            .await
    }
}
