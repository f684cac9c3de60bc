//! Assessments: the published state of each (jurisdiction, requirement, version) and its full
//! history, seeding from the shipped corpus, and the site-wide "recent changes".

use law::{Assessment, Confidence, Loc, ProvisionRef, Status};
use serde::{Deserialize, Serialize};

use crate::{
    ProposalState, Result, Store, check_text, retrying,
    rows::{
        SELECT_ASSESSMENT, SELECT_HISTORY, SELECT_PROPOSAL, history_from_row, json, proposal_from_row, stored_from_row,
    },
};

/// (jurisdiction, requirement, version): what an assessment is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub jurisdiction: String,
    pub requirement: String,
    pub version: String,
}

/// The editable content of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentData {
    pub status: Status,
    /// National provisions, `instrument@version#eid`.
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub recommendation: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub confidence: Confidence,
}

impl AssessmentData {
    pub fn from_assessment(a: &Assessment) -> AssessmentData {
        AssessmentData {
            status: a.status,
            evidence: a.evidence.iter().map(ToString::to_string).collect(),
            rationale: a.rationale.clone(),
            recommendation: a.recommendation.clone(),
            sources: a.sources.clone(),
            confidence: a.confidence,
        }
    }
}

/// The published state of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub key: Key,
    pub data: AssessmentData,
    pub assessed: Option<String>,
    pub assessor: Option<String>,
    pub revision: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

impl Stored {
    /// As a `law::Assessment` (evidence references that no longer parse are dropped).
    pub fn to_assessment(&self) -> Assessment {
        Assessment {
            jurisdiction: self.key.jurisdiction.clone(),
            requirement: self.key.requirement.clone(),
            version: self.key.version.clone(),
            status: self.data.status,
            evidence: self.data.evidence.iter().filter_map(|e| ProvisionRef::parse(e, None).ok()).collect(),
            rationale: self.data.rationale.clone(),
            recommendation: self.data.recommendation.clone(),
            sources: self.data.sources.clone(),
            confidence: self.data.confidence,
            assessed: self.assessed.clone(),
            assessor: self.assessor.clone(),
            loc: Loc { file: "database".into(), line: 0 },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub key: Key,
    pub revision: i64,
    pub data: AssessmentData,
    pub changed_at: i64,
    pub changed_by: String,
    pub proposal_id: Option<i64>,
    pub comment: String,
}

/// A site-wide event for "recent changes".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub at: i64,
    pub kind: &'static str,
    pub key: Key,
    pub who: String,
    pub proposal_id: Option<i64>,
    pub summary: String,
}

impl Store {
    /// Brings the database in line with the shipped corpus without ever overwriting an edit made
    /// on the web: inserts the corpus assessments the database does not have yet (first start, new
    /// requirements), and updates rows nobody has edited (last written by "corpus") whose content
    /// changed in a newer corpus. Each change is a new revision in the history.
    /// Returns (added, updated).
    pub async fn seed(&self, assessments: &[Assessment]) -> Result<(usize, usize)> {
        retrying(|| self.seed_once(assessments)).await
    }

    async fn seed_once(&self, assessments: &[Assessment]) -> Result<(usize, usize)> {
        let mut tx = self.begin_write().await?;
        let existing: std::collections::HashMap<Key, Stored> = sqlx::query(SELECT_ASSESSMENT)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| stored_from_row(r).map(|s| (s.key.clone(), s)))
            .collect::<Result<_>>()?;
        let now = self.clock.now_micros();
        let (mut added, mut updated) = (0, 0);
        for a in assessments {
            let key = Key {
                jurisdiction: a.jurisdiction.clone(),
                requirement: a.requirement.clone(),
                version: a.version.clone(),
            };
            let data = AssessmentData::from_assessment(a);
            let (revision, comment) = match existing.get(&key) {
                None => {
                    added += 1;
                    (1, "Seeded from the shipped corpus")
                }
                Some(s)
                    if s.updated_by == "corpus"
                        && (s.data != data || s.assessed != a.assessed || s.assessor != a.assessor) =>
                {
                    sqlx::query(
                        "DELETE FROM assessments WHERE jurisdiction = $1 AND requirement = $2 AND version = $3",
                    )
                    .bind(&key.jurisdiction)
                    .bind(&key.requirement)
                    .bind(&key.version)
                    .execute(&mut **tx)
                    .await?;
                    updated += 1;
                    (s.revision + 1, "Updated from the shipped corpus")
                }
                Some(_) => continue,
            };
            let (assessed, assessor) = (a.assessed.as_deref(), a.assessor.as_deref());
            insert_assessment(&mut tx, &key, &data, assessed, assessor, revision, now, "corpus").await?;
            let id = Self::next_id(&mut tx, "history").await?;
            insert_history(&mut tx, id, &key, revision, &data, now, "corpus", None, comment).await?;
        }
        tx.commit().await?;
        Ok((added, updated))
    }

