package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
)

// A revision saved again as its CRLF, NFD copy (what a Windows editor or a
// macOS file name's text gives) is the same text: the same content hash,
// the same stored bodies, and a redline with nothing changed.
func TestSaveCRLFNFDCopyIsUnchanged(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	path := fmt.Sprintf("/api/v1/mous/%d/revisions", id)
	status, body := e.do("POST", path, map[string]any{"base": 1, "edits": []map[string]any{{"op": "update", "key": "de-escalation",
		"heading": "De-escalation — Zoë’s café", "body": "Officers de-escalate first.\n\n- a naïve résumé\n- José Peña\n"}}})
	if status != http.StatusCreated {
		t.Fatalf("edit: %d %s", status, body)
	}
	two := e.revision(id, 2)
	copySections := make([]mou.SectionInput, len(two.Sections))
	for i, s := range two.Sections {
		copySections[i] = mou.SectionInput{Key: s.Key, Heading: norm.NFD.String(s.Heading),
			Body: strings.ReplaceAll(norm.NFD.String(s.Body), "\n", "\r\n")}
	}
	if copySections[8].Body == two.Sections[8].Body || copySections[8].Heading == two.Sections[8].Heading {
		t.Fatal("the copy is not a different encoding of revision 2")
	}
	status, body = e.do("POST", path, map[string]any{"base": 2, "sections": copySections})
	if status != http.StatusCreated {
		t.Fatalf("save the CRLF/NFD copy: %d %s", status, body)
	}
	var saved mou.RevisionInfo
	if err := json.Unmarshal(body, &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Number != 3 || saved.ContentHash != two.ContentHash {
		t.Errorf("the copy saved as revision %d with hash %s; revision 2's is %s", saved.Number, saved.ContentHash, two.ContentHash)
	}
	three := e.revision(id, 3)
	for i, s := range three.Sections {
		if s.Body != two.Sections[i].Body || s.Heading != two.Sections[i].Heading {
			t.Errorf("section %s stored as %q / %q, revision 2 holds %q / %q", s.Key, s.Heading, s.Body, two.Sections[i].Heading, two.Sections[i].Body)
		}
	}
	status, body = e.do("GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=2&to=3", id), nil)
	var r redline.Result
	if status != http.StatusOK || json.Unmarshal(body, &r) != nil {
		t.Fatalf("redline: %d %.300s", status, body)
	}
	// Every section, the preamble, the signature block and the
	// obligations are unchanged.
	if r.HasChanges() || r.Summary.Unchanged != len(two.Sections)+3 {
		t.Errorf("redline of revision 2 against its CRLF/NFD copy: %+v", r.Summary)
	}
}
