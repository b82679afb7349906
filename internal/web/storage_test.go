package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/teststore"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// TestStorageFaultsAnswer503 makes the database unwritable the two ways
// storage fails, full and read-only, and checks that every kind of write
// (a revision save, a feedback item, a clerk's recorded vote) is refused
// with 503 storage_unavailable and leaves no row, that reads still work,
// that the same writes succeed once the fault clears, and that the file
// passes integrity_check and the audit chain verifies afterwards.
func TestStorageFaultsAnswer503(t *testing.T) {
	for _, fault := range []string{sqlite.FaultFull, sqlite.FaultReadOnly} {
		t.Run(fault, func(t *testing.T) {
			ctx := context.Background()
			db, url, token := startTestServer(t,
				desk.Party{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
				desk.Party{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
			)
			e := &mouEnv{t: t, db: db, url: url, token: token("drafter@city.gov", "pleasanton", auth.RoleDrafter)}
			clerk := token("clerk@city.gov", "pleasanton", auth.RoleClerk)
			id := e.createSRO()
			key := e.revision(id, 1).Sections[0].Key
			call := func(tok, method, path string, body any, want int) []byte {
				t.Helper()
				status, out := e.doAs(tok, method, path, body)
				if status != want {
					t.Fatalf("%s %s = %d, want %d: %s", method, path, status, want, out)
				}
				return out
			}
			call(e.token, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": "liaison_review"}, http.StatusOK)
			var meeting struct {
				Meeting struct{ ID int64 } `json:"meeting"`
			}
			raw := call(clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{
				"body": "liaison_committee", "date": "2025-05-01", "agenda_item": "4.1", "revision": 1}, http.StatusCreated)
			if err := json.Unmarshal(raw, &meeting); err != nil {
				t.Fatal(err)
			}
			rows := func() map[string]int {
				t.Helper()
				return teststore.Rows(t, db.WorkflowRowCounts, db.MOURowCounts)
			}
			current := func() int {
				t.Helper()
				m, err := db.MOU(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return m.CurrentRevision
			}
			saves := 0
			save := func() (int, []byte) {
				saves++
				return e.doAs(e.token, "POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
					"base": current(), "message": "edit", "edits": []map[string]any{{"op": "update", "key": key,
						"body": fmt.Sprintf("Edit %d, made while the disk is %s.\n", saves, fault)}}})
			}
			// attempt sends one write under the fault: it is refused with
			// 503 storage_unavailable and no row changed, or it fits in free
			// space already inside the file's pages and succeeds. Anything
			// else fails the test.
			attempt := func(what string, send func() (int, []byte)) (refused bool) {
				t.Helper()
				before := rows()
				status, body := send()
				switch {
				case status == http.StatusServiceUnavailable && errorCode(t, body) == "storage_unavailable":
					if after := rows(); !maps.Equal(before, after) {
						t.Fatalf("%s refused with 503 changed rows: %v → %v", what, before, after)
					}
					return true
				case status >= 200 && status < 300 && fault == sqlite.FaultFull:
					return false
				default:
					t.Fatalf("%s under %s = %d %s, want 503 storage_unavailable", what, fault, status, body)
					return false
				}
			}
			// until keeps writing until the fault refuses one: a full file
			// takes small rows into free space until its pages are full.
			until := func(what string, send func() (int, []byte)) {
				t.Helper()
				for range 300 {
					if attempt(what, send) {
						return
					}
				}
				t.Fatalf("%s never refused under %s", what, fault)
			}
			feedback := func() (int, []byte) {
				return e.doAs(clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/feedback", meeting.Meeting.ID),
					map[string]string{"section": key, "text": "Say who investigates complaints."})
			}
			vote := map[string]any{"outcome": "revise", "votes": []any{}, "minutes": "Sent back.", "resolution": ""}
			outcome := func() (int, []byte) {
				return e.doAs(clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", meeting.Meeting.ID), vote)
			}

			clear, err := db.SimulateFaultForTest(ctx, fault)
			if err != nil {
				t.Fatal(err)
			}
			until("feedback", feedback)
			until("revision save", save)
			// The clerk's vote: refused cleanly, or (on a full file with
			// room left in its pages) recorded whole.
			voteRefused := attempt("outcome", outcome)
			call(e.token, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/%d", id, current()), nil, http.StatusOK)

			if err := clear(ctx); err != nil {
				t.Fatal(err)
			}
			if voteRefused {
				call(clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", meeting.Meeting.ID), vote, http.StatusCreated)
			}
			n := current()
			if status, body := save(); status != http.StatusCreated {
				t.Fatalf("save after the fault cleared = %d %s", status, body)
			}
			if got := current(); got != n+1 {
				t.Fatalf("after the fault cleared the MOU is at revision %d, want %d", got, n+1)
			}
			if status, body := feedback(); status != http.StatusCreated {
				t.Fatalf("feedback after the fault cleared = %d %s", status, body)
			}
			// integrity_check is a property of an SQLite file; a server
			// keeps its own pages consistent.
			if !db.OnServer() {
				if res, err := sqlite.IntegrityCheck(ctx, db.Path()); err != nil || res != "ok" {
					t.Fatalf("integrity_check = %q, %v", res, err)
				}
			}
			if _, err := db.VerifyAudit(ctx); err != nil {
				t.Fatalf("audit chain: %v", err)
			}
		})
	}
}
