package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/web"
	"github.com/moudesk/moudesk/internal/webhook"
)

const hookBase = "https://moudesk.example.org"

// hookEnv is a real server whose webhook policy is policy (with the
// server's own address as Self), its service, and the Pleasanton parties
// with a third city, Livermore, on an MOU with the school district but
// not with Pleasanton.
type hookEnv struct {
	*wfEnv
	svc    *desk.Service
	policy webhook.Policy
	self   string
	token  func(email, party string, role auth.Role) string
	// admins and staff by party
	pleasantonAdmin, pusdAdmin, livermoreDrafter, livermoreClerk string
}

func newHookEnv(t *testing.T, allowPrivate bool) *hookEnv {
	t.Helper()
	ctx := context.Background()
	db := teststore.Open(t)
	for _, p := range []desk.Party{
		{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
		{Slug: "livermore", Name: "City of Livermore", Kind: "city", Body: "City Council"},
	} {
		if _, err := db.CreateParty(ctx, moudesk.System, p); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewUnstartedServer(nil)
	self := ts.Listener.Addr().String()
	policy := webhook.Policy{AllowPrivate: allowPrivate, Self: []string{self}}
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Templates: shipped.Templates(t), Webhooks: policy})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = web.ValidateAPI(t, web.New(web.Config{Service: svc, Hasher: teststore.Hasher, PublicURL: hookBase, Logger: slog.New(slog.DiscardHandler)}).Handler())
	ts.Start()
	t.Cleanup(ts.Close)
	token := func(email, party string, role auth.Role) string {
		t.Helper()
		teststore.User(t, db, desk.NewUser{Email: email, Name: email, PartySlug: party, Roles: []auth.Role{role}}, "correct horse battery staple")
		return teststore.Token(t, db, email, "test")
	}
	e := &hookEnv{
		wfEnv: &wfEnv{t: t, db: db, url: ts.URL,
			drafter:       token("drafter@cityofpleasantonca.gov", "pleasanton", auth.RoleDrafter),
			reviewer:      token("trustee@pleasantonusd.net", "pusd", auth.RoleReviewer),
			cityClerk:     token("clerk@cityofpleasantonca.gov", "pleasanton", auth.RoleClerk),
			districtClerk: token("clerk@pleasantonusd.net", "pusd", auth.RoleClerk)},
		svc: svc, policy: policy, self: self, token: token,
	}
	e.pleasantonAdmin = token("it@cityofpleasantonca.gov", "pleasanton", auth.RoleAdmin)
	e.pusdAdmin = token("it@pleasantonusd.net", "pusd", auth.RoleAdmin)
	e.livermoreDrafter = token("drafter@livermoreca.gov", "livermore", auth.RoleDrafter)
	e.livermoreClerk = token("clerk@livermoreca.gov", "livermore", auth.RoleClerk)
	return e
}

// rows counts the webhook tables and the audit log.
func (e *hookEnv) rows() map[string]int {
	return teststore.Rows(e.t, e.db.WebhookRowCounts)
}

