package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk/internal/auth"
)

// multipartBody is a multipart form whose field name carries size bytes,
// sent as a file part (which net/http's form parsing would spill to disk).
func multipartBody(t *testing.T, fields map[string]string, name string, size int) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile(name, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(bytes.Repeat([]byte("%"), size)); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// TestMultipartFormPostsAreBounded: a multipart body to a form route is
// bounded like an urlencoded one (413 before anything parses it), whether
// the route needs a login or not, and writes nothing; only the upload
// routes take larger multipart bodies, up to their own bound.
func TestMultipartFormPostsAreBounded(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	edit := "/mous/" + itoa64(id) + "/sections/term/edit"
	csrf := p.token(edit)
	before := e.counts()

	for i, path := range []string{"/signin", edit, "/signin", edit} {
		body, ctype := multipartBody(t, map[string]string{"csrf_token": csrf, "base": "1", "heading": "Term",
			"message": "big", "action": "save", "email": "ada@city.gov", "password": "x"}, "body", 3<<20)
		if i >= 2 { // media types are case-insensitive, to net/http as well
			ctype = strings.Replace(ctype, "multipart/form-data", "Multipart/Form-Data", 1)
		}
		req, err := http.NewRequest(http.MethodPost, e.url+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", e.url)
		res, err := p.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("3 MiB multipart POST %s (%s) = %d, want 413", path, ctype, res.StatusCode)
		}
	}
	if after := e.counts(); after["revisions"] != before["revisions"] {
		t.Fatalf("a refused multipart form wrote a revision: %v → %v", before, after)
	}

	// The verify upload still takes a file over the form bound: it is
	// refused for not being a PDF, not for its size.
	body, ctype := multipartBody(t, nil, "file", 3<<20)
	res, err := http.Post(e.url+"/api/v1/verify", ctype, body)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusRequestEntityTooLarge || res.StatusCode >= 500 {
		t.Fatalf("3 MiB verify upload = %d: %s", res.StatusCode, out)
	}
}

// TestAdminFormsRefuseBadText: the admin page's party, user and token
// forms refuse NUL, invalid UTF-8 and oversized names as the rest of the
// API does, writing nothing: these names print in signing certificates,
// signature appearances and certificates of completion.
func TestAdminFormsRefuseBadText(t *testing.T) {
	db, base, token := startTestServer(t, desk.Party{Slug: "dublin", Name: "City of Dublin", Kind: "city", Body: "City Council"})
	token("root@city.gov", "", auth.RoleAdmin)
	p := newPageClient(t, base)
	p.signIn("root@city.gov")
	count := func(table string) int {
		var n int
		if err := db.QueryRowForTest(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tables := []string{"parties", "users", "api_tokens", "audit_events"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = count(tb)
	}
	for _, bad := range []string{"City\x00 of Nul", "City of \xff\xfe", strings.Repeat("Long ", 200)} {
		for _, f := range []struct {
			path string
			form url.Values
		}{
			{"/admin/parties", url.Values{"slug": {"nul"}, "name": {bad}, "kind": {"city"}, "body": {"City Council"}}},
			{"/admin/parties", url.Values{"slug": {"nul"}, "name": {"City of Nul"}, "kind": {"city"}, "body": {bad}}},
			{"/admin/users", url.Values{"email": {"signer@dublin.gov"}, "name": {bad}, "party": {"dublin"},
				"roles": {"signatory"}, "password": {"a long enough password"}}},
			{"/admin/users", url.Values{"email": {"signer@dublin.gov"}, "name": {"Sam Signer"}, "title": {bad}, "party": {"dublin"},
				"roles": {"signatory"}, "password": {"a long enough password"}}},
			{"/admin/tokens", url.Values{"email": {"root@city.gov"}, "label": {bad}}},
		} {
			if r := p.post(f.path, f.form, "/admin"); r.status < 400 || r.status >= 500 {
				t.Errorf("POST %s with %.20q = %d, want a 4xx refusal", f.path, bad, r.status)
			}
		}
	}
	for _, tb := range tables {
		if n := count(tb); n != before[tb] {
			t.Errorf("%s: %d rows before the refusals, %d after", tb, before[tb], n)
		}
	}
}

// TestAPIHTMLCarriesThePagePolicy: the API's HTML renderings of a revision
// and a redline, which a browser may open directly, carry the pages'
// Content-Security-Policy and nosniff, so document text stays inert there
// too.
func TestAPIHTMLCarriesThePagePolicy(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	for _, path := range []string{
		"/api/v1/mous/" + itoa64(id) + "/revisions/1?format=html",
		"/api/v1/mous/" + itoa64(id) + "/redline?from=1&to=1&format=html",
	} {
		req, err := http.NewRequest(http.MethodGet, e.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s = %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got := res.Header.Get("Content-Security-Policy"); got != pageCSP {
			t.Errorf("GET %s: Content-Security-Policy %q, want the pages policy", path, got)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", path, got)
		}
	}
}
