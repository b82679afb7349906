package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// AssignSignatories assigns users to lines of the MOU's signature block
// (lines is the block of revision, which must still be the current one).
// Each user must hold the signatory role and act for the MOU's party in
// the line's role. Lines not named keep their assignment. Refused, writing
// nothing: an unknown line or user, a user of another party or without the
// role (422), a revision saved since (409 stale_revision), and any change
// once the current revision's signing PDF was prepared (409
// signatories_locked), since its fields and names are fixed in it.
// Audited as mou.signatories.
func (db *DB) AssignSignatories(ctx context.Context, actor moudesk.Actor, mouID int64, revision int, lines []mou.SignatureLine, assign []desk.Assignment) ([]desk.Signatory, error) {
	if len(assign) == 0 {
		return nil, invalidInput("missing_field", "signatories", "name at least one line and the e-mail of its signatory")
	}
	seen := map[int]bool{}
	for i, a := range assign {
		field := fmt.Sprintf("signatories[%d]", i)
		if a.Line < 1 || a.Line > len(lines) {
			return nil, unprocessable("unknown_line", field+".line", "the signature block has lines 1 to %d, not %d", len(lines), a.Line)
		}
		if seen[a.Line] {
			return nil, invalidInput("duplicate_line", field+".line", "line %d is named twice", a.Line)
		}
		seen[a.Line] = true
		if err := checkText(field+".email", a.Email, maxShortText, true); err != nil {
			return nil, err
		}
	}
	err := db.update(ctx, func(tx *Tx) error {
		st, err := readMOUState(ctx, tx, mouID)
		if err != nil {
			return err
		}
		if st.current != revision {
			return moudesk.Errorf(moudesk.KindConflict, "stale_revision",
				"MOU %d is now at revision %d, whose signature block may differ; assign its lines again", mouID, st.current)
		}
		if prepared, err := hasSigningDocuments(ctx, tx, mouID, st.current); err != nil {
			return err
		} else if prepared {
			return moudesk.Errorf(moudesk.KindConflict, "signatories_locked",
				"revision %d of MOU %d is already prepared for signing with its signatories; they can change only with a new revision", st.current, mouID)
		}
		details := make([]map[string]any, 0, len(assign))
		for i, a := range assign {
			field := fmt.Sprintf("signatories[%d]", i)
			l := lines[a.Line-1]
			var userID int64
			var userParty sql.NullString
			var isSignatory int
			err := tx.QueryRowContext(ctx, `SELECT u.id, p.slug, EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'signatory')
				FROM users u LEFT JOIN parties p ON p.id = u.party_id WHERE u.email = ? AND u.disabled = 0`, strings.TrimSpace(a.Email)).
				Scan(&userID, &userParty, &isSignatory)
			if errors.Is(err, sql.ErrNoRows) {
				return unprocessable("unknown_user", field+".email", "no active user %q", a.Email)
			}
			if err != nil {
				return fmt.Errorf("read user %s: %w", a.Email, err)
			}
			if isSignatory == 0 {
				return unprocessable("not_signatory_role", field+".email", "%s does not hold the signatory role", a.Email)
			}
			var partySlug string
			err = tx.QueryRowContext(ctx, `SELECT p.slug FROM mou_parties mp JOIN parties p ON p.id = mp.party_id WHERE mp.mou_id = ? AND mp.role = ?`, mouID, l.Party).Scan(&partySlug)
			if errors.Is(err, sql.ErrNoRows) {
				return unprocessable("unknown_party", field+".line", "MOU %d has no party in role %q", mouID, l.Party)
			}
			if err != nil {
				return fmt.Errorf("read party of role %s: %w", l.Party, err)
			}
			if userParty.String != partySlug {
				return unprocessable("wrong_party", field+".email", "line %d (%s) signs for %s; %s acts for %q", a.Line, l.Title, partySlug, a.Email, userParty.String)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO signatories (mou_id, line, kind, party_role, name, title, sign_order, user_id, assigned_by, assigned_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (mou_id, line) DO UPDATE SET kind = excluded.kind, party_role = excluded.party_role, name = excluded.name,
					title = excluded.title, sign_order = excluded.sign_order,
					user_id = excluded.user_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
				mouID, a.Line, l.LineKind(), l.Party, l.Name, l.Title, l.Order, userID, actor.Author(), tx.Now())
			if err != nil {
				return storageError("assign signatory", err)
			}
			details = append(details, map[string]any{"line": a.Line, "title": l.Title, "user": userID})
		}
		return tx.audit(ctx, actor, "mou.signatories", fmt.Sprintf("mou:%d", mouID), map[string]any{"assigned": details})
	})
	if err != nil {
		return nil, err
	}
	return db.Signatories(ctx, mouID)
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
