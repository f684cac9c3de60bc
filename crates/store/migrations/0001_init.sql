-- Portable DDL: the same file runs on SQLite and PostgreSQL. Only TEXT and BIGINT columns; times are
-- Unix microseconds; ids come from the `counters` table (no dialect-specific identity columns).

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('user', 0), ('proposal', 0), ('history', 0);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'reviewer', 'admin')),
    created_at BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The published state: one row per (jurisdiction, requirement, version).
CREATE TABLE assessments (
    jurisdiction TEXT NOT NULL,
    requirement TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('full', 'partial', 'none', 'not_applicable', 'not_assessed')),
    evidence TEXT NOT NULL,
    rationale TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    sources TEXT NOT NULL,
    confidence TEXT NOT NULL CHECK (confidence IN ('verified', 'unverified')),
    assessed TEXT,
    assessor TEXT,
    revision BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (jurisdiction, requirement, version)
);

-- Every published state, oldest first: nothing is lost.
CREATE TABLE assessment_history (
    id BIGINT PRIMARY KEY,
    jurisdiction TEXT NOT NULL,
    requirement TEXT NOT NULL,
    version TEXT NOT NULL,
    revision BIGINT NOT NULL,
    data TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    proposal_id BIGINT,
    comment TEXT NOT NULL
);
CREATE INDEX history_key ON assessment_history (jurisdiction, requirement, version);
CREATE INDEX history_time ON assessment_history (changed_at);

-- Proposed changes and the reviewers' decisions.
CREATE TABLE proposals (
    id BIGINT PRIMARY KEY,
    jurisdiction TEXT NOT NULL,
    requirement TEXT NOT NULL,
    version TEXT NOT NULL,
    base_revision BIGINT NOT NULL,
    data TEXT NOT NULL,
    note TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
    proposed_by BIGINT NOT NULL REFERENCES users (id),
    proposed_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    decision_comment TEXT
);
CREATE INDEX proposals_state ON proposals (state, proposed_at);
CREATE INDEX proposals_key ON proposals (jurisdiction, requirement, version);
