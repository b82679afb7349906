package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
)

// PartiesBySlug returns the named parties, refusing an unknown slug with
// 422 unknown_party.
func (db *DB) PartiesBySlug(ctx context.Context, slugs []string) (map[string]desk.Party, error) {
	out := make(map[string]desk.Party, len(slugs))
	for _, slug := range slugs {
		var p desk.Party
		err := db.read.QueryRowContext(ctx, "SELECT id, slug, name, kind, body FROM parties WHERE slug = ?", slug).Scan(&p.ID, &p.Slug, &p.Name, &p.Kind, &p.Body)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_party", Field: "parties",
				Message: fmt.Sprintf("no party with slug %q", slug)}
		}
		if err != nil {
			return nil, fmt.Errorf("read party %s: %w", slug, err)
		}
		out[slug] = p
	}
	return out, nil
}

// LatestClauses returns the latest version of each named clause.
func (db *DB) LatestClauses(ctx context.Context, slugs []string) (map[string]mou.LibraryClause, error) {
	out := make(map[string]mou.LibraryClause, len(slugs))
	for _, slug := range slugs {
		if _, ok := out[slug]; ok {
			continue
		}
		v, err := db.ClauseVersion(ctx, slug, 0)
		if err != nil {
			return nil, err
		}
		out[slug] = mou.LibraryClause{Clause: v.Clause(), Version: v.Version}
	}
	return out, nil
}

// ClauseVersions returns the clauses of the given versions in one read.
// Clause versions are immutable (a trigger refuses any change), so each is
// read once and then served from memory: reading a revision needs the
// version behind every section to mark deviations. Callers share the
// clause values and must not change them.
func (db *DB) ClauseVersions(ctx context.Context, refs []mou.ClauseRef) (map[mou.ClauseRef]*clause.Clause, error) {
	out, missing := db.clauses.lookup(refs)
	if len(missing) == 0 {
		return out, nil
	}
	err := db.view(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `SELECT `+clauseVersionCols+` FROM clauses c JOIN clause_versions v ON v.clause_id = c.id WHERE c.slug = ? AND v.version = ?`)
		if err != nil {
			return fmt.Errorf("prepare clause read: %w", err)
		}
		defer stmt.Close()
		for _, r := range missing {
			v, err := scanClauseVersion(stmt.QueryRowContext(ctx, r.Slug, r.Version))
			if errors.Is(err, sql.ErrNoRows) {
				return moudesk.ErrNotFound(fmt.Sprintf("version %d of clause %s", r.Version, r.Slug))
			}
			if err != nil {
				return fmt.Errorf("read clause %s v%d: %w", r.Slug, r.Version, err)
			}
			c := v.Clause()
			db.clauses.store(r, c)
			out[r] = c
		}
		return nil
	})
	return out, err
}

// CreateMOU stores a new MOU with its parties and revision 1 in one
// transaction, audited as mou.create.
func (db *DB) CreateMOU(ctx context.Context, actor moudesk.Actor, n desk.NewMOU) (*desk.MOU, error) {
	if n.Workflow == "" {
		n.Workflow = "default"
	}
	n.WorkflowVersion = max(n.WorkflowVersion, 1)
	n.Stage = cmp.Or(n.Stage, "draft")
	if err := mou.CheckSections(n.Content.Sections); err != nil {
		return nil, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = insertID(ctx, tx, "INSERT INTO mous (title, template, workflow, workflow_version, stage, current_revision, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
			n.Content.Title, n.Template, n.Workflow, n.WorkflowVersion, n.Stage, tx.Now())
		if err != nil {
			return storageError("insert mou", err)
		}
		roles := make([]string, 0, len(n.Parties))
		for role := range n.Parties {
			roles = append(roles, role)
		}
		sort.Strings(roles)
		for _, role := range roles {
			res, err := tx.ExecContext(ctx, "INSERT INTO mou_parties (mou_id, role, party_id) SELECT ?, ?, id FROM parties WHERE slug = ?", id, role, n.Parties[role])
			if err != nil {
				return storageError("insert mou party", err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_party", Field: "parties." + role,
					Message: fmt.Sprintf("no party with slug %q", n.Parties[role])}
			}
		}
		hash, err := tx.insertRevision(ctx, actor, id, 1, n.Content, n.Message)
		if err != nil {
			return err
		}
		return tx.audit(ctx, actor, "mou.create", fmt.Sprintf("mou:%d", id), map[string]any{
			"title": n.Content.Title, "template": n.Template, "workflow": n.Workflow, "workflow_version": n.WorkflowVersion, "parties": n.Parties,
			"revision": 1, "content_hash": hash})
	})
	if err != nil {
		return nil, err
	}
	return db.MOU(ctx, id)
}

