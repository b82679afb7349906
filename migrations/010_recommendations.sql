-- Recommendations as records of their own. An advisory body's report (the
-- Duluth SRO Advisory Team's, a roundtable's action plan) lists
-- recommendations for the agreement; each is kept with its source and
-- text, and what became of it is a chain of dispositions, the newest of
-- which holds: adopted by named sections of a revision, met by text the
-- MOU already has, declined or deferred with a reason, or still open.
-- A public body's answer to its advisers is part of its record, so both
-- tables are append-only: a changed mind is a new disposition, and the
-- earlier one stays for the history.

CREATE TABLE recommendations (
    id           INTEGER PRIMARY KEY,
    mou_id       INTEGER NOT NULL REFERENCES mous (id),
    source_body  TEXT NOT NULL CHECK (source_body <> ''), -- the body or group that made it
    source_title TEXT NOT NULL DEFAULT '',                 -- the report or minutes
    source_date  TEXT NOT NULL DEFAULT '',                 -- YYYY-MM-DD, or '' when the source has none
    source_item  TEXT NOT NULL DEFAULT '',                 -- its number or label in the source
    text         TEXT NOT NULL CHECK (text <> ''),
    entered_by   INTEGER REFERENCES users (id),            -- NULL for moudesk itself
    created_at   TEXT NOT NULL
);
CREATE INDEX recommendations_mou ON recommendations (mou_id, id);

-- mou_id repeats the recommendation's so that the revision a disposition
-- names is a revision of the same MOU, by foreign key.
CREATE TABLE recommendation_dispositions (
    id                INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    mou_id            INTEGER NOT NULL,
    disposition       TEXT NOT NULL CHECK (disposition IN ('open', 'adopted', 'met', 'declined', 'deferred')),
    revision          INTEGER,
    reason            TEXT NOT NULL DEFAULT '',
    decided_by        INTEGER REFERENCES users (id),
    created_at        TEXT NOT NULL,
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision),
    -- adopted and met point at text, so they name its revision; declined
    -- and deferred are answers in words, so they give the reason; open
    -- names neither.
    CHECK (disposition NOT IN ('adopted', 'met') OR revision IS NOT NULL),
    CHECK (disposition NOT IN ('declined', 'deferred') OR reason <> ''),
    CHECK (disposition <> 'open' OR (revision IS NULL AND reason = ''))
);
CREATE INDEX recommendation_dispositions_rec ON recommendation_dispositions (recommendation_id, id);

-- The sections of the revision an adopted or met disposition names, in
-- the order given. Section keys are checked against the revision by the
-- service (revision_sections is a view, which no foreign key can name).
CREATE TABLE recommendation_sections (
    disposition_id INTEGER NOT NULL REFERENCES recommendation_dispositions (id),
    position       INTEGER NOT NULL CHECK (position >= 1),
    section_key    TEXT NOT NULL CHECK (section_key <> ''),
    PRIMARY KEY (disposition_id, position),
    UNIQUE (disposition_id, section_key)
) WITHOUT ROWID;

CREATE TRIGGER recommendation_dispositions_same_mou BEFORE INSERT ON recommendation_dispositions
WHEN NEW.mou_id IS NOT (SELECT mou_id FROM recommendations WHERE id = NEW.recommendation_id)
BEGIN
    SELECT RAISE(ABORT, 'a disposition names a revision of its recommendation''s MOU');
END;

CREATE TRIGGER recommendations_no_update BEFORE UPDATE ON recommendations
BEGIN
    SELECT RAISE(ABORT, 'recommendations are append-only');
END;
CREATE TRIGGER recommendations_no_delete BEFORE DELETE ON recommendations
BEGIN
    SELECT RAISE(ABORT, 'recommendations are append-only');
END;
CREATE TRIGGER recommendation_dispositions_no_update BEFORE UPDATE ON recommendation_dispositions
BEGIN
    SELECT RAISE(ABORT, 'recommendation dispositions are append-only');
END;
CREATE TRIGGER recommendation_dispositions_no_delete BEFORE DELETE ON recommendation_dispositions
BEGIN
    SELECT RAISE(ABORT, 'recommendation dispositions are append-only');
END;
CREATE TRIGGER recommendation_sections_no_update BEFORE UPDATE ON recommendation_sections
BEGIN
    SELECT RAISE(ABORT, 'recommendation dispositions are append-only');
END;
CREATE TRIGGER recommendation_sections_no_delete BEFORE DELETE ON recommendation_sections
BEGIN
    SELECT RAISE(ABORT, 'recommendation dispositions are append-only');
END;
