package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// WorkflowVersion reads one stored version of a workflow definition with
// its source; not found when there is none.
func (db *DB) WorkflowVersion(ctx context.Context, name string, version int) (*desk.WorkflowVersion, error) {
	v := desk.WorkflowVersion{Name: name, Version: version}
	var created string
	err := db.read.QueryRowContext(ctx, `SELECT w.source, w.shipped, coalesce(u.email, 'system'), w.created_at
		FROM workflow_definitions w LEFT JOIN users u ON u.id = w.created_by WHERE w.name = ? AND w.version = ?`, name, version).
		Scan(&v.Source, &v.Shipped, &v.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("version %d of workflow %q", version, name))
	}
	if err != nil {
		return nil, fmt.Errorf("read version %d of workflow %s: %w", version, name, err)
	}
	v.CreatedAt = parseTime(created)
	return &v, nil
}

// WorkflowVersions lists the stored versions of name, or of every
// definition when name is "", by name and version, each with how many
// MOUs follow it; without their sources.
func (db *DB) WorkflowVersions(ctx context.Context, name string) ([]desk.WorkflowVersion, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT w.name, w.version, w.shipped, coalesce(u.email, 'system'), w.created_at,
		(SELECT count(*) FROM mous m WHERE m.workflow = w.name AND m.workflow_version = w.version)
		FROM workflow_definitions w LEFT JOIN users u ON u.id = w.created_by
		WHERE ? = '' OR w.name = ? ORDER BY w.name, w.version`, name, name)
	if err != nil {
		return nil, fmt.Errorf("list workflow versions: %w", err)
	}
	defer rows.Close()
	out := []desk.WorkflowVersion{}
	for rows.Next() {
		var v desk.WorkflowVersion
		var created string
		if err := rows.Scan(&v.Name, &v.Version, &v.Shipped, &v.CreatedBy, &created, &v.MOUs); err != nil {
			return nil, fmt.Errorf("scan workflow version: %w", err)
		}
		v.CreatedAt = parseTime(created)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workflow versions: %w", err)
	}
	return out, nil
}

// LatestWorkflowVersion is the newest stored version of name; not found
// when none is stored.
func (db *DB) LatestWorkflowVersion(ctx context.Context, name string) (int, error) {
	var v sql.NullInt64
	if err := db.read.QueryRowContext(ctx, "SELECT max(version) FROM workflow_definitions WHERE name = ?", name).Scan(&v); err != nil {
		return 0, fmt.Errorf("read latest version of workflow %s: %w", name, err)
	}
	if !v.Valid {
		return 0, moudesk.ErrNotFound(fmt.Sprintf("workflow %q", name))
	}
	return int(v.Int64), nil
}

// SaveWorkflowVersion stores n.Source as the next version of n.Name unless
// it equals the latest, or n is shipped and the latest version is an
// administrator's (desk.WorkflowStore). Audited as
// workflow.version.create.
func (db *DB) SaveWorkflowVersion(ctx context.Context, actor moudesk.Actor, n desk.NewWorkflowVersion) (int, bool, error) {
	var version int
	var created bool
	err := db.update(ctx, func(tx *Tx) error {
		version, created = 0, false
		var latest int
		var source string
		var shipped bool
		err := tx.QueryRowContext(ctx, `SELECT version, source, shipped FROM workflow_definitions
			WHERE name = ? ORDER BY version DESC LIMIT 1`, n.Name).Scan(&latest, &source, &shipped)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return storageError("read latest workflow version", err)
		case source == n.Source || (n.Shipped && !shipped):
			version = latest
			return nil
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		version = latest + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO workflow_definitions (name, version, source, shipped, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, n.Name, version, n.Source, n.Shipped, by, tx.Now()); err != nil {
			return storageError("insert workflow version", err)
		}
		created = true
		return tx.audit(ctx, actor, "workflow.version.create", "workflow:"+n.Name, map[string]any{
			"version": version, "shipped": n.Shipped, "source_sha256": fmt.Sprintf("%x", sha256.Sum256([]byte(n.Source)))})
	})
	return version, created, err
}
