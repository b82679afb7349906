package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
)

// Kinds of signing documents, in the order they are made.
const (
	DocRendered  = "rendered"
	DocCertified = "certified"
	DocSignature = "signature"
	DocSeal      = "seal"
	DocRefresh   = "refresh"
)

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (tx *Tx) insertDocument(ctx context.Context, mouID int64, revision, seq int, kind, contentHash string, pdf []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, mouID, revision, seq, kind, contentHash, sha256Hex(pdf), pdf, tx.Now())
	if isUnique(err) {
		return moudesk.Errorf(moudesk.KindConflict, "document_changed", "the signing document of MOU %d changed meanwhile; reload it and sign again", mouID)
	}
	if err != nil {
		return storageError("insert signing document", err)
	}
	return nil
}

const documentCols = "mou_id, revision, seq, kind, content_hash, sha256, length(pdf), created_at"

func scanDocument(r rowScanner, extra ...any) (*desk.SigningDocument, error) {
	var d desk.SigningDocument
	var created string
	if err := r.Scan(append([]any{&d.MOUID, &d.Revision, &d.Seq, &d.Kind, &d.ContentHash, &d.SHA256, &d.Size, &created}, extra...)...); err != nil {
		return nil, err
	}
	d.CreatedAt = parseTime(created)
	return &d, nil
}

// SigningDocuments lists the steps of revision's signing, oldest first,
// without their bytes.
func (db *DB) SigningDocuments(ctx context.Context, mouID int64, revision int) ([]desk.SigningDocument, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+documentCols+" FROM signing_documents WHERE mou_id = ? AND revision = ? ORDER BY seq", mouID, revision)
	if err != nil {
		return nil, fmt.Errorf("list signing documents: %w", err)
	}
	return collect(rows, "signing documents", func(r rowScanner) (*desk.SigningDocument, error) { return scanDocument(r) })
}

// LatestSigningDocument is the newest step of revision's signing, with its
// bytes; not found when the revision was never prepared.
func (db *DB) LatestSigningDocument(ctx context.Context, mouID int64, revision int) (*desk.SigningDocument, error) {
	return latestSigningDocument(ctx, db.read, mouID, revision)
}

func latestSigningDocument(ctx context.Context, q queryer, mouID int64, revision int) (*desk.SigningDocument, error) {
	var pdf []byte
	d, err := scanDocument(q.QueryRowContext(ctx, "SELECT "+documentCols+", pdf FROM signing_documents WHERE mou_id = ? AND revision = ? ORDER BY seq DESC LIMIT 1", mouID, revision), &pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("signing document of MOU %d revision %d", mouID, revision))
	}
	if err != nil {
		return nil, fmt.Errorf("read signing document: %w", err)
	}
	d.PDF = pdf
	return d, nil
}

// SealedDocument is the signed PDF of an MOU: of its executed revision,
// the newest sealed or LTV-refreshed one. Not found before the seal.
func (db *DB) SealedDocument(ctx context.Context, mouID int64) (*desk.SigningDocument, error) {
	var pdf []byte
	d, err := scanDocument(db.read.QueryRowContext(ctx, "SELECT "+documentCols+", pdf FROM signing_documents WHERE mou_id = ? AND kind IN ('seal', 'refresh') ORDER BY revision DESC, seq DESC LIMIT 1", mouID), &pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("signed PDF of MOU %d", mouID))
	}
	if err != nil {
		return nil, fmt.Errorf("read sealed document: %w", err)
	}
	d.PDF = pdf
	return d, nil
}

// ExecutedMOUs lists the ids of the MOUs with an executed revision, in
// id order: what the scheduled LTV refresh looks at.
func (db *DB) ExecutedMOUs(ctx context.Context) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT id FROM mous WHERE executed_revision IS NOT NULL ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list executed MOUs: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list executed MOUs: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list executed MOUs: %w", err)
	}
	return ids, nil
}

// DocumentsBySHA256 finds stored signing steps whose bytes hash to any of
// sums (hex SHA-256), newest first: how a PDF someone holds is traced to
// the MOU and revision it came from.
func (db *DB) DocumentsBySHA256(ctx context.Context, sums []string) ([]desk.SigningDocument, error) {
	if len(sums) == 0 {
		return []desk.SigningDocument{}, nil
	}
	if len(sums) > 100 {
		sums = sums[len(sums)-100:]
	}
	q := "SELECT " + documentCols + " FROM signing_documents WHERE sha256 IN (?" + repeatPlaceholder(len(sums)-1) + ") ORDER BY mou_id, revision, seq DESC"
	args := make([]any, len(sums))
	for i, s := range sums {
		args[i] = s
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find signing documents: %w", err)
	}
	return collect(rows, "signing documents", func(r rowScanner) (*desk.SigningDocument, error) { return scanDocument(r) })
}

func repeatPlaceholder(n int) string {
	b := make([]byte, 0, 3*n)
	for range n {
		b = append(b, ", ?"...)
	}
	return string(b)
}

// ApprovalRecords lists the MOU's approvals with their meetings, oldest
// first, stale ones included and marked.
func (db *DB) ApprovalRecords(ctx context.Context, mouID int64) ([]desk.ApprovalRecord, error) {
	return readApprovalRecords(ctx, db.read, mouID)
}

func readApprovalRecords(ctx context.Context, q queryer, mouID int64) ([]desk.ApprovalRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.meeting_id, a.body, m.date, o.resolution, a.content_hash, a.stale_at IS NOT NULL, a.created_at
		FROM approvals a JOIN meetings m ON m.id = a.meeting_id JOIN meeting_outcomes o ON o.meeting_id = a.meeting_id
		WHERE a.mou_id = ? ORDER BY a.meeting_id`, mouID)
	if err != nil {
		return nil, fmt.Errorf("list approvals of MOU %d: %w", mouID, err)
	}
	return collect(rows, "approvals", func(r rowScanner) (*desk.ApprovalRecord, error) {
		var a desk.ApprovalRecord
		var created string
		if err := r.Scan(&a.MeetingID, &a.Body, &a.Date, &a.Resolution, &a.ContentHash, &a.Stale, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = parseTime(created)
		return &a, nil
	})
}

// Signatures lists the signatures of revision, in signing order.
func (db *DB) Signatures(ctx context.Context, mouID int64, revision int) ([]desk.Signature, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT mou_id, revision, line, content_hash, user_id, name, title, party_name, typed_name, consent_text,
		client_addr, user_agent, document_seq, signed_at FROM signatures WHERE mou_id = ? AND revision = ? ORDER BY document_seq`, mouID, revision)
	if err != nil {
		return nil, fmt.Errorf("list signatures: %w", err)
	}
	return collect(rows, "signatures", func(r rowScanner) (*desk.Signature, error) {
		var s desk.Signature
		var at string
		if err := r.Scan(&s.MOUID, &s.Revision, &s.Line, &s.ContentHash, &s.UserID, &s.Name, &s.Title, &s.PartyName, &s.TypedName,
			&s.ConsentText, &s.ClientAddr, &s.UserAgent, &s.DocumentSeq, &at); err != nil {
			return nil, err
		}
		s.SignedAt = parseTime(at)
		return &s, nil
	})
}

// SigningRowCounts counts the rows of every signing table and the audit
// log, so tests can show a refused request wrote nothing.
func (db *DB) SigningRowCounts(ctx context.Context) (map[string]int, error) {
	return db.countRows(ctx, []string{"signatories", "signing_documents", "signatures", "completion_certificates", "stage_changes", "audit_events", "notifications"})
}
