-- Webhooks: an admin registers a URL for their own party, and the events
-- it wants. Events are derived from the audit log (tailed by seq; each
-- webhook keeps its cursor, starting at the log's head when registered),
-- so a webhook tells only of acts that committed, and only of acts on MOUs
-- its party is on.
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    party_id    INTEGER NOT NULL REFERENCES parties (id),
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,  -- JSON array of event names
    -- The HMAC-SHA256 key deliveries are signed with. Signing needs the
    -- key itself, so unlike tokens it cannot be stored hashed; it is shown
    -- once, at registration, and never answered again.
    secret      TEXT NOT NULL,
    audit_seq   INTEGER NOT NULL, -- the last audit event considered
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    disabled_at TEXT
);
CREATE INDEX webhooks_party ON webhooks (party_id, id);

-- One event for one webhook, with the exact body sent on every attempt
-- (the signature covers a fresh timestamp each time). state: pending
-- until a 2xx, delivered after, failed when the attempts ran out.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
    audit_seq       INTEGER NOT NULL,
    event           TEXT NOT NULL,
    mou_id          INTEGER NOT NULL REFERENCES mous (id),
    body            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT,
    UNIQUE (webhook_id, audit_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- Every attempt, as the receiver answered it: the status (NULL when no
-- answer came), the first bytes of the answer and the error.
CREATE TABLE webhook_attempts (
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    status_code INTEGER,
    response    TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
CREATE TRIGGER webhook_attempts_no_update BEFORE UPDATE ON webhook_attempts
BEGIN
    SELECT RAISE(ABORT, 'webhook attempts are append-only');
END;
