package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// recommendationTables are the tables recording recommendations touches,
// plus the audit log.
var recommendationTables = []string{"recommendations", "recommendation_dispositions", "recommendation_sections", "audit_events"}

// RecommendationRowCounts counts the rows of every table recording
// recommendations touches, so tests can check that a refused request
// wrote nothing.
func (db *DB) RecommendationRowCounts(ctx context.Context) (map[string]int, error) {
	return db.countRows(ctx, recommendationTables)
}

// userRef is the user id stored for actor: NULL for moudesk itself.
func userRef(actor moudesk.Actor) any {
	if actor.UserID == 0 {
		return nil
	}
	return actor.UserID
}

// Recommendations lists an MOU's recommendations in the order entered,
// each with every disposition oldest first, read in one snapshot.
func (db *DB) Recommendations(ctx context.Context, mouID int64) ([]desk.Recommendation, error) {
	out := []desk.Recommendation{}
	err := db.view(ctx, func(tx *sql.Tx) error {
		byID := map[int64]int{}
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.source_body, r.source_title, r.source_date, r.source_item, r.text,
			coalesce(u.email, 'system'), r.created_at
			FROM recommendations r LEFT JOIN users u ON u.id = r.entered_by WHERE r.mou_id = ? ORDER BY r.id`, mouID)
		if err != nil {
			return fmt.Errorf("read recommendations of MOU %d: %w", mouID, err)
		}
		for rows.Next() {
			r := desk.Recommendation{MOUID: mouID}
			var created string
			if err := rows.Scan(&r.ID, &r.Source.Body, &r.Source.Title, &r.Source.Date, &r.Source.Item, &r.Text, &r.EnteredBy, &created); err != nil {
				_ = rows.Close()
				return fmt.Errorf("read recommendation: %w", err)
			}
			r.CreatedAt = parseTime(created)
			byID[r.ID] = len(out)
			out = append(out, r)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("read recommendations of MOU %d: %w", mouID, err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read recommendations of MOU %d: %w", mouID, err)
		}
		sections, err := dispositionSections(ctx, tx, mouID)
		if err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT d.id, d.recommendation_id, d.disposition, d.revision, d.reason,
			coalesce(u.email, 'system'), d.created_at
			FROM recommendation_dispositions d LEFT JOIN users u ON u.id = d.decided_by WHERE d.mou_id = ? ORDER BY d.id`, mouID)
		if err != nil {
			return fmt.Errorf("read dispositions of MOU %d: %w", mouID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var d desk.Disposition
			var id, recID int64
			var revision sql.NullInt64
			var created string
			if err := rows.Scan(&id, &recID, &d.Disposition, &revision, &d.Reason, &d.DecidedBy, &created); err != nil {
				return fmt.Errorf("read disposition: %w", err)
			}
			d.Revision, d.Sections, d.CreatedAt = int(revision.Int64), sections[id], parseTime(created)
			if i, ok := byID[recID]; ok {
				out[i].History = append(out[i].History, d)
				out[i].Current = d
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dispositionSections are the section keys each disposition of the MOU
// names, in order, by disposition id.
func dispositionSections(ctx context.Context, tx *sql.Tx, mouID int64) (map[int64][]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.disposition_id, s.section_key FROM recommendation_sections s
		JOIN recommendation_dispositions d ON d.id = s.disposition_id WHERE d.mou_id = ? ORDER BY s.disposition_id, s.position`, mouID)
	if err != nil {
		return nil, fmt.Errorf("read disposition sections of MOU %d: %w", mouID, err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, fmt.Errorf("read disposition section: %w", err)
		}
		out[id] = append(out[id], key)
	}
	return out, rows.Err()
}

func (t deskTx) SectionKeys(ctx context.Context, mouID int64, revision int) (map[string]bool, error) {
	var one int
	err := t.tx.QueryRowContext(ctx, "SELECT 1 FROM revisions WHERE mou_id = ? AND revision = ?", mouID, revision).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("revision %d of MOU %d", revision, mouID))
	}
	if err != nil {
		return nil, fmt.Errorf("read revision %d of MOU %d: %w", revision, mouID, err)
	}
	rows, err := t.tx.QueryContext(ctx, "SELECT key FROM revision_sections WHERE mou_id = ? AND revision = ?", mouID, revision)
	if err != nil {
		return nil, fmt.Errorf("read sections of MOU %d revision %d: %w", mouID, revision, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("read section key: %w", err)
		}
		out[key] = true
	}
	return out, rows.Err()
}

func (t deskTx) RecommendationMOU(ctx context.Context, id int64) (int64, error) {
	var mouID int64
	err := t.tx.QueryRowContext(ctx, "SELECT mou_id FROM recommendations WHERE id = ?", id).Scan(&mouID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, moudesk.ErrNotFound(fmt.Sprintf("recommendation %d", id))
	}
	if err != nil {
		return 0, fmt.Errorf("read recommendation %d: %w", id, err)
	}
	return mouID, nil
}

func (t deskTx) InsertRecommendation(ctx context.Context, actor moudesk.Actor, mouID int64, n desk.NewRecommendation) (int64, error) {
	id, err := insertID(ctx, t.tx, `INSERT INTO recommendations (mou_id, source_body, source_title, source_date, source_item, text, entered_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, mouID, n.Source.Body, n.Source.Title, n.Source.Date, n.Source.Item, n.Text, userRef(actor), t.tx.Now())
	if err != nil {
		return 0, storageError("insert recommendation", err)
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, decided_by, created_at)
		VALUES (?, ?, 'open', ?, ?)`, id, mouID, userRef(actor), t.tx.Now())
	if err != nil {
		return 0, storageError("insert disposition", err)
	}
	return id, nil
}

func (t deskTx) InsertDisposition(ctx context.Context, actor moudesk.Actor, mouID, id int64, d desk.NewDisposition) error {
	var revision any
	if d.Revision != 0 {
		revision = d.Revision
	}
	did, err := insertID(ctx, t.tx, `INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, revision, reason, decided_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, mouID, d.Disposition, revision, d.Reason, userRef(actor), t.tx.Now())
	if err != nil {
		return storageError("insert disposition", err)
	}
	for i, key := range d.Sections {
		_, err := t.tx.ExecContext(ctx, "INSERT INTO recommendation_sections (disposition_id, position, section_key) VALUES (?, ?, ?)", did, i+1, key)
		if err != nil {
			return storageError("insert disposition section", err)
		}
	}
	return nil
}
