package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	"github.com/mattn/go-sqlite3"
)

// Backup writes a consistent copy of the live database to path with
// SQLite's online backup API. It reads through a reader connection, which
// in WAL mode does not block writers; the copy is one snapshot. The file
// is new and private (fileMode, whatever the umask), like the database it
// copies; a failed backup removes it.
func (db *DB) Backup(ctx context.Context, path string) (err error) {
	if db.server != nil {
		return errOnServer("moudesk backup")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s already exists; choose a new file", path)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	if err := errors.Join(f.Chmod(fileMode), f.Close()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	dst, err := sql.Open("sqlite3", "file:"+url.PathEscape(path))
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer dst.Close()
	dstConn, err := dst.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer dstConn.Close()
	srcConn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: source connection: %w", err)
	}
	defer srcConn.Close()
	return dstConn.Raw(func(d any) error {
		dc, ok := d.(*sqlite3.SQLiteConn)
		if !ok {
			return errors.New("backup: destination is not a sqlite3 connection")
		}
		return srcConn.Raw(func(s any) error {
			sc, ok := s.(*sqlite3.SQLiteConn)
			if !ok {
				return errors.New("backup: source is not a sqlite3 connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return fmt.Errorf("backup: start: %w", err)
			}
			// -1 copies every page in one step, under one read snapshot.
			if _, err := b.Step(-1); err != nil {
				b.Finish()
				return fmt.Errorf("backup: copy: %w", err)
			}
			if err := b.Finish(); err != nil {
				return fmt.Errorf("backup: finish: %w", err)
			}
			return nil
		})
	})
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict
// ("ok" when the file is sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if db.server != nil {
		return "", errOnServer("integrity_check")
	}
	var res string
	if err := db.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return "", fmt.Errorf("integrity check: %w", err)
	}
	return res, nil
}
