-- Oversight of an agreement in force (issue 17): a monitoring body named
-- by the workflow's oversight: section (Duluth's SRO Advisory Team,
-- Calgary's Special Oversight Board) meets on the executed revision. Its
-- meetings are rows of meetings (stage = the executed stage), with feedback
-- as any meeting; what is new is kept here:
--
-- * monitoring_outcomes: what the body decided. "continue" keeps the
--   agreement as it is; "amend" started an amendment, named here, in the
--   same transaction. meeting_outcomes cannot hold these (its CHECK names
--   the review outcomes, and SQLite cannot change a CHECK in place), and a
--   monitoring decision never moves the MOU, so it has no from/to stage.
-- * monitoring_votes: its roll call, when the body votes.
-- * obligation_status_updates: the body's status of each obligation at
--   the meeting ("status updates to CPS and its partners"), one per
--   obligation per meeting.
-- All three are part of the public record, so append-only.

CREATE TABLE monitoring_outcomes (
    meeting_id    INTEGER PRIMARY KEY REFERENCES meetings (id),
    mou_id        INTEGER NOT NULL REFERENCES mous (id),
    outcome       TEXT NOT NULL CHECK (outcome IN ('continue', 'amend')),
    resolution    TEXT NOT NULL DEFAULT '',
    minutes       TEXT NOT NULL DEFAULT '',
    amendment_id  INTEGER REFERENCES mous (id), -- the amendment an "amend" started
    recorded_by   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK ((outcome = 'amend') = (amendment_id IS NOT NULL))
);
CREATE INDEX monitoring_outcomes_mou ON monitoring_outcomes (mou_id, meeting_id);

CREATE TABLE monitoring_votes (
    meeting_id INTEGER NOT NULL REFERENCES monitoring_outcomes (meeting_id),
    position   INTEGER NOT NULL,
    member     TEXT NOT NULL,
    vote       TEXT NOT NULL CHECK (vote IN ('aye', 'nay', 'abstain', 'absent')),
    PRIMARY KEY (meeting_id, position)
) WITHOUT ROWID;

CREATE TABLE obligation_status_updates (
    id            INTEGER PRIMARY KEY,
    meeting_id    INTEGER NOT NULL REFERENCES meetings (id),
    obligation_id INTEGER NOT NULL REFERENCES obligations (id),
    status        TEXT NOT NULL CHECK (status IN ('on_track', 'at_risk', 'off_track', 'complete')),
    note          TEXT NOT NULL DEFAULT '',
    party         TEXT NOT NULL, -- the party the recorder acted for
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (meeting_id, obligation_id)
);

CREATE TRIGGER monitoring_outcomes_no_update BEFORE UPDATE ON monitoring_outcomes
BEGIN
    SELECT RAISE(ABORT, 'monitoring outcomes are append-only');
END;
CREATE TRIGGER monitoring_outcomes_no_delete BEFORE DELETE ON monitoring_outcomes
BEGIN
    SELECT RAISE(ABORT, 'monitoring outcomes are append-only');
END;
CREATE TRIGGER monitoring_votes_no_update BEFORE UPDATE ON monitoring_votes
BEGIN
    SELECT RAISE(ABORT, 'monitoring votes are append-only');
END;
CREATE TRIGGER monitoring_votes_no_delete BEFORE DELETE ON monitoring_votes
BEGIN
    SELECT RAISE(ABORT, 'monitoring votes are append-only');
END;
CREATE TRIGGER obligation_status_updates_no_update BEFORE UPDATE ON obligation_status_updates
BEGIN
    SELECT RAISE(ABORT, 'status updates are append-only');
END;
CREATE TRIGGER obligation_status_updates_no_delete BEFORE DELETE ON obligation_status_updates
BEGIN
    SELECT RAISE(ABORT, 'status updates are append-only');
END;
