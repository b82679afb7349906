-- Store a one-section edit as about one section, not a copy of the list.
--
-- Until now every revision stored one revision_sections row per section
-- (with a second, UNIQUE index on key), and section_bodies, a WITHOUT ROWID
-- table, kept any body over about 1,000 bytes partly in an overflow page of
-- its own. A one-word edit of the 1 KB section of a 60-section MOU of the
-- shipped clauses stored 16.5 KB (dbstat over 1,000 edits): 11.0 KB of
-- section rows and their index, 4.7 KB for the one new body, 0.75 KB for
-- the revision row and its audit event. Now it stores 1.7 KB: 0.7 KB of
-- body, 0.2 KB of section list and the same 0.75 KB.
--
-- How:
--
-- * section_bodies is a rowid table (bodies up to 4 KB stay in the row)
--   with the SHA-256 hash still UNIQUE, so content addressing and every
--   foreign key on hash are unchanged. New bodies are stored
--   DEFLATE-compressed (deflated = 1) when that is smaller; the hash is
--   always of the text itself. Bodies copied here stay as they were
--   (deflated = 0): SQL cannot compress them.
--
-- * A revision's ordered section list is a delta from the previous
--   revision (the only base a save can have: a stale base is refused), with
--   a full snapshot at least every 32 revisions. revision_lists holds, per
--   revision, the snapshot its chain starts from and its number of
--   sections; revision_list_rows holds every section of a snapshot and, for
--   a delta, only the positions whose section differs from the previous
--   revision's (or that it did not have). Reading revision n reads its
--   snapshot and at most 31 small deltas.
--
--   The alternative, one stored list per distinct list, saves nothing here:
--   an edit makes a new distinct list, so it stores all 60 rows again.
--
-- * revision_sections becomes a view with the same columns, reconstructing
--   each revision's list in SQL, for the queries that look up one section
--   of one revision by key and for operators' ad hoc SQL.
--
-- Revisions stay immutable: the new tables refuse change and deletion,
-- rows may be added only to the newest revision of an MOU, within its
-- length, and a delta must continue the previous revision's chain. The
-- view refuses every write.
--
-- Existing revisions are converted as if saved this way: revisions 1, 33,
-- 65… of each MOU are snapshots, the others deltas. The freed pages are
-- reused by later writes (VACUUM returns them to the file system).

-- section_bodies is rebuilt under the same name, so the foreign key
-- revisions.preamble_hash → section_bodies (hash) keeps its meaning.
-- Dropping the table counts a (deferred) violation for every row that
-- references it; inserting the same hashes into the new table counts them
-- back, so the transaction commits only when every hash came back. The
-- temporary indexes make both counts lookups instead of scans.
PRAGMA defer_foreign_keys = ON;
CREATE INDEX migrate_008_revisions_preamble ON revisions (preamble_hash);
CREATE INDEX migrate_008_sections_body ON revision_sections (body_hash);
CREATE TABLE migrate_008_bodies AS SELECT hash, body FROM section_bodies;
DROP TABLE section_bodies;

-- Content-addressed text: hash is the hex SHA-256 of the text. body is the
-- text itself (deflated = 0) or its raw DEFLATE stream (deflated = 1).
-- Rows are only ever added; the triggers refuse change and deletion.
CREATE TABLE section_bodies (
    id       INTEGER PRIMARY KEY,
    hash     TEXT NOT NULL UNIQUE,
    deflated INTEGER NOT NULL DEFAULT 0 CHECK (deflated IN (0, 1)),
    body     BLOB NOT NULL
);
INSERT INTO section_bodies (hash, deflated, body) SELECT hash, 0, body FROM migrate_008_bodies ORDER BY hash;
DROP TABLE migrate_008_bodies;
DROP INDEX migrate_008_revisions_preamble;

CREATE TRIGGER section_bodies_no_update BEFORE UPDATE ON section_bodies
BEGIN
    SELECT RAISE(ABORT, 'section bodies are immutable');
END;
CREATE TRIGGER section_bodies_no_delete BEFORE DELETE ON section_bodies
BEGIN
    SELECT RAISE(ABORT, 'section bodies are immutable');
END;

-- One row per revision: snapshot is the revision whose rows hold the whole
-- list this one builds on (itself for a snapshot); sections its length.
CREATE TABLE revision_lists (
    mou_id   INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    snapshot INTEGER NOT NULL CHECK (snapshot >= 1 AND snapshot <= revision),
    sections INTEGER NOT NULL CHECK (sections >= 0),
    PRIMARY KEY (mou_id, revision),
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision)
) WITHOUT ROWID;

