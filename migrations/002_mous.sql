-- MOUs and their immutable revisions. A revision is an ordered list of
-- (key, heading, body hash) rows plus its variable values; section bodies
-- are stored once per distinct SHA-256, so editing one section of a long
-- MOU adds one body row, not a copy of the document.

CREATE TABLE mous (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    template         TEXT NOT NULL, -- template slug, e.g. "sro-mou"
    workflow         TEXT NOT NULL DEFAULT 'default',
    stage            TEXT NOT NULL DEFAULT 'draft',
    current_revision INTEGER NOT NULL DEFAULT 0, -- compare-and-set guard for concurrent saves
    amends_mou_id    INTEGER REFERENCES mous (id),
    created_at       TEXT NOT NULL
);
CREATE INDEX mous_stage ON mous (stage, id);

CREATE TABLE mou_parties (
    mou_id   INTEGER NOT NULL REFERENCES mous (id),
    role     TEXT NOT NULL, -- the template's party role: "city", "district"
    party_id INTEGER NOT NULL REFERENCES parties (id),
    PRIMARY KEY (mou_id, role)
) WITHOUT ROWID;

-- Content-addressed text: hash is the hex SHA-256 of body. Rows are only
-- ever added (INSERT OR IGNORE); the triggers refuse change and deletion.
CREATE TABLE section_bodies (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE revisions (
    mou_id        INTEGER NOT NULL REFERENCES mous (id),
    revision      INTEGER NOT NULL CHECK (revision >= 1),
    title         TEXT NOT NULL,
    preamble_hash TEXT NOT NULL REFERENCES section_bodies (hash),
    variables     TEXT NOT NULL, -- JSON object of normalised values
    content_hash  TEXT NOT NULL, -- SHA-256 of the canonical Markdown (internal/mou.Canonical)
    author        TEXT NOT NULL,
    author_id     INTEGER REFERENCES users (id),
    message       TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    PRIMARY KEY (mou_id, revision)
) WITHOUT ROWID;

CREATE TABLE revision_sections (
    mou_id         INTEGER NOT NULL,
    revision       INTEGER NOT NULL,
    position       INTEGER NOT NULL CHECK (position >= 1),
    key            TEXT NOT NULL,
    heading        TEXT NOT NULL,
    body_hash      TEXT NOT NULL REFERENCES section_bodies (hash),
    clause_slug    TEXT, -- library clause the section was assembled from, NULL for drafter text
    clause_version INTEGER,
    PRIMARY KEY (mou_id, revision, position),
    UNIQUE (mou_id, revision, key),
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision)
) WITHOUT ROWID;

-- Revisions are numbered 1, 2, 3… per MOU with no gaps.
CREATE TRIGGER revisions_contiguous BEFORE INSERT ON revisions
WHEN NEW.revision != (SELECT coalesce(max(revision), 0) + 1 FROM revisions WHERE mou_id = NEW.mou_id)
BEGIN
    SELECT RAISE(ABORT, 'revisions are numbered 1, 2, 3… without gaps');
END;

CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER revision_sections_no_update BEFORE UPDATE ON revision_sections
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER revision_sections_no_delete BEFORE DELETE ON revision_sections
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER section_bodies_no_update BEFORE UPDATE ON section_bodies
BEGIN
    SELECT RAISE(ABORT, 'section bodies are immutable');
END;
CREATE TRIGGER section_bodies_no_delete BEFORE DELETE ON section_bodies
BEGIN
    SELECT RAISE(ABORT, 'section bodies are immutable');
END;
