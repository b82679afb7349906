-- Foundation: parties, users and their credentials, the hash-chained audit
-- log, and the versioned clause library with its full-text index.
-- Times are UTC text in RFC 3339 with microseconds, so they sort as text.

CREATE TABLE parties (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('city', 'district', 'agency')),
    body       TEXT NOT NULL, -- governing body, e.g. "City Council"
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    party_id      INTEGER REFERENCES parties (id),
    password_hash TEXT NOT NULL, -- argon2id PHC string, never the password
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('admin', 'drafter', 'reviewer', 'clerk', 'signatory')),
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY, -- SHA-256 of the cookie value
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL -- absolute expiry
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE, -- SHA-256 of the token
    label        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY, -- 1, 2, 3… with no gaps
    time      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    details   TEXT NOT NULL, -- JSON object
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object, seq);

CREATE TABLE clauses (
    id             INTEGER PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    latest_version INTEGER NOT NULL, -- compare-and-set guard for concurrent edits
    created_at     TEXT NOT NULL
);

-- A clause version is immutable: the triggers below refuse any change.
CREATE TABLE clause_versions (
    clause_id  INTEGER NOT NULL REFERENCES clauses (id),
    version    INTEGER NOT NULL CHECK (version >= 1),
    title      TEXT NOT NULL,
    category   TEXT NOT NULL,
    summary    TEXT NOT NULL,
    variables  TEXT NOT NULL, -- JSON array of declared variables
    body       TEXT NOT NULL,
    body_hash  TEXT NOT NULL, -- SHA-256 of the whole clause file as shipped or saved
    author     TEXT NOT NULL, -- "system" for the shipped library, else the user's email
    author_id  INTEGER REFERENCES users (id),
    note       TEXT NOT NULL DEFAULT '',
    shipped    INTEGER NOT NULL DEFAULT 0, -- 1 when this version is the shipped text
    created_at TEXT NOT NULL,
    PRIMARY KEY (clause_id, version)
) WITHOUT ROWID;

CREATE TRIGGER clause_versions_no_update BEFORE UPDATE ON clause_versions
BEGIN
    SELECT RAISE(ABORT, 'clause versions are immutable');
END;
CREATE TRIGGER clause_versions_no_delete BEFORE DELETE ON clause_versions
BEGIN
    SELECT RAISE(ABORT, 'clause versions are immutable');
END;

-- Full-text index over each clause's latest version (FTS4: the FTS5 module
-- needs a build tag in go-sqlite3, and `go run ./cmd/moudesk serve` must work
-- as typed). Ranking is BM25 computed from matchinfo in Go.
CREATE VIRTUAL TABLE clause_search USING fts4 (
    slug, title, summary, body, category,
    notindexed=slug, notindexed=category,
    tokenize=unicode61
);
