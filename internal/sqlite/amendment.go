package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// agreementRow is what starting an amendment reads of the agreement.
type agreementRow struct {
	title, template, workflow, stage string
	workflowVersion                  int
	amends                           sql.NullInt64
	executed                         sql.NullInt64
}

// CreateAmendment starts "Amendment No. N" of an executed agreement: a new
// MOU linked to it (amends_mou_id), numbered after the agreement's earlier
// amendments, with the same parties, template and workflow, in the stage
// the definition's amend_to names, whose revision 1 is the text in force
// copied unchanged: the executed revision of the agreement, or of its latest
// executed amendment, since that one restates the agreement as amended. So
// the redline from revision 1 to any later revision of the amendment is
// exactly what the amendment changes, and revision 1's content hash equals
// the executed one. The executed revisions are never touched.
//
// The short-form template templates/mou/amendment.md ("Amendment No. N …
// the Agreement is amended as follows") is deliberately not put into the
// amendment's text: a preamble of its own would show in every redline
// against the executed text as a change the amendment does not make, and
// revision 1 would no longer hash to the executed revision. The record's
// title carries "Amendment No. N" and its redline is the list of amended
// sections; the template stays available for drafting a stand-alone
// short-form amendment as an MOU of its own.
//
// decide gets the agreement and its amendments as read in the write
// transaction and names the stage the amendment starts in, or refuses
// (the service's rules), and then nothing is written. Audited as mou.amend
// in the same transaction.
func (db *DB) CreateAmendment(ctx context.Context, actor moudesk.Actor, parentID int64, decide func(desk.AgreementState) (string, error), after func(desk.Tx, int64) error) (*desk.MOU, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		if id, err = tx.createAmendment(ctx, actor, parentID, decide); err != nil || after == nil {
			return err
		}
		return after(deskTx{tx}, id)
	})
	if err != nil {
		return nil, err
	}
	return db.MOU(ctx, id)
}

// StartAmendment is CreateAmendment inside the service's transaction: a
// monitoring meeting's "amend" outcome starts the amendment and records
// the outcome naming it, or neither.
func (t deskTx) StartAmendment(ctx context.Context, actor moudesk.Actor, parentID int64, decide func(desk.AgreementState) (string, error)) (int64, error) {
	return t.tx.createAmendment(ctx, actor, parentID, decide)
}