// deliver runs one pass of the delivery worker at now, as serve does.
func (e *hookEnv) deliver(now time.Time) (attempts, failed int) {
	e.t.Helper()
	n, f, err := e.svc.DeliverWebhooks(context.Background(), webhook.NewSender(e.policy), hookBase, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return n, f
}

// register registers url for events as the admin and returns its id and
// secret.
func (e *hookEnv) register(admin, url string, events ...string) (int64, string) {
	e.t.Helper()
	var out struct {
		Webhook desk.Webhook `json:"webhook"`
		Secret  string       `json:"secret"`
	}
	e.call(admin, "POST", "/api/v1/webhooks", map[string]any{"url": url, "events": events}, http.StatusCreated, &out)
	if !strings.HasPrefix(out.Secret, "whsec_") || out.Webhook.Party == "" {
		e.t.Fatalf("registered %+v with secret %q", out.Webhook, out.Secret)
	}
	return out.Webhook.ID, out.Secret
}

// receiver is a real HTTP endpoint on 127.0.0.1 that checks each
// delivery's signature as a receiving system would, answering the
// statuses in answers in turn (200 once they run out) and 401 to a
// delivery whose signature does not verify.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	answers  []int
	hits     int
	accepted []desk.WebhookPayload
	bad      []string
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	r := &receiver{answers: answers}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.hits++
		if err := webhook.Verify(r.secret, req.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			r.bad = append(r.bad, err.Error())
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if len(r.answers) > 0 {
			status := r.answers[0]
			r.answers = r.answers[1:]
			if status != http.StatusOK {
				http.Error(w, fmt.Sprintf("agenda system busy (%d)", status), status)
				return
			}
		}
		var p desk.WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil || req.Header.Get("Moudesk-Event") != p.Event {
			r.bad = append(r.bad, fmt.Sprintf("body %s, event header %q: %v", body, req.Header.Get("Moudesk-Event"), err))
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.accepted = append(r.accepted, p)
		fmt.Fprintln(w, `{"ok":true}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() (hits int, accepted []desk.WebhookPayload, bad []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits, slices.Clone(r.accepted), slices.Clone(r.bad)
}

// TestWebhookDeliveries is issue 18's webhook contract with real
// receivers on 127.0.0.1: signed deliveries a receiver verifies, a
// receiver answering 500 twice then 200 (three attempts listed, delivered
// once), nothing about an MOU of another party, no sign-in, and the packet
// URL in the payload an agenda system can pull.
func TestWebhookDeliveries(t *testing.T) {
	e := newHookEnv(t, true)
	agenda, flaky := newReceiver(t), newReceiver(t, 500, 500, 200)
	agendaID, secret := e.register(e.pleasantonAdmin, agenda.URL+"/moudesk", desk.WebhookEventNames()...)
	agenda.secret = secret
	flakyID, flakySecret := e.register(e.pleasantonAdmin, flaky.URL, "meeting.scheduled")
	flaky.secret = flakySecret

	// Pleasanton's MOU: created, sent to the liaison committee, a meeting.
	id := e.createMOU("default")
	e.move(id, "liaison_review")
	m := e.meet(id, "liaison_committee", "2025-06-10")
	// Livermore's MOU with the school district: Pleasanton is not on it.
	var other struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.livermoreDrafter, "POST", "/api/v1/mous", map[string]any{"title": "Livermore SRO MOU", "template": "sro-mou", "workflow": "default",
		"parties": map[string]string{"city": "livermore", "district": "pusd"}, "variables": wfVariables(t)}, http.StatusCreated, &other)
	e.call(e.livermoreDrafter, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", other.MOU.ID), map[string]string{"to": "liaison_review"}, http.StatusOK, nil)
	e.call(e.livermoreClerk, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", other.MOU.ID), map[string]any{
		"body": "liaison_committee", "date": "2025-06-11", "revision": 1}, http.StatusCreated, nil)
	// A sign-in is in the audit log; it is no event.
	res, err := http.Post(e.url+"/api/v1/session", "application/json", strings.NewReader(`{"email":"it@cityofpleasantonca.gov","password":"correct horse battery staple"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-in = %d", res.StatusCode)
	}

	t0 := time.Now()
	e.deliver(t0)
	_, got, bad := agenda.got()
	if len(bad) > 0 {
		t.Fatalf("the receiver refused deliveries: %q", bad)
	}
	var events []string
	for _, p := range got {
		events = append(events, p.Event)
		if p.MOU.ID != id || p.MOU.Title != "Pleasanton SRO MOU" || p.MOU.URL != fmt.Sprintf("%s/mous/%d", hookBase, id) {
			t.Errorf("delivery %d is about MOU %+v, want only Pleasanton's %d", p.ID, p.MOU, id)
		}
	}
	if want := []string{"mou.created", "mou.stage_changed", "meeting.scheduled"}; !slices.Equal(events, want) {
		t.Fatalf("agenda system received %q, want %q", events, want)
	}
	sched := got[2]
	if sched.Object["type"] != "meeting" || sched.Object["id"] != float64(m.ID) || sched.Object["date"] != "2025-06-10" ||
		sched.Links.Page != fmt.Sprintf("%s/meetings/%d", hookBase, m.ID) {
		t.Errorf("meeting.scheduled payload %+v", sched)
	}
	// The packet link is one the agenda system can pull with a token of
	// the party's.
	packet := strings.TrimPrefix(sched.Links.Packet, hookBase)
	if want := fmt.Sprintf("/api/v1/mous/%d/packet.pdf?meeting=%d", id, m.ID); packet != want {
		t.Fatalf("packet link %s, want %s", sched.Links.Packet, want)
	}
	if status, h, body := httpGet(t, e.url, e.cityClerk, packet); status != http.StatusOK || h.Get("Content-Type") != "application/pdf" {
		t.Fatalf("packet = %d %s: %.200s", status, h.Get("Content-Type"), body)
	}

	// The flaky receiver: 500, then 500 after the first wait, then 200.
	if hits, _, _ := flaky.got(); hits != 1 {
		t.Fatalf("flaky receiver hit %d times on the first pass", hits)
	}
	e.deliver(t0.Add(10 * time.Second)) // not due yet
	if hits, _, _ := flaky.got(); hits != 1 {
		t.Fatalf("retried before its time: %d hits", hits)
	}
	e.deliver(t0.Add(31 * time.Second))
	e.deliver(t0.Add(31*time.Second + 61*time.Second))
	e.deliver(t0.Add(2 * time.Hour)) // delivered: nothing more
	hits, accepted, bad := flaky.got()
	if hits != 3 || len(accepted) != 1 || len(bad) != 0 {
		t.Fatalf("flaky receiver: %d hits, %d accepted, bad %q", hits, len(accepted), bad)
	}
	var ds struct {
		Deliveries []desk.WebhookDelivery `json:"deliveries"`
	}
	e.call(e.pleasantonAdmin, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", flakyID), nil, http.StatusOK, &ds)
	if len(ds.Deliveries) != 1 {
		t.Fatalf("flaky deliveries %+v", ds.Deliveries)
	}
	d := ds.Deliveries[0]
	var statuses []int
	for _, a := range d.AttemptLog {
		if a.StatusCode != nil {
			statuses = append(statuses, *a.StatusCode)
		}
	}
	if d.State != desk.DeliveryDelivered || d.Attempts != 3 || !slices.Equal(statuses, []int{500, 500, 200}) ||
		!strings.Contains(d.AttemptLog[0].Response, "agenda system busy") || d.AttemptLog[0].Error == "" {
		t.Fatalf("flaky delivery %+v", d)
	}
	if d.EventID != sched.ID {
		t.Errorf("the same event has id %d for one webhook and %d for another", d.EventID, sched.ID)
	}

	// The agenda webhook got each event once; a later pass sends nothing.
	e.deliver(t0.Add(3 * time.Hour))
	if _, again, _ := agenda.got(); len(again) != len(got) {
		t.Fatalf("%d deliveries after a second pass, want %d", len(again), len(got))
	}

	// The district's admin sees none of Pleasanton's webhooks; a drafter
	// may not manage webhooks.
	e.refused(e.pusdAdmin, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", agendaID), nil, http.StatusNotFound, "not_found")
	e.refused(e.pusdAdmin, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", agendaID), nil, http.StatusNotFound, "not_found")
	e.refused(e.drafter, "GET", "/api/v1/webhooks", nil, http.StatusForbidden, "forbidden")
	var list struct {
		Webhooks []desk.Webhook `json:"webhooks"`
	}
	e.call(e.pusdAdmin, "GET", "/api/v1/webhooks", nil, http.StatusOK, &list)
	if len(list.Webhooks) != 0 {
		t.Errorf("the district's admin lists %d webhooks", len(list.Webhooks))
	}
	// The admin page lists the attempts with their answers.
	if status, _, page := httpGet(t, e.url, e.pleasantonAdmin, "/admin/webhooks"); status != http.StatusOK ||
		!strings.Contains(string(page), "HTTP 500") || !strings.Contains(string(page), flaky.URL) || strings.Contains(string(page), flakySecret) {
		t.Errorf("admin page = %d:\n%s", status, page)
	}
	// Disabled, a webhook hears of nothing more.
	e.call(e.pleasantonAdmin, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", agendaID), nil, http.StatusNoContent, nil)
	e.move(id, "withdrawn")
	e.deliver(t0.Add(4 * time.Hour))
	if _, after, _ := agenda.got(); len(after) != len(got) {
		t.Errorf("a disabled webhook received %d more", len(after)-len(got))
	}
}

// TestWebhookBadInput refuses, with 422 and no row written, a URL that is
// not http(s), points at the server itself, or (the production default)
// at a loopback or private address, and an unknown event.
func TestWebhookBadInput(t *testing.T) {
	for _, allow := range []bool{false, true} {
		e := newHookEnv(t, allow)
		cases := []struct {
			url    string
			events []string
			code   string
		}{
			{"ftp://agenda.example.org/in", []string{"mou.created"}, "url_scheme"},
			{"javascript:alert(1)", []string{"mou.created"}, "invalid_url"},
			{"/relative", []string{"mou.created"}, "invalid_url"},
			{"https://user:pw@agenda.example.org/", []string{"mou.created"}, "url_credentials"},
			{"http://" + e.self + "/api/v1/mous", []string{"mou.created"}, "url_self"},
			{"http://" + strings.Replace(e.self, "127.0.0.1", "localhost", 1) + "/x", []string{"mou.created"}, "url_self"},
			{"https://agenda.example.org/in", []string{"mou.created", "login.success"}, "unknown_event"},
		}
		if !allow {
			cases = append(cases,
				struct {
					url    string
					events []string
					code   string
				}{"http://127.0.0.1:9/in", []string{"mou.created"}, "url_private"},
				struct {
					url    string
					events []string
					code   string
				}{"http://169.254.169.254/latest/meta-data/", []string{"mou.created"}, "url_private"},
				struct {
					url    string
					events []string
					code   string
				}{"http://[::1]:9/", []string{"mou.created"}, "url_private"},
				struct {
					url    string
					events []string
					code   string
				}{"http://10.1.2.3/", []string{"mou.created"}, "url_private"},
			)
		}
		for _, c := range cases {
			before := e.rows()
			e.refused(e.pleasantonAdmin, "POST", "/api/v1/webhooks", map[string]any{"url": c.url, "events": c.events}, http.StatusUnprocessableEntity, c.code)
			if after := e.rows(); !maps.Equal(before, after) {
				t.Errorf("refused %s (allow private %v) wrote rows: %v → %v", c.url, allow, before, after)
			}
		}
		// An admin of no party has no MOUs to be told of.
		noParty := e.token(fmt.Sprintf("root%v@example.org", allow), "", auth.RoleAdmin)
		e.refused(noParty, "POST", "/api/v1/webhooks", map[string]any{"url": "https://agenda.example.org/", "events": []string{"mou.created"}}, http.StatusForbidden, "not_a_party")
	}
}

// TestWebhookSlowReceiverDelaysOnlyItself: the worker sends to webhooks
// side by side, so a receiver that holds its answer does not hold back
// another's delivery. The slow receiver answers only once the other one
// has been called (500 if that never happens while it waits).
func TestWebhookSlowReceiverDelaysOnlyItself(t *testing.T) {
	e := newHookEnv(t, true)
	otherCalled := make(chan struct{})
	var once sync.Once
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-otherCalled:
		case <-time.After(10 * time.Second):
			http.Error(w, "the other receiver was never called while this one waited", http.StatusInternalServerError)
		}
	}))
	defer slow.Close()
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { once.Do(func() { close(otherCalled) }) }))
	defer fast.Close()
	slowID, _ := e.register(e.pleasantonAdmin, slow.URL, "mou.created")
	e.register(e.pleasantonAdmin, fast.URL, "mou.created")
	e.createMOU("default")
	if n, failed := e.deliver(time.Now()); n != 2 || failed != 0 {
		t.Fatalf("%d attempts, %d failed, want 2 and 0", n, failed)
	}
	var ds struct {
		Deliveries []desk.WebhookDelivery `json:"deliveries"`
	}
	e.call(e.pleasantonAdmin, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", slowID), nil, http.StatusOK, &ds)
	if len(ds.Deliveries) != 1 || ds.Deliveries[0].State != desk.DeliveryDelivered {
		t.Fatalf("slow receiver's deliveries %+v", ds.Deliveries)
	}
}
