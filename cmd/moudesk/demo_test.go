package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// demoServer runs `moudesk serve --demo` on db until the test ends or
// stop is called, and returns its address and what it printed.
func demoServer(t *testing.T, db string) (addr string, out *syncBuffer, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		getenv := func(k string) string { return map[string]string{"MOUDESK_DB": db}[k] }
		done <- run(ctx, []string{"serve", "--demo", "--addr", addr}, getenv, strings.NewReader(""), out, &logs)
	}()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	for i := 0; i < 1200; i++ {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("serve --demo returned before serving: %v\n%s\n%s", err, out.String(), logs.String())
		default:
		}
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			return addr, out, stop
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve --demo never answered\n%s", logs.String())
	return "", nil, nil
}

// demoUser is a signed-in demo account.
type demoUser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func signInDemo(t *testing.T, addr, email, password string) *demoUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &demoUser{t: t, base: "http://" + addr, client: &http.Client{Jar: jar}}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	u.do("POST", "/api/v1/session", map[string]string{"email": email, "password": password}, http.StatusOK, &out)
	u.csrf = out.CSRF
	return u
}

func (u *demoUser) do(method, path string, body any, want int, out any) {
	u.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, u.base+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", u.csrf)
	res, err := u.client.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	if res.StatusCode != want {
		u.t.Fatalf("%s %s = %d, want %d: %s", method, path, res.StatusCode, want, b.String())
	}
	if out != nil {
		if err := json.Unmarshal(b.Bytes(), out); err != nil {
			u.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

type demoMOU struct {
	ID              int64  `json:"id"`
	Title           string `json:"title"`
	Workflow        string `json:"workflow"`
	Stage           string `json:"stage"`
	CurrentRevision int    `json:"current_revision"`
	Parties         []struct {
		Slug string `json:"slug"`
	} `json:"parties"`
}

type demoMeeting struct {
	Body     string `json:"body"`
	Revision int    `json:"revision"`
	Outcome  *struct {
		Outcome    string `json:"outcome"`
		Resolution string `json:"resolution"`
		Votes      []struct {
			Vote string `json:"vote"`
		} `json:"votes"`
	} `json:"outcome"`
	Feedback []struct {
		Section          string `json:"section"`
		Status           string `json:"status"`
		ResolvedRevision *int   `json:"resolved_revision"`
	} `json:"feedback"`
}

// accountLine matches one row of the printed sign-in table.
var accountLine = regexp.MustCompile(`(?m)^\s+(admin|drafter|reviewer|clerk|signatory)\s+(\S+@\S+)\s+(\S+)\s`)

// TestServeDemo starts the real server with --demo on a new database and
// checks through the API, as the printed users, that every promised object
// exists; a second start loads nothing twice, and a database with other
// data is refused.
func TestServeDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	addr, out, stop := demoServer(t, db)

	rows := accountLine.FindAllStringSubmatch(out.String(), -1)
	roles := map[string]int{}
	pw := map[string]string{}
	byRole := map[string]string{}
	for _, r := range rows {
		roles[r[1]]++
		pw[r[2]] = r[3]
		if byRole[r[1]] == "" {
			byRole[r[1]] = r[2]
		}
	}
	for _, role := range []string{"admin", "drafter", "reviewer", "clerk", "signatory"} {
		if roles[role] == 0 {
			t.Fatalf("no %s account printed:\n%s", role, out.String())
		}
	}
	// Every printed password signs its user in.
	for email, p := range pw {
		signInDemo(t, addr, email, p)
	}
	reviewer := signInDemo(t, addr, byRole["reviewer"], pw[byRole["reviewer"]])

	var list struct {
		MOUs []demoMOU `json:"mous"`
	}
	reviewer.do("GET", "/api/v1/mous", nil, http.StatusOK, &list)
	// The Pleasanton-style story's three, and one MOU for each other seed
	// process; the district's reviewer is on all six.
	if len(list.MOUs) != 6 {
		t.Fatalf("%d MOUs: %+v", len(list.MOUs), list.MOUs)
	}
	var sro, executed, amendment demoMOU
	processes := map[string]string{}
	for _, m := range list.MOUs {
		switch {
		case m.Workflow != "default":
			processes[m.Workflow] = m.Stage
		case strings.Contains(m.Title, "Amendment No. 1"):
			amendment = m
		case strings.Contains(m.Title, "2026–2029"):
			sro = m
		default:
			executed = m
		}
	}
	if want := map[string]string{"advisory-board": "draft", "working-group": "approval", "roundtable-commission": "approval"}; !maps.Equal(processes, want) {
		t.Errorf("seed process MOUs by workflow and stage: %v, want %v", processes, want)
	}
	var one struct {
		MOU demoMOU `json:"mou"`
	}
	reviewer.do("GET", fmt.Sprintf("/api/v1/mous/%d", sro.ID), nil, http.StatusOK, &one)
	if p := one.MOU.Parties; len(p) != 2 || p[0].Slug == p[1].Slug {
		t.Errorf("parties of the SRO MOU: %+v", p)
	}

	// The SRO MOU under review: several revisions, two past meetings with
	// feedback, some of it resolved by a later revision.
	if sro.CurrentRevision < 3 || sro.Stage != "joint_review" {
		t.Errorf("SRO MOU %+v", sro)
	}
	var meetings struct {
		Meetings []demoMeeting `json:"meetings"`
	}
	reviewer.do("GET", fmt.Sprintf("/api/v1/mous/%d/meetings", sro.ID), nil, http.StatusOK, &meetings)
	if len(meetings.Meetings) != 2 {
		t.Fatalf("%d meetings of the SRO MOU", len(meetings.Meetings))
	}
	resolved, open := 0, 0
	for _, m := range meetings.Meetings {
		if m.Outcome == nil || len(m.Feedback) == 0 {
			t.Errorf("meeting without outcome or feedback: %+v", m)
		}
		for _, f := range m.Feedback {
			switch f.Status {
			case "resolved":
				if f.ResolvedRevision == nil || *f.ResolvedRevision <= m.Revision {
					t.Errorf("feedback resolved by %v at a meeting on revision %d", f.ResolvedRevision, m.Revision)
				}
				resolved++
			case "open":
				open++
			}
		}
	}
	if resolved == 0 || open == 0 {
		t.Errorf("feedback: %d resolved, %d open", resolved, open)
	}
	var rl struct {
		Sections []struct{ Status string } `json:"sections"`
	}
	reviewer.do("GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=%d", sro.ID, sro.CurrentRevision), nil, http.StatusOK, &rl)
	changed := 0
	for _, s := range rl.Sections {
		if s.Status != "unchanged" {
			changed++
		}
	}
	if changed < 3 {
		t.Errorf("the SRO MOU's revisions change %d sections", changed)
	}

	// The executed agreement: both governing bodies approved it by roll
	// call, its four signatories signed it, and Amendment No. 1 is under
	// review.
	if executed.Stage != "executed" {
		t.Errorf("executed MOU %+v", executed)
	}
	reviewer.do("GET", fmt.Sprintf("/api/v1/mous/%d/meetings", executed.ID), nil, http.StatusOK, &meetings)
	resolutions := 0
	for _, m := range meetings.Meetings {
		if m.Outcome != nil && m.Outcome.Outcome == "approve" && m.Outcome.Resolution != "" && len(m.Outcome.Votes) == 5 {
			resolutions++
		}
	}
	if len(meetings.Meetings) != 4 || resolutions != 2 {
		t.Errorf("executed MOU: %d meetings, %d approvals with resolutions", len(meetings.Meetings), resolutions)
	}
	var withAmendments struct {
		Amendments []struct {
			ID    int64  `json:"id"`
			Stage string `json:"stage"`
		} `json:"amendments"`
	}
	reviewer.do("GET", fmt.Sprintf("/api/v1/mous/%d", executed.ID), nil, http.StatusOK, &withAmendments)
	if a := withAmendments.Amendments; len(a) != 1 || a[0].ID != amendment.ID || a[0].Stage != "liaison_review" {
		t.Errorf("amendments of the executed MOU: %+v (amendment %+v)", a, amendment)
	}
	reviewer.do("GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=%d", amendment.ID, amendment.CurrentRevision), nil, http.StatusOK, &rl)
	changed = 0
	for _, s := range rl.Sections {
		if s.Status != "unchanged" {
			changed++
		}
	}
	if amendment.CurrentRevision != 2 || changed != 1 {
		t.Errorf("amendment at revision %d changes %d sections of the executed text", amendment.CurrentRevision, changed)
	}
	// Anyone can read the executed agreement and download its signed PDF.
	for _, path := range []string{fmt.Sprintf("/api/v1/public/mous/%d", executed.ID), fmt.Sprintf("/api/v1/mous/%d/signed.pdf", executed.ID)} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("public GET %s = %d", path, res.StatusCode)
		}
	}
	// Everything the demo did is in a verifiable audit chain.
	clerk := signInDemo(t, addr, byRole["clerk"], pw[byRole["clerk"]])
	var verify struct {
		OK bool `json:"ok"`
	}
	clerk.do("GET", "/api/v1/audit/verify", nil, http.StatusOK, &verify)
	if !verify.OK {
		t.Error("audit chain does not verify")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// A second start with --demo on the same database adds nothing.
	addr, out, stop = demoServer(t, db)
	if !strings.Contains(out.String(), "already loaded") || accountLine.MatchString(out.String()) {
		t.Errorf("second start printed:\n%s", out.String())
	}
	reviewer = signInDemo(t, addr, byRole["reviewer"], pw[byRole["reviewer"]])
	reviewer.do("GET", "/api/v1/mous", nil, http.StatusOK, &list)
	if len(list.MOUs) != 6 {
		t.Errorf("after a second start: %d MOUs", len(list.MOUs))
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := queryInt(t, db, "SELECT count(*) FROM users", &n); err != nil || n != len(pw) {
		t.Errorf("%d users after two starts (%v), want %d", n, err, len(pw))
	}

	// A database holding someone's data is refused.
	other := filepath.Join(t.TempDir(), "real.db")
	if _, _, err := runCmd(t, other, "", "party", "add", "--slug", "pleasanton", "--name", "City of Pleasanton", "--kind", "city", "--body", "City Council"); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, other, "", "serve", "--demo", "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "not the demo's") {
		t.Fatalf("serve --demo on a database with data: %v", err)
	}
	if err := queryInt(t, other, "SELECT count(*) FROM mous", &n); err != nil || n != 0 {
		t.Errorf("refused demo wrote %d MOUs (%v)", n, err)
	}
}

// queryInt reads one number straight from the database file.
func queryInt(t *testing.T, db, query string, out *int) error {
	t.Helper()
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		return err
	}
	defer raw.Close()
	return raw.QueryRow(query).Scan(out)
}
