-- Workflow definitions become data an administrator manages at run time
-- (issue 15): each definition is stored as numbered versions of its YAML
-- source, and an MOU records the version it started with, so a later
-- upload never changes the process of an MOU already under way.
--
-- * A version is never changed or deleted (the triggers), and versions
--   run 1, 2, 3… per name without gaps.
-- * shipped marks a version loaded from the files shipped in the binary
--   (templates/workflows); created_by is NULL for those. At start-up a
--   changed shipped file becomes a new version only while the latest
--   version is itself a shipped one, so an administrator's edit is never
--   replaced by a restart.
-- * Existing MOUs get version 1: the first start after this migration
--   stores each shipped file as version 1, which is the definition they
--   were following.

CREATE TABLE workflow_definitions (
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    source     TEXT NOT NULL, -- the YAML as uploaded, byte for byte
    shipped    INTEGER NOT NULL DEFAULT 0 CHECK (shipped IN (0, 1)),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (name, version)
) WITHOUT ROWID;

CREATE TRIGGER workflow_definitions_contiguous BEFORE INSERT ON workflow_definitions
WHEN NEW.version != (SELECT coalesce(max(version), 0) + 1 FROM workflow_definitions WHERE name = NEW.name)
BEGIN
    SELECT RAISE(ABORT, 'workflow versions are numbered 1, 2, 3… without gaps');
END;
CREATE TRIGGER workflow_definitions_no_update BEFORE UPDATE ON workflow_definitions
BEGIN
    SELECT RAISE(ABORT, 'workflow versions are immutable');
END;
CREATE TRIGGER workflow_definitions_no_delete BEFORE DELETE ON workflow_definitions
BEGIN
    SELECT RAISE(ABORT, 'workflow versions are immutable');
END;

ALTER TABLE mous ADD COLUMN workflow_version INTEGER NOT NULL DEFAULT 1 CHECK (workflow_version >= 1);
CREATE INDEX mous_workflow ON mous (workflow, workflow_version);
