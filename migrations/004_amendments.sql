-- Execution and amendments. An MOU records which revision was executed;
-- an amendment is an MOU of its own whose row names the agreement it
-- amends (amends_mou_id, already in 002), its number among that
-- agreement's amendments, and the executed text it starts from (the MOU
-- and revision whose text its revision 1 copies). Executed revisions are
-- already immutable through the revision triggers of 002.

ALTER TABLE mous ADD COLUMN executed_revision INTEGER;
ALTER TABLE mous ADD COLUMN executed_at TEXT;
ALTER TABLE mous ADD COLUMN amendment_number INTEGER CHECK (amendment_number >= 1);
ALTER TABLE mous ADD COLUMN base_mou_id INTEGER REFERENCES mous (id);
ALTER TABLE mous ADD COLUMN base_revision INTEGER;

-- "Amendment No. N" is unique per agreement; numbers are never reused,
-- even by a withdrawn amendment, so minutes that cite one stay unambiguous.
CREATE UNIQUE INDEX mous_amendment_number ON mous (amends_mou_id, amendment_number) WHERE amends_mou_id IS NOT NULL;

-- Once executed, the executed revision never changes.
CREATE TRIGGER mous_executed_fixed BEFORE UPDATE OF executed_revision ON mous
WHEN OLD.executed_revision IS NOT NULL AND NEW.executed_revision IS NOT OLD.executed_revision
BEGIN
    SELECT RAISE(ABORT, 'an executed revision is fixed');
END;

-- stage_changes gains the cause 'signature' (the last signature executes
-- the MOU). SQLite cannot alter a CHECK, so the table is rebuilt; nothing
-- references it.
CREATE TABLE stage_changes_new (
    id         INTEGER PRIMARY KEY,
    mou_id     INTEGER NOT NULL REFERENCES mous (id),
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    cause      TEXT NOT NULL CHECK (cause IN ('manual', 'outcome', 'revision', 'signature')),
    meeting_id INTEGER REFERENCES meetings (id),
    revision   INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO stage_changes_new (id, mou_id, from_stage, to_stage, cause, meeting_id, revision, note, actor, created_at)
    SELECT id, mou_id, from_stage, to_stage, cause, meeting_id, revision, note, actor, created_at FROM stage_changes;
DROP TABLE stage_changes;
ALTER TABLE stage_changes_new RENAME TO stage_changes;
CREATE INDEX stage_changes_mou ON stage_changes (mou_id, id);
