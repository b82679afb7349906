-- A refreshed document: the scheduled LTV job (desk.RefreshLTV) appends a
-- new document timestamp, with the validation data of the previous one's
-- TSA, to an executed MOU's sealed PDF before that TSA's certificate
-- expires, and stores the result as the next step of the executed
-- revision, kind 'refresh'.
--
-- SQLite cannot alter a CHECK, so signing_documents is rebuilt under the
-- same name with its rows, index and append-only triggers exactly as
-- before; only the kind CHECK admits 'refresh'. signatures references it
-- by (mou_id, revision, seq): dropping the table counts a deferred
-- violation for every signature, and inserting the same rows back counts
-- them back, so the migration commits only when every row came back (as
-- migration 008 did for section_bodies).
PRAGMA defer_foreign_keys = ON;
CREATE TABLE migrate_013_documents AS SELECT mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at FROM signing_documents;
DROP TABLE signing_documents;

-- The PDF of one revision after each step: seq 0 is the rendered revision,
-- 1 the certified one with empty fields, then one per signature, the seal,
-- and after it one per LTV refresh. Each is the previous bytes plus
-- incremental updates.
CREATE TABLE signing_documents (
    mou_id       INTEGER NOT NULL REFERENCES mous (id),
    revision     INTEGER NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq >= 0),
    kind         TEXT NOT NULL CHECK (kind IN ('rendered', 'certified', 'signature', 'seal', 'refresh')),
    content_hash TEXT NOT NULL,
    sha256       TEXT NOT NULL, -- of pdf
    pdf          BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (mou_id, revision, seq),
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision)
);
INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at)
    SELECT mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at FROM migrate_013_documents ORDER BY mou_id, revision, seq;
DROP TABLE migrate_013_documents;
CREATE INDEX signing_documents_sha256 ON signing_documents (sha256);

CREATE TRIGGER signing_documents_no_update BEFORE UPDATE ON signing_documents
BEGIN
    SELECT RAISE(ABORT, 'signing documents are append-only');
END;
CREATE TRIGGER signing_documents_no_delete BEFORE DELETE ON signing_documents
BEGIN
    SELECT RAISE(ABORT, 'signing documents are append-only');
END;
