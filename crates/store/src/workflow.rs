//! The review workflow as pure rules: who may decide or withdraw a proposal, and when. No database
//! here — [`crate::Store::decide`] and [`crate::Store::withdraw`] read the current state, ask these
//! functions, and then write with guarded updates (`… WHERE state = 'pending'`) so that a
//! concurrent writer cannot slip between the check and the write.
//!
//! The rules:
//! - **four eyes**: nobody approves their own proposal (they may reject or withdraw it);
//! - **only the proposer withdraws** a proposal;
//! - **a decided proposal stays decided**: approved, rejected and withdrawn are final;
//! - **no stale approval**: a proposal made against a revision that is no longer the published one
//!   cannot be approved (it would silently undo the change in between); it can be rejected.

use crate::{Proposal, ProposalState, StoreError, User};

/// Why the workflow refuses a step. Each maps to a [`StoreError`] (and so to an HTTP status).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("proposal {id} is yours: another reviewer must approve it (you may withdraw it)")]
    OwnProposal { id: i64 },
    #[error("only the proposer can withdraw a proposal")]
    NotProposer { id: i64 },
    #[error("proposal {id} is already {}", state.as_str())]
    AlreadyDecided { id: i64, state: ProposalState },
    #[error("proposal {id} is not pending")]
    NotPending { id: i64 },
    #[error(
        "the assessment changed since proposal {id} was made (revision {base} → {current}); reject it and propose again"
    )]
    Stale { id: i64, base: i64, current: i64 },
}

impl From<WorkflowError> for StoreError {
    fn from(e: WorkflowError) -> StoreError {
        let message = e.to_string();
        match e {
            WorkflowError::OwnProposal { .. } => StoreError::Forbidden(message),
            WorkflowError::NotProposer { .. } => StoreError::Invalid(message),
            WorkflowError::AlreadyDecided { .. } | WorkflowError::NotPending { .. } | WorkflowError::Stale { .. } => {
                StoreError::Conflict(message)
            }
        }
    }
}

/// What a permitted decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The proposal's new state: approved or rejected.
    pub state: ProposalState,
    /// On approval, the revision the proposal is published as (its base revision + 1).
    pub publish: Option<i64>,
}

impl Proposal {
    /// Checks that `by` may approve (or reject) this proposal while the published assessment is at
    /// `current_revision` (0 when there is none yet). Role checks (`Role::can_review`) are the
    /// caller's.
    pub fn decide(&self, by: &User, approve: bool, current_revision: i64) -> Result<Decision, WorkflowError> {
        if self.state != ProposalState::Pending {
            return Err(WorkflowError::AlreadyDecided { id: self.id, state: self.state });
        }
        if !approve {
            return Ok(Decision { state: ProposalState::Rejected, publish: None });
        }
        if self.proposed_by == by.username {
            return Err(WorkflowError::OwnProposal { id: self.id });
        }
        if current_revision != self.base_revision {
            return Err(WorkflowError::Stale { id: self.id, base: self.base_revision, current: current_revision });
        }
        Ok(Decision { state: ProposalState::Approved, publish: Some(self.base_revision + 1) })
    }

