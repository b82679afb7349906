-- Meetings move: a clerk sets a new date or place before the body meets.
-- The meeting row stays as created (006 keeps meetings append-only); each
-- move appends a schedule, and the latest one is where and when the
-- meeting is. sequence counts the moves from 1, and is the iCalendar
-- SEQUENCE calendar clients compare to replace their copy.
CREATE TABLE meeting_schedules (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    sequence   INTEGER NOT NULL CHECK (sequence >= 1),
    date       TEXT NOT NULL, -- YYYY-MM-DD
    location   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, sequence)
) WITHOUT ROWID;

CREATE TRIGGER meeting_schedules_no_update BEFORE UPDATE ON meeting_schedules
BEGIN
    SELECT RAISE(ABORT, 'meeting schedules are append-only');
END;
CREATE TRIGGER meeting_schedules_no_delete BEFORE DELETE ON meeting_schedules
BEGIN
    SELECT RAISE(ABORT, 'meeting schedules are append-only');
END;

-- Calendar feed URLs: calendar clients cannot sign in, so a user gets a
-- secret URL that reads their party's meetings and nothing else. Only the
-- token's SHA-256 is kept; revoking it ends the URL.
CREATE TABLE calendar_feeds (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id, id);
