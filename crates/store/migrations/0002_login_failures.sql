-- Failed logins, shared by every server on the database so that throttling holds across them.
-- `key` is "u:<username, lowercased>" or "a:<client address>"; `at` is Unix microseconds.
-- Rows older than the throttling window are deleted as new failures come in.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- Usernames are unique regardless of case ("Ana" and "ana" are one account name); looked up by LOWER().
CREATE UNIQUE INDEX users_username_lower ON users (LOWER(username));
