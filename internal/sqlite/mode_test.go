package sqlite

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// withUmask sets the process umask for the test and restores it after.
// The umask is per process: tests using it must not run in parallel.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %#o, want %#o", filepath.Base(path), got, want)
	}
}

// TestFileModes: under the common umask 022 a new database, its WAL and
// shared-memory files after a write, and a backup are readable by their
// owner only; an existing database and side files are made so at open.
func TestFileModes(t *testing.T) {
	withUmask(t, 0o022)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "moudesk.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Opening applied the migrations: the WAL holds writes, and the
	// shared-memory file exists while connections are open.
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("New", func(t *testing.T) {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			wantMode(t, p, 0o600)
		}
	})
	t.Run("Backup", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "backup.db")
		if err := db.Backup(ctx, out); err != nil {
			t.Fatal(err)
		}
		wantMode(t, out, 0o600)
		if err := db.Backup(ctx, out); err == nil {
			t.Fatal("a backup over an existing file succeeded")
		}
		wantMode(t, out, 0o600)
	})
	t.Run("ExistingChmodded", func(t *testing.T) {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		again, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			wantMode(t, p, 0o600)
		}
	})
}
