-- Signing: who signs an MOU, the PDF after every signing step, each
-- signatory's signature with its ceremony record, and the sealed
-- certificate of completion. PDFs and signatures are append-only: the
-- triggers refuse change and deletion, so every step stays provable.

-- One row per line of the template's signature block (line = its 1-based
-- position there), assigned to a user of that line's party.
CREATE TABLE signatories (
    mou_id      INTEGER NOT NULL REFERENCES mous (id),
    line        INTEGER NOT NULL CHECK (line >= 1),
    party_role  TEXT NOT NULL,
    title       TEXT NOT NULL,
    sign_order  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (mou_id, line)
) WITHOUT ROWID;

-- The PDF of one revision after each step: seq 0 is the rendered revision,
-- 1 the certified one with empty fields, then one per signature, and the
-- seal last. Each is the previous bytes plus one incremental update.
CREATE TABLE signing_documents (
    mou_id       INTEGER NOT NULL REFERENCES mous (id),
    revision     INTEGER NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq >= 0),
    kind         TEXT NOT NULL CHECK (kind IN ('rendered', 'certified', 'signature', 'seal')),
    content_hash TEXT NOT NULL,
    sha256       TEXT NOT NULL, -- of pdf
    pdf          BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (mou_id, revision, seq),
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision)
);
CREATE INDEX signing_documents_sha256 ON signing_documents (sha256);

CREATE TABLE signatures (
    mou_id       INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    line         INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL, -- the signatory's name as the certificate carries it
    title        TEXT NOT NULL,
    party_name   TEXT NOT NULL,
    typed_name   TEXT NOT NULL,
    consent_text TEXT NOT NULL, -- verbatim, as the signatory agreed to it
    client_addr  TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    document_seq INTEGER NOT NULL,
    signed_at    TEXT NOT NULL,
    PRIMARY KEY (mou_id, revision, line),
    FOREIGN KEY (mou_id, revision, document_seq) REFERENCES signing_documents (mou_id, revision, seq)
) WITHOUT ROWID;

CREATE TABLE completion_certificates (
    mou_id     INTEGER NOT NULL REFERENCES mous (id),
    revision   INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    pdf        BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (mou_id, revision),
    FOREIGN KEY (mou_id, revision) REFERENCES revisions (mou_id, revision)
);

CREATE TRIGGER signing_documents_no_update BEFORE UPDATE ON signing_documents
BEGIN
    SELECT RAISE(ABORT, 'signing documents are append-only');
END;
CREATE TRIGGER signing_documents_no_delete BEFORE DELETE ON signing_documents
BEGIN
    SELECT RAISE(ABORT, 'signing documents are append-only');
END;
CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures are append-only');
END;
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures are append-only');
END;
CREATE TRIGGER completion_certificates_no_update BEFORE UPDATE ON completion_certificates
BEGIN
    SELECT RAISE(ABORT, 'certificates are append-only');
END;
CREATE TRIGGER completion_certificates_no_delete BEFORE DELETE ON completion_certificates
BEGIN
    SELECT RAISE(ABORT, 'certificates are append-only');
END;
