package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// putSignatory assigns line of the MOU's signature block to the user,
// replacing the line's earlier assignment. The service decided it may.
func (tx *Tx) putSignatory(ctx context.Context, actor moudesk.Actor, mouID int64, line int, l mou.SignatureLine, userID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO signatories (mou_id, line, kind, party_role, name, title, sign_order, user_id, assigned_by, assigned_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (mou_id, line) DO UPDATE SET kind = excluded.kind, party_role = excluded.party_role, name = excluded.name,
			title = excluded.title, sign_order = excluded.sign_order,
			user_id = excluded.user_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
		mouID, line, l.LineKind(), l.Party, l.Name, l.Title, l.Order, userID, actor.Author(), tx.Now())
	if err != nil {
		return storageError("assign signatory", err)
	}
	return nil
}

// hasSigningDocuments reports whether revision of the MOU was prepared for
// signing.
func hasSigningDocuments(ctx context.Context, q queryer, mouID int64, revision int) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM signing_documents WHERE mou_id = ? AND revision = ?", mouID, revision).Scan(&n); err != nil {
		return false, fmt.Errorf("count signing documents: %w", err)
	}
	return n > 0, nil
}

// Signatories lists the assigned lines of the MOU's signature block in
// line order, each marked with when it signed the current revision.
func (db *DB) Signatories(ctx context.Context, mouID int64) ([]desk.Signatory, error) {
	var out []desk.Signatory
	err := db.view(ctx, func(tx *sql.Tx) error {
		st, err := readMOUState(ctx, tx, mouID)
		if err != nil {
			return err
		}
		out, err = readSignatories(ctx, tx, mouID, st.current)
		return err
	})
	return out, err
}

func readSignatories(ctx context.Context, q queryer, mouID int64, revision int) ([]desk.Signatory, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.line, s.kind, s.party_role, coalesce(p.slug, ''), coalesce(p.name, ''), s.name, s.title, s.sign_order, u.id, u.name, u.email, sg.signed_at
		FROM signatories s
		JOIN users u ON u.id = s.user_id
		LEFT JOIN mou_parties mp ON mp.mou_id = s.mou_id AND mp.role = s.party_role
		LEFT JOIN parties p ON p.id = mp.party_id
		LEFT JOIN signatures sg ON sg.mou_id = s.mou_id AND sg.revision = ? AND sg.line = s.line
		WHERE s.mou_id = ? ORDER BY s.line`, revision, mouID)
	if err != nil {
		return nil, fmt.Errorf("list signatories of MOU %d: %w", mouID, err)
	}
	return collect(rows, "signatories", func(r rowScanner) (*desk.Signatory, error) {
		var s desk.Signatory
		var signed sql.NullString
		if err := r.Scan(&s.Line, &s.Kind, &s.Party, &s.PartySlug, &s.PartyName, &s.LineName, &s.Title, &s.Order, &s.UserID, &s.Name, &s.Email, &signed); err != nil {
			return nil, err
		}
		if signed.Valid {
			t := parseTime(signed.String)
			s.SignedAt = &t
		}
		return &s, nil
	})
}