// createAmendment is CreateAmendment's work in tx; it returns the new
// MOU's id.
func (tx *Tx) createAmendment(ctx context.Context, actor moudesk.Actor, parentID int64, decide func(desk.AgreementState) (string, error)) (int64, error) {
	var id int64
	err := func() error {
		var a agreementRow
		err := tx.QueryRowContext(ctx, "SELECT title, template, workflow, workflow_version, stage, amends_mou_id, executed_revision FROM mous WHERE id = ?", parentID).
			Scan(&a.title, &a.template, &a.workflow, &a.workflowVersion, &a.stage, &a.amends, &a.executed)
		if errors.Is(err, sql.ErrNoRows) {
			return moudesk.ErrNotFound(fmt.Sprintf("MOU %d", parentID))
		}
		if err != nil {
			return fmt.Errorf("read MOU %d: %w", parentID, err)
		}
		prior, err := readAmendments(ctx, tx, parentID)
		if err != nil {
			return err
		}
		state := desk.AgreementState{ID: parentID, Workflow: a.workflow, WorkflowVersion: a.workflowVersion, Stage: a.stage}
		if a.amends.Valid {
			state.AmendsMOUID = &a.amends.Int64
		}
		if a.executed.Valid {
			n := int(a.executed.Int64)
			state.ExecutedRevision = &n
		}
		for _, p := range prior {
			state.Amendments = append(state.Amendments, desk.AmendmentState{Amendment: p.Amendment, Workflow: p.workflow, WorkflowVersion: p.workflowVersion})
		}
		start, err := decide(state)
		if err != nil {
			return err
		}
		number, baseMOU, baseRev := 1, parentID, int(a.executed.Int64)
		for _, p := range prior {
			number = max(number, p.Number+1)
			if p.ExecutedRevision != nil {
				baseMOU, baseRev = p.ID, *p.ExecutedRevision
			}
		}
		base, err := readRevision(ctx, tx, tx.texts, baseMOU, baseRev)
		if err != nil {
			return err
		}
		title := fmt.Sprintf("%s — Amendment No. %d", a.title, number)
		id, err = insertID(ctx, tx, `INSERT INTO mous (title, template, workflow, workflow_version, stage, current_revision, amends_mou_id, amendment_number, base_mou_id, base_revision, created_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`, title, a.template, a.workflow, a.workflowVersion, start, parentID, number, baseMOU, baseRev, tx.Now())
		if err != nil {
			if isUnique(err) {
				return moudesk.Errorf(moudesk.KindConflict, "amendment_in_progress", "another amendment of MOU %d was started meanwhile", parentID)
			}
			return storageError("insert amendment", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO mou_parties (mou_id, role, party_id) SELECT ?, role, party_id FROM mou_parties WHERE mou_id = ?", id, parentID); err != nil {
			return storageError("copy parties", err)
		}
		msg := fmt.Sprintf("Executed text of MOU %d revision %d, the base of Amendment No. %d", baseMOU, baseRev, number)
		hash, err := tx.insertRevision(ctx, actor, id, 1, &base.Content, msg)
		if err != nil {
			return err
		}
		if hash != base.ContentHash {
			return fmt.Errorf("amendment %d: revision 1 hashes to %s, not the executed %s", id, hash, base.ContentHash)
		}
		return tx.audit(ctx, actor, "mou.amend", fmt.Sprintf("mou:%d", id), map[string]any{
			"amends": parentID, "number": number, "title": title, "base_mou": baseMOU, "base_revision": baseRev,
			"content_hash": hash, "stage": start})
	}()
	return id, err
}

// amendmentRow is an Amendment with the workflow that decides whether it
// is still open.
type amendmentRow struct {
	desk.Amendment
	workflow        string
	workflowVersion int
}

func readAmendments(ctx context.Context, q queryer, parentID int64) ([]amendmentRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, amendment_number, title, stage, current_revision, executed_revision, base_mou_id, base_revision, workflow, workflow_version
		FROM mous WHERE amends_mou_id = ? ORDER BY amendment_number`, parentID)
	if err != nil {
		return nil, fmt.Errorf("list amendments of MOU %d: %w", parentID, err)
	}
	return collect(rows, "amendments", func(r rowScanner) (*amendmentRow, error) {
		var a amendmentRow
		var executed sql.NullInt64
		if err := r.Scan(&a.ID, &a.Number, &a.Title, &a.Stage, &a.CurrentRevision, &executed, &a.BaseMOUID, &a.BaseRevision, &a.workflow, &a.workflowVersion); err != nil {
			return nil, err
		}
		if executed.Valid {
			n := int(executed.Int64)
			a.ExecutedRevision = &n
		}
		return &a, nil
	})
}

// Amendments lists an agreement's amendments by number, each with its
// stage; an MOU without amendments has an empty list.
func (db *DB) Amendments(ctx context.Context, parentID int64) ([]desk.Amendment, error) {
	rows, err := readAmendments(ctx, db.read, parentID)
	if err != nil {
		return nil, err
	}
	out := make([]desk.Amendment, len(rows))
	for i, r := range rows {
		out[i] = r.Amendment
	}
	return out, nil
}

// ExecutedRevision returns the executed revision of an MOU, refusing with
// 422 not_executed when it has none.
func (db *DB) ExecutedRevision(ctx context.Context, mouID int64) (*mou.Revision, error) {
	m, err := db.MOU(ctx, mouID)
	if err != nil {
		return nil, err
	}
	if m.ExecutedRevision == nil {
		return nil, unprocessable("not_executed", "", "MOU %d has not been executed", mouID)
	}
	return db.Revision(ctx, mouID, *m.ExecutedRevision)
}