    /// Checks that `by` may withdraw this proposal.
    pub fn withdraw(&self, by: &User) -> Result<(), WorkflowError> {
        if self.proposed_by != by.username {
            return Err(WorkflowError::NotProposer { id: self.id });
        }
        if self.state != ProposalState::Pending {
            return Err(WorkflowError::NotPending { id: self.id });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use law::{Confidence, Status};

    use super::*;
    use crate::{AssessmentData, Key, Role};

    fn user(id: i64, username: &str, role: Role) -> User {
        User { id, username: username.into(), display_name: username.into(), role, created_at: 0, disabled: false }
    }

    fn proposal(by: &str, base_revision: i64, state: ProposalState) -> Proposal {
        Proposal {
            id: 7,
            key: Key { jurisdiction: "rs".into(), requirement: "csar-a".into(), version: "com-2022".into() },
            base_revision,
            data: AssessmentData {
                status: Status::Partial,
                evidence: vec![],
                rationale: String::new(),
                recommendation: String::new(),
                sources: vec![],
                confidence: Confidence::Unverified,
            },
            note: String::new(),
            state,
            proposed_by: by.into(),
            proposed_at: 0,
            decided_by: None,
            decided_at: None,
            decision_comment: None,
        }
    }

    #[test]
    fn approval_publishes_the_next_revision() {
        let p = proposal("ed", 3, ProposalState::Pending);
        let rev = user(2, "rev", Role::Reviewer);
        assert_eq!(p.decide(&rev, true, 3), Ok(Decision { state: ProposalState::Approved, publish: Some(4) }));
        assert_eq!(p.decide(&rev, false, 3), Ok(Decision { state: ProposalState::Rejected, publish: None }));
        // A proposal for an assessment that does not exist yet publishes revision 1.
        assert_eq!(proposal("ed", 0, ProposalState::Pending).decide(&rev, true, 0).unwrap().publish, Some(1));
    }

    #[test]
    fn four_eyes() {
        let p = proposal("ed", 1, ProposalState::Pending);
        let ed = user(1, "ed", Role::Admin);
        let err = p.decide(&ed, true, 1).unwrap_err();
        assert_eq!(err, WorkflowError::OwnProposal { id: 7 });
        let err = StoreError::from(err);
        assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
        assert_eq!(err.to_string(), "proposal 7 is yours: another reviewer must approve it (you may withdraw it)");
        // Rejecting one's own proposal is allowed (like withdrawing it).
        assert_eq!(p.decide(&ed, false, 1).unwrap().state, ProposalState::Rejected);
    }

    #[test]
    fn decided_stays_decided() {
        let rev = user(2, "rev", Role::Reviewer);
        for state in [ProposalState::Approved, ProposalState::Rejected, ProposalState::Withdrawn] {
            let p = proposal("ed", 1, state);
            for approve in [true, false] {
                let err = StoreError::from(p.decide(&rev, approve, 1).unwrap_err());
                assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
                assert_eq!(err.to_string(), format!("proposal 7 is already {}", state.as_str()));
            }
        }
    }

    #[test]
    fn stale_base_revision_cannot_be_approved() {
        let p = proposal("ed", 1, ProposalState::Pending);
        let rev = user(2, "rev", Role::Reviewer);
        let err = p.decide(&rev, true, 2).unwrap_err();
        assert_eq!(err, WorkflowError::Stale { id: 7, base: 1, current: 2 });
        let err = StoreError::from(err);
        assert!(matches!(err, StoreError::Conflict(_)));
        assert_eq!(
            err.to_string(),
            "the assessment changed since proposal 7 was made (revision 1 → 2); reject it and propose again"
        );
        // The published assessment disappearing is a change too.
        assert!(matches!(p.decide(&rev, true, 0), Err(WorkflowError::Stale { current: 0, .. })));
        // A stale proposal can still be rejected.
        assert_eq!(p.decide(&rev, false, 2).unwrap().state, ProposalState::Rejected);
    }

    #[test]
    fn only_the_proposer_withdraws() {
        let p = proposal("ed", 1, ProposalState::Pending);
        assert_eq!(p.withdraw(&user(1, "ed", Role::Editor)), Ok(()));
        let err = StoreError::from(p.withdraw(&user(2, "rev", Role::Admin)).unwrap_err());
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
        assert_eq!(err.to_string(), "only the proposer can withdraw a proposal");
        // Even the proposer cannot withdraw what is decided.
        let err = StoreError::from(
            proposal("ed", 1, ProposalState::Approved).withdraw(&user(1, "ed", Role::Editor)).unwrap_err(),
        );
        assert!(matches!(err, StoreError::Conflict(_)));
        assert_eq!(err.to_string(), "proposal 7 is not pending");
    }
}
