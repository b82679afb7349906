-- Notifications: the outbox. One row per recipient per event, written in
-- the same transaction as the act that caused it (a signature, a meeting,
-- feedback…), so an act that is refused or rolled back tells no one, and
-- one that commits is never lost. The in-app list reads these rows; the
-- mail worker in `serve` claims the due ones and sends them.
--
-- mail_state:
--   pending  due to be mailed at next_attempt_at (a failed attempt that may
--            succeed later waits here, with last_error, for its backoff)
--   sending  claimed by a worker at attempt `attempts`; next_attempt_at is
--            when the claim lapses and another worker may send it again
--            (a crash between sending and marking: the resend carries the
--            same Message-ID, made from idem_key)
--   sent     delivered to the mail server (sent_at)
--   failed   refused for good by the mail server (last_error)
--   digest   waits for the recipient's daily digest (next_attempt_at: the
--            start of the next UTC day); digest_key groups one digest's rows
--   off      the recipient takes this kind in the app only
-- Times are UTC text in RFC 3339 with microseconds, as everywhere.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    mou_id          INTEGER REFERENCES mous (id),
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL, -- plain text
    link            TEXT NOT NULL, -- path of the exact page, e.g. /mous/3/sign
    created_at      TEXT NOT NULL,
    read_at         TEXT,
    mail_state      TEXT NOT NULL CHECK (mail_state IN ('pending', 'sending', 'sent', 'failed', 'digest', 'off')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    digest_key      TEXT NOT NULL DEFAULT '',
    idem_key        TEXT NOT NULL UNIQUE -- one event's notice to one user, recorded once
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_mail ON notifications (mail_state, next_attempt_at)
    WHERE mail_state IN ('pending', 'sending', 'digest');

-- How each user takes each kind by mail; no row means immediately.
CREATE TABLE notification_prefs (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;
