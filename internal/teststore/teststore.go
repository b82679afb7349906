// Package teststore opens the real store for tests of the packages above
// it (the service, the web layer), with the shipped clause library: a
// package of its own because internal/sqlite's own tests use shipped.
//
// It is the one switch between the two engines: an SQLite file in the
// test's temporary folder always, a fresh PostgreSQL database of its own
// when MOUDESK_TEST_POSTGRES holds a connection string (a role that may
// create databases). CI runs the suite both ways.
package teststore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/postgres"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// PostgresEnv names the variable that runs the tests on PostgreSQL.
const PostgresEnv = "MOUDESK_TEST_POSTGRES"

// OnPostgres reports whether tests run on PostgreSQL.
func OnPostgres() bool { return os.Getenv(PostgresEnv) != "" }

// Open opens the store in a new database with the shipped clause library
// loaded, closed (and on PostgreSQL dropped) when tb ends.
func Open(tb testing.TB) *sqlite.DB {
	return OpenWith(tb, sqlite.Options{})
}

// OpenWith is Open with options (a clock).
func OpenWith(tb testing.TB, opt sqlite.Options) *sqlite.DB {
	tb.Helper()
	if OnPostgres() {
		// The library comes with the template the database is copied from.
		return openPostgres(tb, postgresDB(tb, true), opt)
	}
	db := OpenEmpty(tb, opt)
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SyncLibrary(context.Background(), lib); err != nil {
		tb.Fatal(err)
	}
	return db
}

// OpenEmpty opens the store in a new database without the library.
func OpenEmpty(tb testing.TB, opt sqlite.Options) *sqlite.DB {
	tb.Helper()
	if OnPostgres() {
		return openPostgres(tb, postgresDB(tb, false), opt)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "moudesk.db"), opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(tb testing.TB, dsn string, opt sqlite.Options) *sqlite.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{Options: opt, Conns: 8})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// PostgresDB creates an empty database for tb on the server
// MOUDESK_TEST_POSTGRES names and returns its connection string; the
// database is dropped when tb ends, after the cleanups registered later
// (which close the stores on it).
func PostgresDB(tb testing.TB) string {
	tb.Helper()
	return createDB(tb, "template0")
}

// postgresDB is a new database for tb copied from a template holding the
// migrated schema and, with library, the shipped clause library: a copy
// costs a fraction of migrating and loading each time.
func postgresDB(tb testing.TB, library bool) string {
	tb.Helper()
	return createDB(tb, template(tb, library))
}

func admin(tb testing.TB) string {
	tb.Helper()
	a := os.Getenv(PostgresEnv)
	if a == "" {
		tb.Fatalf("%s is not set", PostgresEnv)
	}
	return a
}

// template returns the name of the template database for this schema
// and library, made when missing. Its name carries a hash of both, so a
// changed migration or clause makes a new one; a test cluster keeps them
// (on CI it is thrown away; on a dev machine drop moudesk_tmpl_* at will).
func template(tb testing.TB, library bool) string {
	tb.Helper()
	admin := admin(tb)
	h := sha256.New()
	h.Write([]byte(postgres.SchemaID()))
	kind := "schema"
	if library {
		kind = "library"
		err := fs.WalkDir(clauses.FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(clauses.FS, path)
			fmt.Fprintf(h, "%s %d\n", path, len(b))
			h.Write(b)
			return err
		})
		if err != nil {
			tb.Fatalf("hash the clause library: %v", err)
		}
	}
	name := fmt.Sprintf("moudesk_tmpl_%s_%x", kind, h.Sum(nil)[:6])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("connect to %s: %v", postgres.Redact(admin), err)
	}
	defer conn.Close(ctx)
	// One process makes it; the others wait for it here. The lock goes
	// with the connection.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7170)"); err != nil {
		tb.Fatalf("lock templates: %v", err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		tb.Fatalf("find template: %v", err)
	}
	if exists {
		return name
	}
	building := name + "_new"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building); err != nil {
		tb.Fatalf("drop half-made template: %v", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", building)); err != nil {
		tb.Fatalf("create template: %v", err)
	}
	db, err := postgres.Open(ctx, withDatabase(tb, admin, building), postgres.Options{Conns: 1})
	if err != nil {
		tb.Fatalf("migrate template: %v", err)
	}
	if library {
		lib, err := clause.LoadFS(clauses.FS)
		if err == nil {
			_, err = db.SyncLibrary(ctx, lib)
		}
		if err != nil {
			db.Close()
			tb.Fatalf("load the library into the template: %v", err)
		}
	}
	db.Close()
	// Renamed only when complete; the backend of the closed connection
	// may take a moment to leave.
	for range 50 {
		if _, err = conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err == nil {
			return name
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("finish template: %v", err)
	return ""
}

// withDatabase is the connection string admin with its database replaced.
func withDatabase(tb testing.TB, admin, name string) string {
	tb.Helper()
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// createDB creates a database copied from template for tb and returns its
// connection string; it is dropped when tb ends, after the cleanups
// registered later (which close the stores on it).
func createDB(tb testing.TB, template string) string {
	tb.Helper()
	admin := admin(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("connect to %s: %v", postgres.Redact(admin), err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "moudesk_test_" + hex.EncodeToString(b[:])
	// C collation sorts text by bytes, as SQLite does.
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", name, template)); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		// The stores on it are closed by now; a connection the pool was
		// still closing may linger a moment. FORCE needs more than the
		// role that made the database may have, so it comes last.
		for range 50 {
			if _, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(tb, admin, name)
}
