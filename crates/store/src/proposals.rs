//! Proposals and their decisions: recording a proposed change, approving it (which publishes it, in
//! the same transaction), rejecting and withdrawing. Who may do what, and when, is decided by the
//! pure rules in [`crate::workflow`]; this file reads the state, asks them, and writes with guarded
//! updates so that a concurrent writer cannot slip in between.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{
    AssessmentData, Key, Result, Store, StoreError, User, WorkflowError,
    assessments::{insert_assessment, insert_history},
    check_text, civil_date, retrying,
    rows::{SELECT_PROPOSAL, json, proposal_from_row},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Pending => "pending",
            ProposalState::Approved => "approved",
            ProposalState::Rejected => "rejected",
            ProposalState::Withdrawn => "withdrawn",
        }
    }

    pub const ALL: [ProposalState; 4] =
        [ProposalState::Pending, ProposalState::Approved, ProposalState::Rejected, ProposalState::Withdrawn];

    /// How many proposals a list shows at most (the API and the pages alike).
    pub const LIST_LIMIT: i64 = 500;

    pub(crate) fn parse(s: &str) -> Result<ProposalState> {
        s.parse().map_err(|_| StoreError::Corrupt(format!("proposal state '{s}'")))
    }
}

impl std::str::FromStr for ProposalState {
    type Err = String;

