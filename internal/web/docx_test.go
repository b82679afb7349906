package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/docx"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/testtool"
)

// postDOCX posts an import form: the file and the fields.
func (e *mouEnv) postDOCX(query string, file []byte, fields map[string]string) (int, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			e.t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", "mou.docx")
		if err != nil {
			e.t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	req, err := http.NewRequest("POST", e.url+"/api/v1/mous/import"+query, &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, out := testtool.Do(e.t, http.DefaultClient, req)
	return resp.StatusCode, out
}

func (e *mouEnv) getDOCX(path string) []byte {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, out := testtool.Do(e.t, http.DefaultClient, req)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != docxContentType {
		e.t.Fatalf("GET %s: %d %s %.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), out)
	}
	return out
}

// TestDOCXRoundTrip exports an MOU built from the shipped sro-mou template
// as Word, after an edit, and imports the file as a new MOU between the
// same parties: the new MOU's text has the same sections and the same
// content hash, and every section is linked to its library clause.
func TestDOCXRoundTrip(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	first := e.revision(id, 1)
	body := first.Sections[4].Body + "\nThe SRO will also attend **every** graduation.\n"
	// Revision 2 edits a section and names a signatory, so both the text
	// and the signature block must come back for the hash to match.
	block := first.Signatures
	if len(block) == 0 {
		t.Fatal("revision 1 has no signature block")
	}
	block[0].Name = "Zoë Nakamura"
	status, out := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": 1, "edits": []map[string]any{{"op": "update", "key": first.Sections[4].Key, "body": body}}, "signature_block": block})
	if status != http.StatusCreated {
		t.Fatalf("save revision 2: %d %s", status, out)
	}
	second := e.revision(id, 2)
	data := e.getDOCX(fmt.Sprintf("/api/v1/mous/%d/revisions/2?format=docx", id))
	parties, _ := json.Marshal(map[string]string{"city": "pleasanton", "district": "pusd"})
	vars, _ := json.Marshal(shipped.Variables(t))
	status, out = e.postDOCX("", data, map[string]string{"template": "sro-mou", "parties": string(parties), "variables": string(vars)})
	if status != http.StatusCreated {
		t.Fatalf("import: %d %s", status, out)
	}
	var got struct {
		MOU struct {
			ID int64 `json:"id"`
		} `json:"mou"`
		Revision    int    `json:"revision"`
		ContentHash string `json:"content_hash"`
		Sections    []struct {
			Key        string  `json:"key"`
			Clause     string  `json:"clause"`
			Similarity float64 `json:"similarity"`
			Linked     bool    `json:"linked"`
		} `json:"sections"`
		Report docx.Report `json:"report"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.MOU.ID == id || got.Revision != 2 {
		t.Fatalf("import made MOU %d revision %d: %s", got.MOU.ID, got.Revision, out)
	}
	if got.ContentHash != second.ContentHash {
		t.Errorf("content hash %s, want %s", got.ContentHash, second.ContentHash)
	}
	back := e.revision(got.MOU.ID, 2)
	if len(back.Signatures) == 0 || back.Signatures[0].Name != "Zoë Nakamura" {
		t.Errorf("signature block not imported: %+v", back.Signatures)
	}
	if len(back.Sections) != len(second.Sections) {
		t.Fatalf("%d sections, want %d", len(back.Sections), len(second.Sections))
	}
	for i, s := range second.Sections {
		b := back.Sections[i]
		if b.Key != s.Key || b.Heading != s.Heading || b.Body != s.Body || b.Clause != s.Clause {
			t.Errorf("section %d: %s %q clause %s, want %s %q clause %s", i, b.Key, b.Heading, b.Clause, s.Key, s.Heading, s.Clause)
		}
		if s.Clause != "" && (!got.Sections[i].Linked || got.Sections[i].Clause != s.Clause) {
			t.Errorf("section %s: closest clause %s (%.3f), linked %v; want %s", s.Key, got.Sections[i].Clause, got.Sections[i].Similarity, got.Sections[i].Linked, s.Clause)
		}
	}
	if got.Report.Source == nil || got.Report.Source.MOU != id || got.Report.Source.Revision != 2 {
		t.Errorf("report source %+v", got.Report.Source)
	}

	// The redline as Word: tracked changes by revision 2's author.
	rl := e.getDOCX(fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=2&format=docx", id))
	im, err := docx.Import(rl)
	if err != nil {
		t.Fatal(err)
	}
	if im.Report.TrackedChanges.Insertions == 0 {
		t.Errorf("redline has no insertions: %+v", im.Report.TrackedChanges)
	}
	if !strings.Contains(im.Sections[4].Body, "**every** graduation") {
		t.Errorf("accepted redline section: %q", im.Sections[4].Body)
	}

	// A dry run reads without storing.
	before := e.counts()
	status, out = e.postDOCX("?dry_run=true", data, nil)
	if status != http.StatusOK || !strings.Contains(string(out), `"similarity":1`) {
		t.Errorf("dry run: %d %.400s", status, out)
	}
	if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("dry run wrote rows: %v → %v", before, after)
	}
}

// TestDOCXImportRefusals: a file that is not a Word document, too large,
// a bomb, or empty is refused with a JSON error naming the file field, and
// no row is written.
func TestDOCXImportRefusals(t *testing.T) {
	e := newMOUEnv(t)
	parties, _ := json.Marshal(map[string]string{"city": "pleasanton", "district": "pusd"})
	fields := map[string]string{"template": "sro-mou", "parties": string(parties)}
	empty := zipWith(t, "word/document.xml", `<w:document xmlns:w="x"><w:body><w:p/></w:body></w:document>`)
	doctype := zipWith(t, "word/document.xml", `<!DOCTYPE d [<!ENTITY a "aaaa">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>`)
	cases := []struct {
		name   string
		file   []byte
		status int
		code   string
	}{
		{"NotAZip", []byte("hello"), http.StatusUnprocessableEntity, docx.CodeNotDocx},
		{"NoText", empty, http.StatusUnprocessableEntity, docx.CodeNoText},
		{"Doctype", doctype, http.StatusUnprocessableEntity, docx.CodeDoctype},
		{"TooLarge", make([]byte, docx.MaxFileBytes+10), http.StatusRequestEntityTooLarge, "too_large"},
		{"NoFile", nil, http.StatusBadRequest, "missing_file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.counts()
			status, out := e.postDOCX("", c.file, fields)
			if status != c.status || errorCode(t, out) != c.code {
				t.Errorf("%d %s, want %d %s", status, out, c.status, c.code)
			}
			if c.code != "missing_file" && c.code != "too_large" && !strings.Contains(string(out), `"field":"file"`) {
				t.Errorf("error names no field: %s", out)
			}
			if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("refusal wrote rows: %v → %v", before, after)
			}
		})
	}
}

func zipWith(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, body)
	zw.Close()
	return buf.Bytes()
}

// TestDOCXImportLinksClauses imports a Word document moudesk did not make
// (pandoc's, from an MOU's Markdown): its sections are keyed by their
// headings, matched to the library, and those close to a clause of the
// template take that section's key, so they are linked to the clause.
func TestDOCXImportLinksClauses(t *testing.T) {
	pandoc := testtool.Need(t, "pandoc", "pandoc")
	e := newMOUEnv(t)
	id := e.createSRO()
	status, md := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/1?format=md", id), nil)
	if status != http.StatusOK {
		t.Fatalf("markdown: %d", status)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "mou.md"), filepath.Join(dir, "mou.docx")
	if err := os.WriteFile(in, md, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(pandoc, "-f", "markdown", "-o", out, in).CombinedOutput(); err != nil {
		t.Fatalf("pandoc: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	parties, _ := json.Marshal(map[string]string{"city": "pleasanton", "district": "pusd"})
	vars, _ := json.Marshal(shipped.Variables(t))
	status, body := e.postDOCX("", data, map[string]string{"template": "sro-mou", "parties": string(parties), "variables": string(vars)})
	if status != http.StatusCreated {
		t.Fatalf("import: %d %s", status, body)
	}
	var got struct {
		MOU struct {
			ID int64 `json:"id"`
		} `json:"mou"`
		Revision int `json:"revision"`
		Sections []struct {
			Key        string  `json:"key"`
			Clause     string  `json:"clause"`
			Similarity float64 `json:"similarity"`
			Linked     bool    `json:"linked"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	first := e.revision(id, 1)
	clauseOf := map[string]string{}
	for _, s := range first.Sections {
		clauseOf[s.Key] = s.Clause
	}
	linked := 0
	for _, s := range got.Sections {
		if s.Linked {
			linked++
			if clauseOf[s.Key] != s.Clause {
				t.Errorf("section %s linked to %s, but the template places %s there", s.Key, s.Clause, clauseOf[s.Key])
			}
		}
	}
	// Pandoc's Markdown differs in spelling, not words: every section the
	// template assembled from a clause finds it again.
	if linked < len(first.Sections)-1 {
		t.Errorf("%d of %d sections linked: %+v", linked, len(first.Sections), got.Sections)
	}
	rev := e.revision(got.MOU.ID, got.Revision)
	for _, s := range rev.Sections {
		if c := clauseOf[s.Key]; c != "" && s.Clause != c {
			t.Errorf("stored section %s has clause %q, want %q", s.Key, s.Clause, c)
		}
	}
}