// CreateRevision saves the next revision of an MOU on top of base. change
// gets the base revision (read in the write transaction, so nobody can save
// in between) and returns the new content. When base is not the current
// revision nothing is written and the error is 409 stale_revision with
// StaleRevision data. after applies the service's rules to the revision
// just written, in the same transaction (nil, in the store's own tests,
// applies none). Audited as revision.create.
func (db *DB) CreateRevision(ctx context.Context, actor moudesk.Actor, mouID int64, base int, message string, change func(base *mou.Revision) (*mou.Content, error), after func(tx desk.Tx, revision int) error) (*mou.RevisionInfo, error) {
	if len(message) > mou.MaxMessageBytes {
		return nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_message", Field: "message", Message: fmt.Sprintf("the message may be at most %d bytes", mou.MaxMessageBytes)}
	}
	// Revision numbers only go up, so a base below the newest revision
	// this process committed is stale for good. Racing saves are refused
	// by that check before they queue for the one writer, and again once
	// they hold it (the winner may have committed while they waited), so
	// losers neither hold up the winner nor cost a transaction.
	stale := func() error {
		if head := db.heads.get(mouID); base < head {
			return staleRevision(mouID, head, base)
		}
		return nil
	}
	if err := stale(); err != nil {
		return nil, err
	}
	var info *mou.RevisionInfo
	committed := func() { db.heads.set(mouID, info.Number) }
	err := db.writeWith(ctx, stale, func(tx *Tx) error {
		var current int
		err := tx.QueryRowContext(ctx, "SELECT current_revision FROM mous WHERE id = ?", mouID).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) {
			return moudesk.ErrNotFound(fmt.Sprintf("MOU %d", mouID))
		}
		if err != nil {
			return storageError("read mou", err)
		}
		if base != current {
			return staleRevision(mouID, current, base)
		}
		prev, err := readRevision(ctx, tx.Tx, tx.texts, mouID, base)
		if err != nil {
			return err
		}
		next, err := change(prev)
		if err != nil {
			return err
		}
		if err := mou.CheckSections(next.Sections); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE mous SET current_revision = ? WHERE id = ? AND current_revision = ?", current+1, mouID, current)
		if err != nil {
			return storageError("advance revision", err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return moudesk.Errorf(moudesk.KindConflict, "stale_revision", "MOU %d changed meanwhile", mouID)
		}
		hash, err := tx.insertRevision(ctx, actor, mouID, current+1, next, message)
		if err != nil {
			return err
		}
		if after != nil {
			if err := after(deskTx{tx}, current+1); err != nil {
				return err
			}
		}
		if err := tx.notifyHead(ctx, mouID, current+1); err != nil {
			return err
		}
		info = &mou.RevisionInfo{Number: current + 1, ContentHash: hash, Author: actor.Author(), Message: message, CreatedAt: tx.now.UTC()}
		return tx.audit(ctx, actor, "revision.create", fmt.Sprintf("mou:%d", mouID), map[string]any{
			"revision": current + 1, "base": base, "content_hash": hash, "message": message})
	}, committed)
	return info, err
}

// staleRevision is the 409 for a save whose base is not the current
// revision, carrying both numbers so the caller can fetch the redline.
func staleRevision(mouID int64, current, base int) error {
	return &moudesk.Error{Kind: moudesk.KindConflict, Code: "stale_revision",
		Message: fmt.Sprintf("MOU %d is at revision %d, not %d: review the changes, merge and save again", mouID, current, base),
		Data:    desk.StaleRevision{Base: base, Latest: current}}
}

// queryer is what both read and write transactions offer.
type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// Revision returns revision n of an MOU, or its current one when n is 0.
func (db *DB) Revision(ctx context.Context, mouID int64, n int) (*mou.Revision, error) {
	var r *mou.Revision
	err := db.view(ctx, func(tx *sql.Tx) error {
		if n == 0 {
			err := tx.QueryRowContext(ctx, "SELECT current_revision FROM mous WHERE id = ?", mouID).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) {
				return moudesk.ErrNotFound(fmt.Sprintf("MOU %d", mouID))
			}
			if err != nil {
				return fmt.Errorf("read mou: %w", err)
			}
		}
		var err error
		r, err = readRevision(ctx, tx, db.bodyTexts, mouID, n)
		return err
	})
	return r, err
}

