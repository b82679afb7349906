-- Obligations and reports (issue 17): what an executed MOU obliges its
-- parties to do after signing, and the evidence they submit.
--
-- * A clause declares the duties it creates (clause_versions.obligations,
--   JSON; '[]' for none and for every version stored before).
-- * A revision carries its obligations like its signature block: JSON
--   stored content-addressed in section_bodies, named by
--   revisions.obligations_hash, covered by the content hash; NULL for
--   revisions stored before (their hashes cover none, so they verify).
-- * Executing an MOU schedules the executed revision's obligations: one
--   obligations row each, with its owning party, and one obligation_dues
--   row per period of the term. States (upcoming, due, late, met, waived)
--   are not stored: they follow from the dues, the reports, the waivers and
--   the clock, so no job has to run for a state to be right.
-- * reports are the evidence, append-only: a correction is a new version
--   of the same due with a reason, never a change to a stored one.
-- * obligation_events records due-soon and late reminders once per due,
--   for the notifications to deliver (delivered_at, set once).

ALTER TABLE clause_versions ADD COLUMN obligations TEXT NOT NULL DEFAULT '[]';
ALTER TABLE revisions ADD COLUMN obligations_hash TEXT REFERENCES section_bodies (hash);

CREATE TABLE obligations (
    id           INTEGER PRIMARY KEY,
    mou_id       INTEGER NOT NULL REFERENCES mous (id),
    revision     INTEGER NOT NULL, -- the executed revision that declared it
    key          TEXT NOT NULL,
    party_role   TEXT NOT NULL,    -- the template role that owes it
    party        TEXT NOT NULL,    -- slug of the party in that role
    what         TEXT NOT NULL,
    every        TEXT NOT NULL,
    due_rule     TEXT NOT NULL,    -- "30 days" after each period, or a date
    evidence     TEXT NOT NULL CHECK (evidence IN ('dataset', 'document', 'meeting')),
    dataset      TEXT NOT NULL DEFAULT '',
    section      TEXT NOT NULL DEFAULT '', -- section key whose clause declared it
    scheduled_at TEXT NOT NULL,
    UNIQUE (mou_id, key),
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision)
);
CREATE INDEX obligations_party ON obligations (party, mou_id);

CREATE TABLE obligation_dues (
    id            INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations (id),
    seq           INTEGER NOT NULL,
    period_start  TEXT NOT NULL, -- YYYY-MM-DD, inclusive
    period_end    TEXT NOT NULL, -- YYYY-MM-DD, inclusive
    due_on        TEXT NOT NULL, -- YYYY-MM-DD: on time until the day ends (UTC)
    UNIQUE (obligation_id, seq)
);
CREATE INDEX obligation_dues_due ON obligation_dues (due_on);

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations (id),
    due_id        INTEGER NOT NULL REFERENCES obligation_dues (id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    kind          TEXT NOT NULL CHECK (kind IN ('dataset', 'document', 'meeting')),
    sha256        TEXT NOT NULL DEFAULT '', -- of data as stored (a dataset: its canonical CSV)
    source_sha256 TEXT NOT NULL DEFAULT '', -- of the file as uploaded
    data          BLOB,
    size          INTEGER NOT NULL DEFAULT 0,
    row_count     INTEGER NOT NULL DEFAULT 0,
    filename      TEXT NOT NULL DEFAULT '',
    meeting_id    INTEGER REFERENCES meetings (id),
    reason        TEXT NOT NULL DEFAULT '', -- why a correction replaces the version before
    party         TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    UNIQUE (due_id, version),
    CHECK (version = 1 OR reason <> ''),
    CHECK ((kind = 'meeting') = (meeting_id IS NOT NULL))
);
CREATE INDEX reports_obligation ON reports (obligation_id, due_id, version);

CREATE TABLE obligation_waivers (
    due_id    INTEGER PRIMARY KEY REFERENCES obligation_dues (id),
    reason    TEXT NOT NULL CHECK (reason <> ''),
    party     TEXT NOT NULL,
    waived_by TEXT NOT NULL,
    waived_at TEXT NOT NULL
);

CREATE TABLE obligation_events (
    id            INTEGER PRIMARY KEY,
    due_id        INTEGER NOT NULL REFERENCES obligation_dues (id),
    obligation_id INTEGER NOT NULL REFERENCES obligations (id),
    mou_id        INTEGER NOT NULL REFERENCES mous (id),
    kind          TEXT NOT NULL CHECK (kind IN ('due_soon', 'late')),
    party         TEXT NOT NULL, -- the owning party, whom the reminder is for
    due_on        TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    delivered_at  TEXT,
    UNIQUE (due_id, kind)
);
CREATE INDEX obligation_events_undelivered ON obligation_events (delivered_at, id);

CREATE TRIGGER obligations_no_update BEFORE UPDATE ON obligations
BEGIN
    SELECT RAISE(ABORT, 'obligations are append-only');
END;
CREATE TRIGGER obligations_no_delete BEFORE DELETE ON obligations
BEGIN
    SELECT RAISE(ABORT, 'obligations are append-only');
END;
CREATE TRIGGER obligation_dues_no_update BEFORE UPDATE ON obligation_dues
BEGIN
    SELECT RAISE(ABORT, 'obligation dues are append-only');
END;
CREATE TRIGGER obligation_dues_no_delete BEFORE DELETE ON obligation_dues
BEGIN
    SELECT RAISE(ABORT, 'obligation dues are append-only');
END;
CREATE TRIGGER reports_no_update BEFORE UPDATE ON reports
BEGIN
    SELECT RAISE(ABORT, 'reports are append-only');
END;
CREATE TRIGGER reports_no_delete BEFORE DELETE ON reports
BEGIN
    SELECT RAISE(ABORT, 'reports are append-only');
END;
CREATE TRIGGER obligation_waivers_no_update BEFORE UPDATE ON obligation_waivers
BEGIN
    SELECT RAISE(ABORT, 'waivers are append-only');
END;
CREATE TRIGGER obligation_waivers_no_delete BEFORE DELETE ON obligation_waivers
BEGIN
    SELECT RAISE(ABORT, 'waivers are append-only');
END;
CREATE TRIGGER obligation_events_delivered_once BEFORE UPDATE ON obligation_events
WHEN OLD.delivered_at IS NOT NULL OR NEW.delivered_at IS NULL
    OR NEW.due_id IS NOT OLD.due_id OR NEW.kind IS NOT OLD.kind OR NEW.party IS NOT OLD.party
    OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.mou_id IS NOT OLD.mou_id
    OR NEW.obligation_id IS NOT OLD.obligation_id OR NEW.due_on IS NOT OLD.due_on
BEGIN
    SELECT RAISE(ABORT, 'an obligation event can only be marked delivered, once');
END;
CREATE TRIGGER obligation_events_no_delete BEFORE DELETE ON obligation_events
BEGIN
    SELECT RAISE(ABORT, 'obligation events are append-only');
END;
