-- No one acts as anyone else (DESIGN.md "Parties and authority").
--
-- * Accounts are created by invitation: an admin creates the account
--   without a password (password_hash '') and sends a one-time link; the
--   person sets their own password through it. Only the SHA-256 of the
--   link's token is stored. An invitation is used once (used_at) and
--   expires (expires_at); issuing a new one expires the older ones.
-- * must_change_password marks an account whose password someone else
--   chose (the first administrator's, printed in the log; one an operator
--   reset): until its owner sets a new one, only the password change and
--   sign-out are allowed.
-- * sessions gain a numeric id, so the audit can name the session an act
--   came from without the hash of its cookie. The table is rebuilt with
--   its rows, so nobody is signed out by the upgrade.

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));

CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the link's token, never the token
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT -- when the person set their password with it
);
CREATE INDEX invitations_user ON invitations (user_id);

CREATE TABLE sessions_009 (
    id           INTEGER PRIMARY KEY,
    id_hash      TEXT NOT NULL UNIQUE, -- SHA-256 of the cookie value
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL -- absolute expiry
);
INSERT INTO sessions_009 (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
    SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions ORDER BY created_at;
DROP TABLE sessions;
ALTER TABLE sessions_009 RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);
