package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
)

// SaveCertificate stores the sealed certificate of completion of an
// executed revision, unless one is stored already, and returns the stored
// one: the first certificate made is the one every later request serves.
func (db *DB) SaveCertificate(ctx context.Context, actor moudesk.Actor, mouID int64, revision int, pdf []byte) ([]byte, error) {
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO completion_certificates (mou_id, revision, sha256, pdf, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (mou_id, revision) DO NOTHING`, mouID, revision, sha256Hex(pdf), pdf, tx.Now())
		if err != nil {
			return storageError("insert certificate", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		return tx.audit(ctx, actor, "signing.certificate", fmt.Sprintf("mou:%d", mouID), map[string]any{"revision": revision, "sha256": sha256Hex(pdf)})
	})
	if err != nil {
		return nil, err
	}
	return db.Certificate(ctx, mouID, revision)
}

// Certificate is the stored certificate of completion of revision.
func (db *DB) Certificate(ctx context.Context, mouID int64, revision int) ([]byte, error) {
	var pdf []byte
	err := db.read.QueryRowContext(ctx, "SELECT pdf FROM completion_certificates WHERE mou_id = ? AND revision = ?", mouID, revision).Scan(&pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("certificate of MOU %d revision %d", mouID, revision))
	}
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	return pdf, nil
}

// CertificateBySHA256 finds the certificate of completion whose bytes hash
// to sum (hex SHA-256) and returns its MOU, revision and the content hash
// it certifies; not found when none does.
func (db *DB) CertificateBySHA256(ctx context.Context, sum string) (*desk.SigningDocument, error) {
	var d desk.SigningDocument
	var created string
	err := db.read.QueryRowContext(ctx, `SELECT c.mou_id, c.revision, r.content_hash, c.sha256, length(c.pdf), c.created_at
		FROM completion_certificates c JOIN revisions r ON r.mou_id = c.mou_id AND r.revision = c.revision WHERE c.sha256 = ?`, sum).
		Scan(&d.MOUID, &d.Revision, &d.ContentHash, &d.SHA256, &d.Size, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound("certificate")
	}
	if err != nil {
		return nil, fmt.Errorf("find certificate: %w", err)
	}
	d.Kind, d.CreatedAt = "certificate", parseTime(created)
	return &d, nil
}
