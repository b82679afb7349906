package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// clauseHash fingerprints everything a version holds, so the library sync
// can tell a changed shipped file from an unchanged one.
func clauseHash(c *clause.Clause) (string, []byte, error) {
	vars, err := json.Marshal(c.Variables)
	if err != nil {
		return "", nil, fmt.Errorf("encode variables: %w", err)
	}
	h := sha256.New()
	for _, part := range []string{c.Title, c.Category, c.Summary, string(vars), c.Body} {
		fmt.Fprintf(h, "%d:%s\n", len(part), part)
	}
	// Declared obligations (migration 018) join the fingerprint only when
	// there are some, so a clause without any hashes as it always did and
	// the library sync adds no version for it.
	if len(c.Obligations) > 0 {
		obs, err := json.Marshal(c.Obligations)
		if err != nil {
			return "", nil, fmt.Errorf("encode obligations: %w", err)
		}
		fmt.Fprintf(h, "obligations %d:%s\n", len(obs), obs)
	}
	return hex.EncodeToString(h.Sum(nil)), vars, nil
}

const clauseVersionCols = `c.slug, v.version, v.title, v.category, v.summary, v.variables, v.body, v.author, v.note, v.shipped, v.created_at, v.obligations`

type rowScanner interface{ Scan(...any) error }

func scanClauseVersion(r rowScanner) (*desk.ClauseVersion, error) {
	var v desk.ClauseVersion
	var vars, created, obs string
	if err := r.Scan(&v.Slug, &v.Version, &v.Title, &v.Category, &v.Summary, &vars, &v.Body, &v.Author, &v.Note, &v.Shipped, &created, &obs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(obs), &v.Obligations); err != nil {
		return nil, fmt.Errorf("decode obligations of %s v%d: %w", v.Slug, v.Version, err)
	}
	if err := json.Unmarshal([]byte(vars), &v.Variables); err != nil {
		return nil, fmt.Errorf("decode variables of %s v%d: %w", v.Slug, v.Version, err)
	}
	if v.Variables == nil {
		v.Variables = []clause.Variable{}
	}
	v.CreatedAt = parseTime(created)
	return &v, nil
}

// ClauseVersion returns version n of the clause, or its latest when n is 0.
func (db *DB) ClauseVersion(ctx context.Context, slug string, n int) (*desk.ClauseVersion, error) {
	q := `SELECT ` + clauseVersionCols + ` FROM clauses c JOIN clause_versions v ON v.clause_id = c.id WHERE c.slug = ? AND v.version = `
	args := []any{slug}
	if n == 0 {
		q += "c.latest_version"
	} else {
		q += "?"
		args = append(args, n)
	}
	v, err := scanClauseVersion(db.read.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		if n == 0 {
			return nil, moudesk.ErrNotFound("clause " + slug)
		}
		return nil, moudesk.ErrNotFound(fmt.Sprintf("version %d of clause %s", n, slug))
	}
	if err != nil {
		return nil, fmt.Errorf("read clause %s: %w", slug, err)
	}
	return v, nil
}