    pub async fn assessments(&self) -> Result<Vec<Stored>> {
        let rows = sqlx::query(&format!("{SELECT_ASSESSMENT} ORDER BY jurisdiction, requirement, version"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(stored_from_row).collect()
    }

    pub async fn assessment(&self, key: &Key) -> Result<Option<Stored>> {
        if [&key.jurisdiction, &key.requirement, &key.version].iter().any(|p| check_text("key", p).is_err()) {
            return Ok(None);
        }
        let row =
            sqlx::query(&format!("{SELECT_ASSESSMENT} WHERE jurisdiction = $1 AND requirement = $2 AND version = $3"))
                .bind(&key.jurisdiction)
                .bind(&key.requirement)
                .bind(&key.version)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(stored_from_row).transpose()
    }

    pub async fn history(&self, key: &Key) -> Result<Vec<HistoryEntry>> {
        if [&key.jurisdiction, &key.requirement, &key.version].iter().any(|p| check_text("key", p).is_err()) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!("{SELECT_HISTORY} WHERE jurisdiction = $1 AND requirement = $2 AND version = $3 ORDER BY revision DESC, id DESC"))
            .bind(&key.jurisdiction)
            .bind(&key.requirement)
            .bind(&key.version)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(history_from_row).collect()
    }

    /// Proposals, decisions and publications, newest first.
    pub async fn recent_changes(&self, limit: i64) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        let rows = sqlx::query(&format!(
            "{SELECT_HISTORY} WHERE changed_by <> 'corpus' ORDER BY changed_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        for h in rows.iter().map(history_from_row) {
            let h = h?;
            events.push(Event {
                at: h.changed_at,
                kind: "published",
                summary: format!("status {}: {}", h.data.status, h.comment),
                key: h.key,
                who: h.changed_by,
                proposal_id: h.proposal_id,
            });
        }
        let rows = sqlx::query(&format!("{SELECT_PROPOSAL} ORDER BY p.proposed_at DESC, p.id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        for p in rows.iter().map(proposal_from_row) {
            let p = p?;
            events.push(Event {
                at: p.proposed_at,
                kind: "proposed",
                summary: format!("status {}: {}", p.data.status, p.note),
                key: p.key.clone(),
                who: p.proposed_by.clone(),
                proposal_id: Some(p.id),
            });
            if let (Some(at), Some(who)) = (p.decided_at, &p.decided_by)
                && (p.state == ProposalState::Rejected || p.state == ProposalState::Withdrawn)
            {
                events.push(Event {
                    at,
                    kind: p.state.as_str(),
                    summary: p.decision_comment.clone().unwrap_or_default(),
                    key: p.key.clone(),
                    who: who.clone(),
                    proposal_id: Some(p.id),
                });
            }
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.at));
        events.truncate(limit.max(0) as usize);
        Ok(events)
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_assessment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &Key,
    data: &AssessmentData,
    assessed: Option<&str>,
    assessor: Option<&str>,
    revision: i64,
    now: i64,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assessments (jurisdiction, requirement, version, status, evidence, rationale, recommendation, sources, confidence, \
         assessed, assessor, revision, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&key.jurisdiction)
    .bind(&key.requirement)
    .bind(&key.version)
    .bind(data.status.as_str())
    .bind(json(&data.evidence))
    .bind(&data.rationale)
    .bind(&data.recommendation)
    .bind(json(&data.sources))
    .bind(data.confidence.as_str())
    .bind(assessed.map(str::to_string))
    .bind(assessor.map(str::to_string))
    .bind(revision)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_history(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    key: &Key,
    revision: i64,
    data: &AssessmentData,
    at: i64,
    by: &str,
    proposal: Option<i64>,
    comment: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assessment_history (id, jurisdiction, requirement, version, revision, data, changed_at, changed_by, proposal_id, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(&key.jurisdiction)
    .bind(&key.requirement)
    .bind(&key.version)
    .bind(revision)
    .bind(json(data))
    .bind(at)
    .bind(by)
    .bind(proposal)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
