package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/moudesk/moudesk/internal/postgres"
)

// migrateStore copies an SQLite deployment into an empty PostgreSQL
// database and verifies the copy (postgres.CopyFromSQLite). serve must be
// stopped on the SQLite file; afterwards start it with --db postgres://….
func (e *env) migrateStore(ctx context.Context, args []string) error {
	fs := e.flags("migrate-store")
	from := fs.String("from", "", "the SQLite database file to copy (default --db)")
	to := fs.String("to", "", "the empty PostgreSQL database to copy into (postgres://…)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		*from = e.db
	}
	if !postgres.IsURL(*to) {
		return exitError{code: 2, msg: "usage: moudesk migrate-store --from data/moudesk.db --to postgres://user:password@host/db"}
	}
	if postgres.IsURL(*from) {
		return exitError{code: 2, msg: "--from is the SQLite file to copy, not a PostgreSQL URL"}
	}
	rep, err := postgres.CopyFromSQLite(ctx, *from, *to)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(rep.Rows))
	total := 0
	for t, n := range rep.Rows {
		tables = append(tables, t)
		total += n
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(e.stdout, "%-28s %8d rows\n", t, rep.Rows[t])
	}
	fmt.Fprintf(e.stdout, "copied %d rows of %d tables from %s to %s\n", total, len(tables), *from, postgres.Redact(*to))
	fmt.Fprintf(e.stdout, "verified: row counts, %d section bodies, %d revisions' content hashes, %d stored PDFs, audit chain to event %d (%s)\n",
		rep.Bodies, rep.Revisions, rep.Documents, rep.Audit.Seq, rep.Audit.Hash)
	return nil
}
