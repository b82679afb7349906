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
	"encoding/hex"
	"fmt"
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
	ctx := context.Background()
	db := OpenEmpty(tb, opt)
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SyncLibrary(ctx, lib); err != nil {
		tb.Fatal(err)
	}
	return db
}

// OpenEmpty opens the store in a new database without the library.
func OpenEmpty(tb testing.TB, opt sqlite.Options) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	var (
		db  *sqlite.DB
		err error
	)
	if OnPostgres() {
		db, err = postgres.Open(ctx, PostgresDB(tb), postgres.Options{Options: opt, Conns: 8})
	} else {
		db, err = sqlite.Open(ctx, filepath.Join(tb.TempDir(), "moudesk.db"), opt)
	}
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
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		tb.Fatalf("%s is not set", PostgresEnv)
	}
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
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", name)); err != nil {
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
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}