const mouCols = `id, title, template, workflow, workflow_version, stage, current_revision, amends_mou_id, created_at,
	amendment_number, base_mou_id, base_revision, executed_revision, executed_at`

func scanMOU(r rowScanner) (*desk.MOU, error) {
	var m desk.MOU
	var amends, number, baseMOU, baseRev, executed sql.NullInt64
	var created string
	var executedAt sql.NullString
	if err := r.Scan(&m.ID, &m.Title, &m.Template, &m.Workflow, &m.WorkflowVersion, &m.Stage, &m.CurrentRevision, &amends, &created,
		&number, &baseMOU, &baseRev, &executed, &executedAt); err != nil {
		return nil, err
	}
	if amends.Valid {
		m.AmendsMOUID = &amends.Int64
	}
	m.AmendmentNumber = nullInt(number)
	if baseMOU.Valid {
		m.BaseMOUID = &baseMOU.Int64
	}
	m.BaseRevision = nullInt(baseRev)
	m.ExecutedRevision = nullInt(executed)
	if executedAt.Valid {
		t := parseTime(executedAt.String)
		m.ExecutedAt = &t
	}
	m.CreatedAt = parseTime(created)
	m.Parties = []desk.MOUParty{}
	return &m, nil
}

func nullInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

// MOU returns one MOU with its parties.
func (db *DB) MOU(ctx context.Context, id int64) (*desk.MOU, error) {
	var m *desk.MOU
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanMOU(tx.QueryRowContext(ctx, "SELECT "+mouCols+" FROM mous WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return moudesk.ErrNotFound(fmt.Sprintf("MOU %d", id))
		}
		if err != nil {
			return fmt.Errorf("read MOU %d: %w", id, err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT mp.role, p.slug, p.name, p.kind, p.body FROM mou_parties mp
			JOIN parties p ON p.id = mp.party_id WHERE mp.mou_id = ? ORDER BY mp.role`, id)
		if err != nil {
			return fmt.Errorf("read parties of MOU %d: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var p desk.MOUParty
			if err := rows.Scan(&p.Role, &p.Slug, &p.Name, &p.Kind, &p.Body); err != nil {
				return fmt.Errorf("scan party: %w", err)
			}
			m.Parties = append(m.Parties, p)
		}
		return rows.Err()
	})
	return m, err
}

// MOUs lists MOUs, newest first, optionally only those in stage: up to
// limit of them (desk.NoLimit for all) with ids below after (0 for the
// first page). The primary key, or mous_stage (stage, id) with a stage,
// serves each page without a sort.
func (db *DB) MOUs(ctx context.Context, stage string, after int64, limit int) ([]desk.MOU, error) {
	return db.PartyMOUs(ctx, "", stage, after, limit)
}

// PartyMOUs is MOUs limited to those party (a slug; "" for every MOU) is
// a party to.
func (db *DB) PartyMOUs(ctx context.Context, party, stage string, after int64, limit int) ([]desk.MOU, error) {
	q := "SELECT " + mouCols + " FROM mous WHERE id < ?"
	args := []any{keysetBelow(after)}
	if party != "" {
		q += " AND id IN (SELECT mp.mou_id FROM mou_parties mp JOIN parties p ON p.id = mp.party_id WHERE p.slug = ?)"
		args = append(args, party)
	}
	if stage != "" {
		q += " AND stage = ?"
		args = append(args, stage)
	}
	rows, err := db.read.QueryContext(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, sqlLimit(limit))...)
	if err != nil {
		return nil, fmt.Errorf("list MOUs: %w", err)
	}
	return collect(rows, "MOUs", scanMOU)
}

// mouTables are the tables MOU writes touch, plus the audit log.
var mouTables = []string{"mous", "mou_parties", "revisions", "revision_lists", "revision_list_rows", "revision_sections", "section_bodies", "audit_events"}

// MOURowCounts counts the rows of every table an MOU write touches, so
// tests and operators can check that a refused request wrote nothing and
// that a one-section edit stored one new body.
func (db *DB) MOURowCounts(ctx context.Context) (map[string]int, error) {
	return db.countRows(ctx, mouTables)
}
