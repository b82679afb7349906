-- Review workflow: meetings of the bodies a workflow definition names, the
-- feedback raised at them, the one outcome each records (with its votes),
-- approvals of exact content, and every stage change. The stage rules
-- themselves live in templates/workflows/*.yaml, not here.

-- A meeting reviews one revision, fixed when the meeting is created, so the
-- minutes always say which text the body saw.
CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    mou_id      INTEGER NOT NULL REFERENCES mous (id),
    body        TEXT NOT NULL, -- body key in the MOU's workflow definition
    stage       TEXT NOT NULL, -- the MOU's stage when the meeting was created
    date        TEXT NOT NULL, -- YYYY-MM-DD
    location    TEXT NOT NULL DEFAULT '',
    agenda_item TEXT NOT NULL DEFAULT '',
    revision    INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision)
);
CREATE INDEX meetings_mou ON meetings (mou_id, id);

-- One outcome per meeting: the primary key refuses a second.
CREATE TABLE meeting_outcomes (
    meeting_id  INTEGER PRIMARY KEY REFERENCES meetings (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('forward', 'revise', 'approve', 'reject')),
    resolution  TEXT NOT NULL DEFAULT '',
    minutes     TEXT NOT NULL DEFAULT '',
    from_stage  TEXT NOT NULL,
    to_stage    TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE meeting_votes (
    meeting_id INTEGER NOT NULL REFERENCES meeting_outcomes (meeting_id),
    position   INTEGER NOT NULL,
    member     TEXT NOT NULL,
    vote       TEXT NOT NULL CHECK (vote IN ('aye', 'nay', 'abstain', 'absent')),
    PRIMARY KEY (meeting_id, position)
) WITHOUT ROWID;

-- Feedback is raised on a section of the meeting's revision and closed
-- either by a later revision that changed that section or by a reason.
CREATE TABLE feedback (
    id                INTEGER PRIMARY KEY,
    meeting_id        INTEGER NOT NULL REFERENCES meetings (id),
    mou_id            INTEGER NOT NULL REFERENCES mous (id),
    section_key       TEXT NOT NULL,
    text              TEXT NOT NULL,
    quote             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'declined')),
    resolved_revision INTEGER,
    decline_reason    TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    closed_by         TEXT,
    closed_at         TEXT
);
CREATE INDEX feedback_mou ON feedback (mou_id, status, id);
CREATE INDEX feedback_meeting ON feedback (meeting_id, id);

-- An approval is of one content hash. A later revision marks it stale
-- (stale_at) rather than deleting it, so the history keeps it.
CREATE TABLE approvals (
    meeting_id   INTEGER PRIMARY KEY REFERENCES meeting_outcomes (meeting_id),
    mou_id       INTEGER NOT NULL REFERENCES mous (id),
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    stale_at     TEXT
);
CREATE INDEX approvals_mou ON approvals (mou_id, stale_at);

-- Every stage change, whatever caused it: a manual transition, a meeting
-- outcome or a new revision.
CREATE TABLE stage_changes (
    id         INTEGER PRIMARY KEY,
    mou_id     INTEGER NOT NULL REFERENCES mous (id),
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    cause      TEXT NOT NULL CHECK (cause IN ('manual', 'outcome', 'revision')),
    meeting_id INTEGER REFERENCES meetings (id),
    revision   INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX stage_changes_mou ON stage_changes (mou_id, id);
