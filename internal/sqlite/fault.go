package sqlite

import (
	"context"
	"fmt"
)

// Storage faults SimulateFaultForTest can put on the writer.
const (
	FaultFull     = "full"     // any write needing a new page fails with SQLITE_FULL
	FaultReadOnly = "readonly" // any write fails with SQLITE_READONLY
)

// SimulateFaultForTest makes the one writer connection fail the way real
// storage does, so tests can prove the service answers 503 and recovers
// without root or a filesystem to fill: FaultFull caps the file at its
// current size with PRAGMA max_page_count (SQLite's own SQLITE_FULL path,
// as on a full disk), FaultReadOnly sets PRAGMA query_only (SQLITE_READONLY,
// as on a file system remounted read-only). Readers are untouched. The
// returned function clears the fault.
//
// On a database server both faults make every write transaction read-only,
// so the server refuses its first write (SQLSTATE 25006, as a read-only
// standby answers).
func (db *DB) SimulateFaultForTest(ctx context.Context, fault string) (clear func(context.Context) error, err error) {
	if db.server != nil {
		if fault != FaultFull && fault != FaultReadOnly {
			return nil, fmt.Errorf("unknown storage fault %q", fault)
		}
		db.faulty.Store(true)
		return func(context.Context) error { db.faulty.Store(false); return nil }, nil
	}
	var set, reset string
	switch fault {
	case FaultFull:
		var max int64
		if err := db.write.QueryRowContext(ctx, "PRAGMA max_page_count").Scan(&max); err != nil {
			return nil, fmt.Errorf("read max_page_count: %w", err)
		}
		// SQLite raises a limit below the current size to the current size.
		set, reset = "PRAGMA max_page_count = 1", fmt.Sprintf("PRAGMA max_page_count = %d", max)
	case FaultReadOnly:
		set, reset = "PRAGMA query_only = ON", "PRAGMA query_only = OFF"
	default:
		return nil, fmt.Errorf("unknown storage fault %q", fault)
	}
	// The writer pool holds one connection, so the pragma holds for every
	// write until it is reset.
	if _, err := db.write.ExecContext(ctx, set); err != nil {
		return nil, fmt.Errorf("simulate %s: %w", fault, err)
	}
	return func(ctx context.Context) error {
		if _, err := db.write.ExecContext(ctx, reset); err != nil {
			return fmt.Errorf("clear %s: %w", fault, err)
		}
		return nil
	}, nil
}
