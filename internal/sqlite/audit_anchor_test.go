package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
)

// TestAuditAnchor: with an anchor, every commit wakes it, so the
// checkpoint follows the log's head; VerifyAudit holds the log to it, so
// deleting the newest events with SQL is found, where the chain alone
// still verifies.
func TestAuditAnchor(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key, err := audit.LoadCheckpointKey(filepath.Join(dir, "keys", "k"), true)
	if err != nil {
		t.Fatal(err)
	}
	anchor, err := audit.OpenAnchor(filepath.Join(dir, "keys", "cp"), key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, filepath.Join(dir, "moudesk.db"), Options{Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		anchor.Run(runCtx, db, time.Hour, func(err error) { t.Errorf("anchor: %v", err) })
	}()
	for i := range 6 {
		if err := db.Audit(ctx, moudesk.System, "test.event", fmt.Sprintf("test:%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	head, err := db.AuditHead(ctx)
	if err != nil || head.Seq != 6 {
		t.Fatalf("head = %+v, %v; want event 6", head, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		cp, ok, err := anchor.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		if ok && cp.Head == head {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v never reached the head %+v", cp, head)
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	<-done
	if n, err := db.VerifyAudit(ctx); err != nil || n != 6 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}

	if _, err := db.write.ExecContext(ctx, "DELETE FROM audit_events WHERE seq > 4"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.VerifyAuditTo(ctx, audit.Head{}); err != nil || n != 4 {
		t.Fatalf("the chain alone = %d, %v; it should still verify (what the anchor is for)", n, err)
	}
	n, err := db.VerifyAudit(ctx)
	var be *audit.BrokenError
	if !errors.As(err, &be) || be.Seq != 5 || n != 4 || !strings.Contains(be.Reason, "events 5 to 6 were deleted") {
		t.Fatalf("VerifyAudit after deleting the tail = %d, %v; want broken at 5, 4 good", n, err)
	}
	if h, at, err := db.AuditHeadAt(ctx, 6); err != nil || h.Seq != 4 || at != "" {
		t.Fatalf("AuditHeadAt(6) = %+v %q %v; want head 4 and no event 6", h, at, err)
	}
}
