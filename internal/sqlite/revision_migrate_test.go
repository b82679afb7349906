package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/migrations"
)

// openBefore opens path as a plain handle and applies the migrations
// before the one named suffix, as migrate does: a database as the moudesk
// before that migration left it. It uses no DB, whose writer runs only
// the newest schema.
func openBefore(t *testing.T, path, suffix string) *sql.DB {
	t.Helper()
	ms, err := migrations.Load(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.HasSuffix(m.Name, suffix) {
			return db
		}
		inTx(t, db, func(tx *sql.Tx) error {
			if _, err := tx.Exec(m.SQL); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			_, err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 'test')", m.Version, m.Name)
			return err
		})
	}
	t.Fatalf("no migration named *%s", suffix)
	return nil
}

func inTx(t *testing.T, db *sql.DB, fn func(*sql.Tx) error) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateRevisionDeltas: revisions written by the moudesk before
// migration 008 (one revision_sections row per section, bodies in a
// WITHOUT ROWID table) read back identically after it, the
// revision_sections view shows exactly the rows the table held, and saves
// continue the converted chains.
func TestMigrateRevisionDeltas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	old := openBefore(t, path, "_revision_deltas.sql")
	rng := rand.New(rand.NewPCG(3, 4))
	want := map[[2]int64]mou.Content{}
	const mous, revisions = 3, 2*snapshotEvery + 6
	for id := int64(1); id <= mous; id++ {
		c := *clauseContent(t, 8+int(id))
		for n := 1; n <= revisions; n++ {
			if n > 1 {
				c.Sections = append([]mou.Section(nil), c.Sections...)
				switch p := rng.IntN(len(c.Sections)); rng.IntN(4) {
				case 0:
					c.Sections = append(c.Sections[:p], c.Sections[p+1:]...)
				case 1:
					c.Sections = append(c.Sections, mou.Section{Key: fmt.Sprintf("added-%d", n), Heading: "Added", Body: fmt.Sprintf("Added %d.\n", n)})
				default:
					c.Sections[p].Body = fmt.Sprintf("Changed in %d.\n", n)
				}
			}
			oldInsertRevision(t, old, id, n, &c)
			want[[2]int64{id, int64(n)}] = c
		}
	}
	var oldRows []string
	rows, err := old.QueryContext(ctx, "SELECT mou_id, revision, position, key, heading, body_hash, clause_slug, clause_version FROM revision_sections ORDER BY 1, 2, 3")
	if err != nil {
		t.Fatal(err)
	}
	oldRows = scanStrings(t, rows)
	old.Close()

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for k, c := range want {
		rev, err := db.Revision(ctx, k[0], int(k[1]))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rev.Content, c) || rev.ContentHash != mou.ContentHash(&c) {
			t.Fatalf("MOU %d revision %d reads back differently after the migration", k[0], k[1])
		}
	}
	rows, err = db.read.QueryContext(ctx, "SELECT mou_id, revision, position, key, heading, body_hash, clause_slug, clause_version FROM revision_sections ORDER BY 1, 2, 3")
	if err != nil {
		t.Fatal(err)
	}
	if got := scanStrings(t, rows); !reflect.DeepEqual(got, oldRows) {
		t.Errorf("revision_sections after the migration: %d rows, want the %d the table held", len(got), len(oldRows))
	}
	var stored, deltas int
	db.read.QueryRowContext(ctx, "SELECT count(*), count(*) FILTER (WHERE snapshot != revision) FROM revision_lists").Scan(&stored, &deltas)
	if stored != mous*revisions || deltas != mous*(revisions-3) {
		t.Errorf("converted %d revisions, %d of them deltas; want %d and %d", stored, deltas, mous*revisions, mous*(revisions-3))
	}
	for _, check := range []string{"PRAGMA foreign_key_check", "PRAGMA integrity_check"} {
		rows, err := db.read.QueryContext(ctx, check)
		if err != nil {
			t.Fatal(err)
		}
		if got := scanStrings(t, rows); len(got) > 0 && got[0] != "ok" {
			t.Errorf("%s: %v", check, got)
		}
	}
	if _, err := db.CreateRevision(ctx, moudesk.System, 1, revisions, "after", func(base *mou.Revision) (*mou.Content, error) {
		next := base.Content
		next.Sections = append([]mou.Section(nil), base.Sections...)
		next.Sections[0].Body = "After the migration.\n"
		return &next, nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	rev, err := db.Revision(ctx, 1, revisions+1)
	if err != nil || rev.Sections[0].Body != "After the migration.\n" || len(rev.Sections) != len(want[[2]int64{1, revisions}].Sections) {
		t.Fatalf("a save after the migration: %v", err)
	}
}

// oldInsertRevision writes a revision as the moudesk before migration 008
// did, straight into its tables; MOU id is created with revision 1.
func oldInsertRevision(t *testing.T, db *sql.DB, id int64, n int, c *mou.Content) {
	t.Helper()
	now := formatTime(time.Now())
	inTx(t, db, func(tx *sql.Tx) error {
		if n == 1 {
			if _, err := tx.Exec("INSERT INTO mous (id, title, template, current_revision, created_at) VALUES (?, ?, 'sro-mou', 1, ?)", id, c.Title, now); err != nil {
				return err
			}
		} else if _, err := tx.Exec("UPDATE mous SET current_revision = ? WHERE id = ?", n, id); err != nil {
			return err
		}
		put := func(body string) string {
			h := mou.Hash(body)
			tx.Exec("INSERT OR IGNORE INTO section_bodies (hash, body) VALUES (?, ?)", h, body)
			return h
		}
		if _, err := tx.Exec(`INSERT INTO revisions (mou_id, revision, title, preamble_hash, variables, content_hash, author, created_at)
			VALUES (?, ?, ?, ?, '{"city_name":"City of Example","district_name":"Example Unified School District","term_years":"3"}', ?, 'system', ?)`,
			id, n, c.Title, put(c.Preamble), mou.ContentHash(c), now); err != nil {
			return err
		}
		for i, s := range c.Sections {
			var slug, version any
			if s.Clause != "" {
				slug, version = s.Clause, s.ClauseVersion
			}
			if _, err := tx.Exec(`INSERT INTO revision_sections (mou_id, revision, position, key, heading, body_hash, clause_slug, clause_version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, n, i+1, s.Key, s.Heading, put(s.Body), slug, version); err != nil {
				return err
			}
		}
		return nil
	})
}

// scanStrings reads every row as one line of its columns.
func scanStrings(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		line := make([]string, len(vals))
		for i, v := range vals {
			line[i] = "NULL"
			if v.Valid {
				line[i] = v.String
			}
		}
		out = append(out, strings.Join(line, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