// ClauseHistory lists every version of a clause, oldest first.
func (db *DB) ClauseHistory(ctx context.Context, slug string) ([]desk.VersionInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT v.version, v.author, v.note, v.shipped, v.created_at
		FROM clauses c JOIN clause_versions v ON v.clause_id = c.id WHERE c.slug = ? ORDER BY v.version`, slug)
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", slug, err)
	}
	defer rows.Close()
	var out []desk.VersionInfo
	for rows.Next() {
		var vi desk.VersionInfo
		var created string
		if err := rows.Scan(&vi.Version, &vi.Author, &vi.Note, &vi.Shipped, &created); err != nil {
			return nil, fmt.Errorf("scan version: %w", err)
		}
		vi.CreatedAt = parseTime(created)
		out = append(out, vi)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", slug, err)
	}
	if len(out) == 0 {
		return nil, moudesk.ErrNotFound("clause " + slug)
	}
	return out, nil
}

// CreateClause adds a new clause as version 1.
func (db *DB) CreateClause(ctx context.Context, actor moudesk.Actor, c *clause.Clause, note string) (*desk.ClauseVersion, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *desk.ClauseVersion
	err := db.update(ctx, func(tx *Tx) error {
		id, err := insertID(ctx, tx, "INSERT INTO clauses (slug, latest_version, created_at) VALUES (?, 1, ?)", c.Slug, tx.Now())
		if isUnique(err) {
			return moudesk.Errorf(moudesk.KindConflict, "already_exists", "a clause with slug %q already exists", c.Slug)
		}
		if err != nil {
			return storageError("insert clause", err)
		}
		out, err = tx.insertClauseVersion(ctx, id, 1, c, actor, note, false)
		if err != nil {
			return err
		}
		return tx.audit(ctx, actor, "clause.create", "clause:"+c.Slug, map[string]any{"version": 1, "note": note})
	})
	return out, err
}

// UpdateClause saves c as a new version on top of base. When base is not
// the latest version someone else saved first: the caller gets 409
// stale_revision and nothing is written.
func (db *DB) UpdateClause(ctx context.Context, actor moudesk.Actor, slug string, base int, c *clause.Clause, note string) (*desk.ClauseVersion, error) {
	c.Slug = slug
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *desk.ClauseVersion
	err := db.update(ctx, func(tx *Tx) error {
		var id int64
		var latest int
		err := tx.QueryRowContext(ctx, "SELECT id, latest_version FROM clauses WHERE slug = ?", slug).Scan(&id, &latest)
		if errors.Is(err, sql.ErrNoRows) {
			return moudesk.ErrNotFound("clause " + slug)
		}
		if err != nil {
			return storageError("read clause", err)
		}
		if base != latest {
			return &moudesk.Error{Kind: moudesk.KindConflict, Code: "stale_revision",
				Message: fmt.Sprintf("clause %s is at version %d, not %d: reload, merge and save again", slug, latest, base),
				Data:    map[string]any{"latest_version": latest}}
		}
		// The WHERE on latest_version makes the compare-and-set explicit even
		// though the single writer already serialises us.
		res, err := tx.ExecContext(ctx, "UPDATE clauses SET latest_version = ? WHERE id = ? AND latest_version = ?", latest+1, id, latest)
		if err != nil {
			return storageError("advance clause version", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return moudesk.Errorf(moudesk.KindConflict, "stale_revision", "clause %s changed meanwhile", slug)
		}
		out, err = tx.insertClauseVersion(ctx, id, latest+1, c, actor, note, false)
		if err != nil {
			return err
		}
		return tx.audit(ctx, actor, "clause.version.create", "clause:"+slug, map[string]any{"version": latest + 1, "base_version": base, "note": note})
	})
	return out, err
}

func (tx *Tx) insertClauseVersion(ctx context.Context, clauseID int64, version int, c *clause.Clause, actor moudesk.Actor, note string, shipped bool) (*desk.ClauseVersion, error) {
	hash, vars, err := clauseHash(c)
	if err != nil {
		return nil, err
	}
	var authorID any
	if actor.UserID != 0 {
		authorID = actor.UserID
	}
	obs := []byte("[]")
	if len(c.Obligations) > 0 {
		if obs, err = json.Marshal(c.Obligations); err != nil {
			return nil, fmt.Errorf("encode obligations: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO clause_versions
		(clause_id, version, title, category, summary, variables, body, body_hash, author, author_id, note, shipped, created_at, obligations)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		clauseID, version, c.Title, c.Category, c.Summary, string(vars), c.Body, hash, actor.Author(), authorID, note, shipped, tx.Now(), string(obs))
	if err != nil {
		return nil, storageError("insert clause version", err)
	}
	// FTS4 has no upsert: replace the row that indexes the latest version.
	if _, err := tx.ExecContext(ctx, "DELETE FROM clause_search WHERE rowid = ?", clauseID); err != nil {
		return nil, storageError("unindex clause", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO clause_search (rowid, slug, title, summary, body, category) VALUES (?, ?, ?, ?, ?, ?)",
		clauseID, c.Slug, c.Title, c.Summary, c.Body, c.Category); err != nil {
		return nil, storageError("index clause", err)
	}
	vs := c.Variables
	if vs == nil {
		vs = []clause.Variable{}
	}
	return &desk.ClauseVersion{Slug: c.Slug, Version: version, Title: c.Title, Category: c.Category, Summary: c.Summary,
		Variables: vs, Obligations: c.Obligations, Body: c.Body, Author: actor.Author(), Note: note, Shipped: shipped, CreatedAt: tx.now.UTC()}, nil
}

// SyncLibrary brings the shipped clauses into the database at start. A new
// clause is added; a changed shipped clause becomes a new version by system
// only while the latest version is still the shipped one, so a clause
// edited locally is never overwritten (it is reported in Kept instead).
func (db *DB) SyncLibrary(ctx context.Context, shipped []*clause.Clause) (desk.SyncReport, error) {
	var rep desk.SyncReport
	err := db.update(ctx, func(tx *Tx) error {
		rep = desk.SyncReport{}
		for _, c := range shipped {
			if err := tx.syncClause(ctx, c, &rep); err != nil {
				return fmt.Errorf("sync clause %s: %w", c.Slug, err)
			}
		}
		return nil
	})
	return rep, err
}

func (tx *Tx) syncClause(ctx context.Context, c *clause.Clause, rep *desk.SyncReport) error {
	hash, _, err := clauseHash(c)
	if err != nil {
		return err
	}
	var id int64
	var latest int
	var latestShipped bool
	var latestHash string
	err = tx.QueryRowContext(ctx, `SELECT c.id, c.latest_version, v.shipped, v.body_hash FROM clauses c
		JOIN clause_versions v ON v.clause_id = c.id AND v.version = c.latest_version WHERE c.slug = ?`, c.Slug).
		Scan(&id, &latest, &latestShipped, &latestHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if id, err = insertID(ctx, tx, "INSERT INTO clauses (slug, latest_version, created_at) VALUES (?, 1, ?)", c.Slug, tx.Now()); err != nil {
			return storageError("insert clause", err)
		}
		if _, err := tx.insertClauseVersion(ctx, id, 1, c, moudesk.System, "shipped library", true); err != nil {
			return err
		}
		rep.Added = append(rep.Added, c.Slug)
		return tx.audit(ctx, moudesk.System, "clause.create", "clause:"+c.Slug, map[string]any{"version": 1, "note": "shipped library"})
	case err != nil:
		return storageError("read clause", err)
	}
	if latestHash == hash {
		rep.Unchanged++
		return nil
	}
	if !latestShipped {
		// Edited here. Only report when the shipped text itself moved on
		// since the last shipped version, not on every start.
		var lastShippedHash string
		err := tx.QueryRowContext(ctx, "SELECT body_hash FROM clause_versions WHERE clause_id = ? AND shipped = 1 ORDER BY version DESC LIMIT 1", id).Scan(&lastShippedHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return storageError("read last shipped version", err)
		}
		if lastShippedHash != hash {
			rep.Kept = append(rep.Kept, c.Slug)
		} else {
			rep.Unchanged++
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE clauses SET latest_version = ? WHERE id = ?", latest+1, id); err != nil {
		return storageError("advance clause version", err)
	}
	if _, err := tx.insertClauseVersion(ctx, id, latest+1, c, moudesk.System, "shipped library update", true); err != nil {
		return err
	}
	rep.Updated = append(rep.Updated, c.Slug)
	return tx.audit(ctx, moudesk.System, "clause.version.create", "clause:"+c.Slug, map[string]any{"version": latest + 1, "note": "shipped library update"})
}
