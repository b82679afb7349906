package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestVerifyByTextHidesUnexecutedRevisions: the public verify answers a
// file whose footer names a revision that is prepared for signing but not
// executed exactly as it answers a revision that does not exist. Otherwise
// anyone who learns an MOU's id and hash prefix could read its title and
// its stored text a few words per upload ("expected" of a text mismatch),
// and test hash prefixes against the oracle of unknown_revision versus
// text_differs: drafts are not public until executed.
func TestVerifyByTextHidesUnexecutedRevisions(t *testing.T) {
	e := newSignEnv(t)
	id := e.approved()
	e.assignAll(id)
	if status, _, _ := e.get(e.drafter, fmt.Sprintf("/api/v1/mous/%d/signing.pdf", id)); status != http.StatusOK {
		t.Fatalf("prepare signing: %d", status)
	}
	rev, err := e.db.Revision(context.Background(), id, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := e.mou(id)
	forged := gofpdfDoc(t, "Anything at all.", fmt.Sprintf("moudesk · %d rev 1 · %s · verify at https://x/verify", id, rev.ContentHash[:12]))
	status, body := e.upload(forged)
	if status != http.StatusOK {
		t.Fatalf("verify: %d %s", status, body)
	}
	ans := e.verifyText(forged)
	mm := ans.TextMismatch
	if ans.Match != nil || mm == nil || mm.Reason != "unknown_revision" || mm.Expected != "" {
		t.Fatalf("a revision under signature, by its footer: match %+v mismatch %+v", ans.Match, mm)
	}
	for _, secret := range []string{m.Title, rev.ContentHash, "MEMORANDUM"} {
		if strings.Contains(strings.ToUpper(string(body)), strings.ToUpper(secret)) {
			t.Errorf("the public verify answer shows %q of an MOU that is not executed:\n%s", secret, body)
		}
	}
}