    /// `pending`, `approved`, `rejected` or `withdrawn`; an error lists them.
    fn from_str(s: &str) -> std::result::Result<ProposalState, String> {
        ProposalState::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| {
            format!("unknown state '{s}' (use {})", ProposalState::ALL.map(ProposalState::as_str).join(", "))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub key: Key,
    /// The revision of the published assessment the proposal was made against.
    pub base_revision: i64,
    pub data: AssessmentData,
    pub note: String,
    pub state: ProposalState,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_comment: Option<String>,
}

impl Store {
    /// Records a proposal against the current revision of the assessment (0 if none exists).
    /// Validation of the content against the corpus is the caller's job.
    pub async fn propose(&self, key: &Key, data: &AssessmentData, note: &str, by: &User) -> Result<Proposal> {
        // The read happens after the retried write: a failed read must not write a second proposal.
        let id = retrying(|| self.propose_once(key, data, note, by)).await?;
        self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }

    async fn propose_once(&self, key: &Key, data: &AssessmentData, note: &str, by: &User) -> Result<i64> {
        // What cannot be published is refused here, not at approval.
        check_text("rationale", &data.rationale)?;
        check_text("recommendation", &data.recommendation)?;
        check_text("note", note)?;
        for (field, items) in [("evidence", &data.evidence), ("sources", &data.sources)] {
            for item in items {
                check_text(field, item)?;
            }
        }
        let mut tx = self.begin_write().await?;
        let base = current_revision(&mut tx, key).await?;
        let id = Self::next_id(&mut tx, "proposal").await?;
        let json = serde_json::to_string(data).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO proposals (id, jurisdiction, requirement, version, base_revision, data, note, state, proposed_by, proposed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)",
        )
        .bind(id)
        .bind(&key.jurisdiction)
        .bind(&key.requirement)
        .bind(&key.version)
        .bind(base)
        .bind(json)
        .bind(note)
        .bind(by.id)
        .bind(self.clock.now_micros())
        .execute(&mut **tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn proposal(&self, id: i64) -> Result<Option<Proposal>> {
        let row =
            sqlx::query(&format!("{SELECT_PROPOSAL} WHERE p.id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(proposal_from_row).transpose()
    }

    /// Proposals in a state (all when `None`), newest first.
    pub async fn proposals(&self, state: Option<ProposalState>, limit: i64) -> Result<Vec<Proposal>> {
        let rows = match state {
            Some(s) => {
                sqlx::query(&format!("{SELECT_PROPOSAL} WHERE p.state = $1 ORDER BY p.id DESC LIMIT $2"))
                    .bind(s.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(&format!("{SELECT_PROPOSAL} ORDER BY p.id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(proposal_from_row).collect()
    }

    pub async fn proposals_for(&self, key: &Key) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "{SELECT_PROPOSAL} WHERE p.jurisdiction = $1 AND p.requirement = $2 AND p.version = $3 ORDER BY p.id DESC"
        ))
        .bind(&key.jurisdiction)
        .bind(&key.requirement)
        .bind(&key.version)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// Approves (publishing the proposal as the new state, in the same transaction) or rejects a
    /// pending proposal. Approval fails with a conflict when the assessment changed since the
    /// proposal was made.
    pub async fn decide(&self, id: i64, approve: bool, comment: &str, by: &User) -> Result<Proposal> {
        retrying(|| self.decide_once(id, approve, comment, by)).await?;
        self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }

    async fn decide_once(&self, id: i64, approve: bool, comment: &str, by: &User) -> Result<()> {
        check_text("comment", comment)?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("{SELECT_PROPOSAL} WHERE p.id = $1")).bind(id).fetch_optional(&mut **tx).await?;
        let p = row
            .as_ref()
            .map(proposal_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        let current = current_revision(&mut tx, &p.key).await?;
        let decision = p.decide(by, approve, current)?;
        let now = self.clock.now_micros();
        // Guarded update: a concurrent decision on the same proposal finds no pending row.
        let updated = sqlx::query("UPDATE proposals SET state = $1, decided_by = $2, decided_at = $3, decision_comment = $4 WHERE id = $5 AND state = 'pending'")
            .bind(decision.state.as_str())
            .bind(by.id)
            .bind(now)
            .bind(comment)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("proposal {id} was decided by someone else")));
        }
        if let Some(revision) = decision.publish {
            let assessed = civil_date(now);
            let who = by.display_name.clone();
            if current > 0 {
                // Guarded like the proposal: a publication that slipped in since `current` was read
                // leaves no row at the base revision.
                let updated = sqlx::query(
                        "UPDATE assessments SET status = $1, evidence = $2, rationale = $3, recommendation = $4, sources = $5, confidence = $6, \
                         assessed = $7, assessor = $8, revision = $9, updated_at = $10, updated_by = $11 \
                         WHERE jurisdiction = $12 AND requirement = $13 AND version = $14 AND revision = $15",
                    )
                    .bind(p.data.status.as_str())
                    .bind(json(&p.data.evidence))
                    .bind(&p.data.rationale)
                    .bind(&p.data.recommendation)
                    .bind(json(&p.data.sources))
                    .bind(p.data.confidence.as_str())
                    .bind(&assessed)
                    .bind(&p.proposed_by)
                    .bind(revision)
                    .bind(now)
                    .bind(&who)
                    .bind(&p.key.jurisdiction)
                    .bind(&p.key.requirement)
                    .bind(&p.key.version)
                    .bind(current)
                    .execute(&mut **tx)
                    .await?;
                if updated.rows_affected() != 1 {
                    let current = current_revision(&mut tx, &p.key).await?;
                    return Err(WorkflowError::Stale { id, base: p.base_revision, current }.into());
                }
            } else {
                insert_assessment(&mut tx, &p.key, &p.data, Some(&assessed), Some(&p.proposed_by), revision, now, &who)
                    .await?;
            }
            let hid = Self::next_id(&mut tx, "history").await?;
            let comment = if comment.trim().is_empty() {
                format!("Approved proposal {id}")
            } else {
                format!("Approved proposal {id}: {comment}")
            };
            insert_history(&mut tx, hid, &p.key, revision, &p.data, now, &who, Some(id), &comment).await?;
        }
        tx.commit().await
    }

    /// The proposer withdraws a pending proposal.
    pub async fn withdraw(&self, id: i64, by: &User) -> Result<Proposal> {
        let p = self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        p.withdraw(by)?;
        retrying(|| async move {
            let mut tx = self.begin_write().await?;
            let updated = sqlx::query("UPDATE proposals SET state = 'withdrawn', decided_by = $1, decided_at = $2 WHERE id = $3 AND state = 'pending'")
                .bind(by.id)
                .bind(self.clock.now_micros())
                .bind(id)
                .execute(&mut **tx)
                .await?;
            if updated.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!("proposal {id} is not pending")));
            }
            tx.commit().await
        })
        .await?;
        self.proposal(id).await?.ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }
}

/// The published revision of an assessment, 0 when there is none.
async fn current_revision(tx: &mut sqlx::Transaction<'_, sqlx::Any>, key: &Key) -> Result<i64> {
    Ok(sqlx::query("SELECT revision FROM assessments WHERE jurisdiction = $1 AND requirement = $2 AND version = $3")
        .bind(&key.jurisdiction)
        .bind(&key.requirement)
        .bind(&key.version)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?
        .unwrap_or(0))
}