-- The section at position of revision: every position of a snapshot; in a
-- delta, the positions that differ from the previous revision.
CREATE TABLE revision_list_rows (
    mou_id         INTEGER NOT NULL,
    revision       INTEGER NOT NULL,
    position       INTEGER NOT NULL CHECK (position >= 1),
    key            TEXT NOT NULL,
    heading        TEXT NOT NULL,
    body_id        INTEGER NOT NULL REFERENCES section_bodies (id),
    clause_slug    TEXT, -- library clause the section was assembled from, NULL for drafter text
    clause_version INTEGER,
    PRIMARY KEY (mou_id, revision, position),
    FOREIGN KEY (mou_id, revision) REFERENCES revision_lists (mou_id, revision)
) WITHOUT ROWID;

INSERT INTO revision_lists (mou_id, revision, snapshot, sections)
SELECT r.mou_id, r.revision, r.revision - (r.revision - 1) % 32,
       (SELECT coalesce(max(s.position), 0) FROM revision_sections s WHERE s.mou_id = r.mou_id AND s.revision = r.revision)
FROM revisions r ORDER BY r.mou_id, r.revision;

INSERT INTO revision_list_rows (mou_id, revision, position, key, heading, body_id, clause_slug, clause_version)
SELECT s.mou_id, s.revision, s.position, s.key, s.heading, b.id, s.clause_slug, s.clause_version
FROM revision_sections s
JOIN revision_lists l ON l.mou_id = s.mou_id AND l.revision = s.revision
LEFT JOIN section_bodies b ON b.hash = s.body_hash -- a missing body fails NOT NULL, never drops a row
LEFT JOIN revision_sections p ON p.mou_id = s.mou_id AND p.revision = s.revision - 1 AND p.position = s.position
WHERE l.snapshot = l.revision OR p.position IS NULL
   OR p.key IS NOT s.key OR p.heading IS NOT s.heading OR p.body_hash IS NOT s.body_hash
   OR p.clause_slug IS NOT s.clause_slug OR p.clause_version IS NOT s.clause_version
ORDER BY s.mou_id, s.revision, s.position;

DROP TABLE revision_sections;

CREATE TRIGGER revision_lists_chain BEFORE INSERT ON revision_lists
WHEN NEW.snapshot != NEW.revision
    AND NEW.snapshot IS NOT (SELECT snapshot FROM revision_lists WHERE mou_id = NEW.mou_id AND revision = NEW.revision - 1)
BEGIN
    SELECT RAISE(ABORT, 'a delta revision continues the previous revision''s chain');
END;
CREATE TRIGGER revision_list_rows_newest BEFORE INSERT ON revision_list_rows
WHEN NEW.revision IS NOT (SELECT max(revision) FROM revision_lists WHERE mou_id = NEW.mou_id)
    OR NEW.position > (SELECT sections FROM revision_lists WHERE mou_id = NEW.mou_id AND revision = NEW.revision)
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable: rows are added only to the newest revision, within its length');
END;
CREATE TRIGGER revision_lists_no_update BEFORE UPDATE ON revision_lists
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER revision_lists_no_delete BEFORE DELETE ON revision_lists
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER revision_list_rows_no_update BEFORE UPDATE ON revision_list_rows
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER revision_list_rows_no_delete BEFORE DELETE ON revision_list_rows
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;

-- Every section of every revision, as the old table held them: a row of
-- the revision's chain is its section at that position when no later row
-- of the chain (up to the revision) replaced it and the list still reaches
-- it.
CREATE VIEW revision_sections (mou_id, revision, position, key, heading, body_hash, clause_slug, clause_version) AS
SELECT l.mou_id, l.revision, e.position, e.key, e.heading, b.hash, e.clause_slug, e.clause_version
FROM revision_lists l
JOIN revision_list_rows e ON e.mou_id = l.mou_id AND e.revision BETWEEN l.snapshot AND l.revision AND e.position <= l.sections
JOIN section_bodies b ON b.id = e.body_id
WHERE NOT EXISTS (SELECT 1 FROM revision_list_rows later
    WHERE later.mou_id = l.mou_id AND later.revision > e.revision AND later.revision <= l.revision AND later.position = e.position);

CREATE TRIGGER revision_sections_no_insert INSTEAD OF INSERT ON revision_sections
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable: revision_sections is a view');
END;
CREATE TRIGGER revision_sections_no_update INSTEAD OF UPDATE ON revision_sections
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
CREATE TRIGGER revision_sections_no_delete INSTEAD OF DELETE ON revision_sections
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;
