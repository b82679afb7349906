package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestBackupFileMode: under the common umask 022 the database moudesk
// creates and the file `moudesk backup` writes are readable by their owner
// only: they hold password, session and token hashes.
func TestBackupFileMode(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "moudesk.db")
	if _, _, err := runCmd(t, db, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "copy.db")
	if _, _, err := runCmd(t, db, "", "backup", "-o", backup); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{db, backup} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s has mode %#o, want 0600", filepath.Base(p), got)
		}
	}
}
