//! Rows to structs and back: the column lists every query selects, and the decoding that turns a
//! row into a [`Stored`], [`HistoryEntry`], [`Proposal`] or [`User`]. Anything the database holds
//! that does not decode is [`StoreError::Corrupt`], naming the column.

use law::{Confidence, Status};
use serde::{Deserialize, Serialize};
use sqlx::{Row, any::AnyRow};

use crate::{AssessmentData, HistoryEntry, Key, Proposal, ProposalState, Result, StoreError, Stored, User};

pub(crate) const SELECT_ASSESSMENT: &str = "SELECT jurisdiction, requirement, version, status, evidence, rationale, recommendation, sources, confidence, \
     assessed, assessor, revision, updated_at, updated_by FROM assessments";
pub(crate) const SELECT_HISTORY: &str = "SELECT id, jurisdiction, requirement, version, revision, data, changed_at, changed_by, proposal_id, comment FROM assessment_history";
pub(crate) const SELECT_PROPOSAL: &str = "SELECT p.id, p.jurisdiction, p.requirement, p.version, p.base_revision, p.data, p.note, p.state, \
     u.username, p.proposed_at, d.username, p.decided_at, p.decision_comment \
     FROM proposals p JOIN users u ON u.id = p.proposed_by LEFT JOIN users d ON d.id = p.decided_by";
pub(crate) const SELECT_USER: &str = "SELECT id, username, display_name, role, created_at, disabled FROM users";

/// A list column's JSON text.
pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn key_from_row(r: &AnyRow, start: usize) -> Result<Key> {
    Ok(Key { jurisdiction: r.try_get(start)?, requirement: r.try_get(start + 1)?, version: r.try_get(start + 2)? })
}

/// A row of [`SELECT_ASSESSMENT`].
pub(crate) fn stored_from_row(r: &AnyRow) -> Result<Stored> {
    let status: String = r.try_get(3)?;
    let confidence: String = r.try_get(8)?;
    Ok(Stored {
        key: key_from_row(r, 0)?,
        data: AssessmentData {
            status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status '{status}'")))?,
            evidence: parse_json(&r.try_get::<String, _>(4)?, "evidence")?,
            rationale: r.try_get(5)?,
            recommendation: r.try_get(6)?,
            sources: parse_json(&r.try_get::<String, _>(7)?, "sources")?,
            confidence: Confidence::parse(&confidence)
                .ok_or_else(|| StoreError::Corrupt(format!("confidence '{confidence}'")))?,
        },
        assessed: r.try_get(9)?,
        assessor: r.try_get(10)?,
        revision: r.try_get(11)?,
        updated_at: r.try_get(12)?,
        updated_by: r.try_get(13)?,
    })
}

/// A row of [`SELECT_HISTORY`].
pub(crate) fn history_from_row(r: &AnyRow) -> Result<HistoryEntry> {
    Ok(HistoryEntry {
        id: r.try_get(0)?,
        key: key_from_row(r, 1)?,
        revision: r.try_get(4)?,
        data: parse_json(&r.try_get::<String, _>(5)?, "history data")?,
        changed_at: r.try_get(6)?,
        changed_by: r.try_get(7)?,
        proposal_id: r.try_get(8)?,
        comment: r.try_get(9)?,
    })
}

/// A row of [`SELECT_PROPOSAL`].
pub(crate) fn proposal_from_row(r: &AnyRow) -> Result<Proposal> {
    Ok(Proposal {
        id: r.try_get(0)?,
        key: key_from_row(r, 1)?,
        base_revision: r.try_get(4)?,
        data: parse_json(&r.try_get::<String, _>(5)?, "proposal data")?,
        note: r.try_get(6)?,
        state: ProposalState::parse(&r.try_get::<String, _>(7)?)?,
        proposed_by: r.try_get(8)?,
        proposed_at: r.try_get(9)?,
        decided_by: r.try_get(10)?,
        decided_at: r.try_get(11)?,
        decision_comment: r.try_get(12)?,
    })
}

/// A row of [`SELECT_USER`] (further columns are the caller's).
pub(crate) fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get(3)?;
    Ok(User {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        created_at: r.try_get(4)?,
        disabled: r.try_get::<i64, _>(5)? != 0,
    })
}
