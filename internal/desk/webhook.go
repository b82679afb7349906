package desk

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/webhook"
)

// Webhooks tell another system (a council's agenda system, a records
// system) of acts on its party's MOUs. Events are derived from the audit
// log, which records every act in the transaction that makes it: each
// webhook keeps a cursor in the log (its seq, starting at the head when it
// is registered), and the delivery worker turns the events past it into
// deliveries. Only the acts named in webhookEvents become events, so
// nothing else in the log (sign-ins, accounts, other parties' drafts)
// can reach a webhook; and an event goes only to the webhooks of a party
// on the event's MOU.

// webhookEvent is one kind of event: the audit action it comes from and
// the details of that action it passes on. Details not listed here
// (a signer's address and browser, revision messages) stay in the log.
type webhookEvent struct {
	action string
	fields []string
}

// webhookEvents are the events, by the name a webhook subscribes to. The
// names are an API: add, never rename.
var webhookEvents = map[string]webhookEvent{
	"mou.created":              {"mou.create", []string{"revision"}},
	"mou.amendment_started":    {"mou.amend", []string{"amends", "number", "stage"}},
	"mou.revised":              {"revision.create", []string{"revision", "base"}},
	"mou.stage_changed":        {"mou.transition", []string{"from", "to"}},
	"mou.signed":               {"signature.create", []string{"revision", "line"}},
	"mou.executed":             {"mou.executed", []string{"revision", "content_hash"}},
	"meeting.scheduled":        {"meeting.create", []string{"body", "stage", "date", "revision"}},
	"meeting.rescheduled":      {"meeting.reschedule", []string{"body", "from_date", "date", "location", "sequence"}},
	"meeting.outcome_recorded": {"meeting.outcome", []string{"body", "outcome", "from", "to"}},
	"feedback.raised":          {"feedback.create", []string{"meeting", "section"}},
}

// eventOfAction is webhookEvents by audit action.
var eventOfAction = func() map[string]string {
	out := map[string]string{}
	for name, e := range webhookEvents {
		out[e.action] = name
	}
	return out
}()

// WebhookEventNames lists the events a webhook may subscribe to.
func WebhookEventNames() []string { return slices.Sorted(maps.Keys(webhookEvents)) }

// Bounds of webhooks: how many a party registers, how many events one
// names, how many log events one pass reads, how many deliveries it
// sends.
const (
	maxWebhooksPerParty  = 20
	maxWebhookEventNames = 64 // names in one registration, repeats included
	webhookAuditBatch    = 500
	webhookSendBatch     = 100
	webhookParallel      = 4 // webhooks sent to at once
)

// Delivery retries: the wait doubles from webhookFirstRetry up to
// webhookMaxWait; after webhookMaxAttempts failures (about a day) the
// delivery is failed and stays listed with every attempt.
const (
	webhookFirstRetry  = 30 * time.Second
	webhookMaxWait     = 6 * time.Hour
	webhookMaxAttempts = 12
)

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Webhook is a registered URL of a party's. Its secret is shown once, at
// registration, and never read back by the API.
type Webhook struct {
	ID         int64      `json:"id"`
	Party      string     `json:"party"`
	URL        string     `json:"url"`
	Events     []string   `json:"events"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	Secret     string     `json:"-"`
	AuditSeq   int64      `json:"-"` // the last audit event considered
}

// NewWebhook is what registering a webhook takes.
type NewWebhook struct {
	URL    string
	Events []string
	// RequestHost is the host:port the registering request reached this
	// server at: a webhook to it would call moudesk itself.
	RequestHost string
}

// WebhookDelivery is one event for one webhook, with its attempts.
type WebhookDelivery struct {
	ID            int64            `json:"id"`
	WebhookID     int64            `json:"webhook_id"`
	EventID       int64            `json:"event_id"` // the audit event's seq; the payload's id
	Event         string           `json:"event"`
	MOUID         int64            `json:"mou_id"`
	State         string           `json:"state"`
	Attempts      int              `json:"attempts"`
	NextAttemptAt *time.Time       `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time        `json:"created_at"`
	DeliveredAt   *time.Time       `json:"delivered_at,omitempty"`
	Body          json.RawMessage  `json:"body"`
	AttemptLog    []WebhookAttempt `json:"attempt_log"`
}

// WebhookAttempt is one attempt as the receiver answered it.
type WebhookAttempt struct {
	Attempt    int       `json:"attempt"`
	StartedAt  time.Time `json:"started_at"`
	StatusCode *int      `json:"status_code"` // nil when no answer came
	Response   string    `json:"response"`    // the answer's first bytes
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

// DueDelivery is a pending delivery whose time has come, with where to
// send it.
type DueDelivery struct {
	WebhookDelivery
	URL, Secret string
}

// WebhookSender makes one delivery attempt (internal/webhook.Sender).
type WebhookSender interface {
	Send(ctx context.Context, r webhook.Request) webhook.Result
}

// WebhookPayload is the JSON body of a delivery.
type WebhookPayload struct {
	ID     int64          `json:"id"` // the audit event's seq: the same for every webhook and attempt
	Event  string         `json:"event"`
	Time   time.Time      `json:"time"` // when the act was recorded
	MOU    PayloadMOU     `json:"mou"`
	Object map[string]any `json:"object"`
	Links  PayloadLinks   `json:"links"`
}

// PayloadMOU names the event's MOU.
type PayloadMOU struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// PayloadLinks are where to fetch the documents: Packet is the PDF an
// agenda system attaches (the meeting's packet, the MOU's packet, or the
// signed agreement once executed), Page the staff page. Both need a
// bearer token of a user of the party.
type PayloadLinks struct {
	Packet string `json:"packet"`
	Page   string `json:"page"`
}

// checkWebhookAdmin is nil when actor may manage webhooks: an admin of a
// party (webhooks tell of one party's MOUs; an admin of none has no
// MOUs to be told of).
func checkWebhookAdmin(actor moudesk.Actor) error {
	if !actor.Admin {
		return moudesk.Errorf(moudesk.KindForbidden, "forbidden", "webhooks are registered by an admin")
	}
	if actor.Party == "" {
		return moudesk.Errorf(moudesk.KindForbidden, "not_a_party", "a webhook tells of your party's MOUs; your account has no party")
	}
	return nil
}

// RegisterWebhook registers url for the admin's own party, for events
// (each a WebhookEventNames name: 422 unknown_event otherwise), and
// returns it with its secret, shown this once. The URL must pass the
// service's webhook.Policy (422 field url); nothing is written otherwise.
func (s *Service) RegisterWebhook(ctx context.Context, actor moudesk.Actor, n NewWebhook) (*Webhook, string, error) {
	if err := checkWebhookAdmin(actor); err != nil {
		return nil, "", err
	}
	if len(n.Events) == 0 {
		return nil, "", &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_field", Field: "events",
			Message: "events is required: one or more of " + strings.Join(WebhookEventNames(), ", ")}
	}
	if len(n.Events) > maxWebhookEventNames {
		return nil, "", &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "too_long", Field: "events",
			Message: fmt.Sprintf("events names at most %d events; there are %d", maxWebhookEventNames, len(webhookEvents))}
	}
	events := slices.Clone(n.Events)
	for i, e := range events {
		if _, ok := webhookEvents[e]; !ok {
			return nil, "", &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_event", Field: fmt.Sprintf("events[%d]", i),
				Message: fmt.Sprintf("no event %q; events are %s", clip(e, 64), strings.Join(WebhookEventNames(), ", "))}
		}
	}
	slices.Sort(events)
	events = slices.Compact(events)
	var self []string
	if n.RequestHost != "" {
		self = append(self, selfHostPort(n.RequestHost))
	}
	u, err := s.webhookPolicy.CheckURL(ctx, strings.TrimSpace(n.URL), self...)
	if err != nil {
		return nil, "", err
	}
	existing, err := s.store.Webhooks(ctx, actor.Party)
	if err != nil {
		return nil, "", err
	}
	if countLive(existing) >= maxWebhooksPerParty {
		return nil, "", moudesk.Errorf(moudesk.KindUnprocessable, "too_many", "a party registers at most %d webhooks; disable one first", maxWebhooksPerParty)
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return nil, "", err
	}
	w, err := s.store.CreateWebhook(ctx, actor, Webhook{Party: actor.Party, URL: u.String(), Events: events, Secret: secret})
	if err != nil {
		return nil, "", err
	}
	return w, secret, nil
}

// clip is s cut to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func countLive(ws []Webhook) int {
	n := 0
	for _, w := range ws {
		if w.DisabledAt == nil {
			n++
		}
	}
	return n
}

// selfHostPort is a request's Host as host:port (port 80 when it names
// none: the server then answers plain HTTP there, or sits behind a proxy
// whose URL Policy.Self holds).
func selfHostPort(host string) string {
	if strings.LastIndex(host, ":") > strings.LastIndex(host, "]") {
		return host
	}
	return host + ":80"
}

// newWebhookSecret is 256 random bits, "whsec_" and base64url.
func newWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// WebhooksOf lists the admin's party's webhooks.
func (s *Service) WebhooksOf(ctx context.Context, actor moudesk.Actor) ([]Webhook, error) {
	if err := checkWebhookAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.Webhooks(ctx, actor.Party)
}

// WebhookOf is one of the admin's party's webhooks; another party's is
// not found, as one that does not exist.
func (s *Service) WebhookOf(ctx context.Context, actor moudesk.Actor, id int64) (*Webhook, error) {
	if err := checkWebhookAdmin(actor); err != nil {
		return nil, err
	}
	w, err := s.store.Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.Party != actor.Party {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("webhook %d", id))
	}
	return w, nil
}

// DisableWebhook stops a webhook of the admin's party: no new deliveries,
// and pending ones are not sent. Its deliveries stay listed.
func (s *Service) DisableWebhook(ctx context.Context, actor moudesk.Actor, id int64) error {
	if _, err := s.WebhookOf(ctx, actor, id); err != nil {
		return err
	}
	return s.store.DisableWebhook(ctx, actor, id)
}

// WebhookDeliveriesOf lists a webhook's deliveries, newest first, each
// with its attempts.
func (s *Service) WebhookDeliveriesOf(ctx context.Context, actor moudesk.Actor, id int64, limit int) ([]WebhookDelivery, error) {
	if _, err := s.WebhookOf(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.WebhookDeliveries(ctx, id, limit)
}

// DeliverWebhooks is one pass of the delivery worker: it turns the audit
// events past each live webhook's cursor into deliveries, then makes one
// attempt at each delivery due at now, recording each attempt and, on
// failure, when to try again. base is the public URL the payloads' links
// start with. It says how many attempts it made and how many failed.
func (s *Service) DeliverWebhooks(ctx context.Context, send WebhookSender, base string, now time.Time) (attempts, failed int, err error) {
	if err := s.enqueueWebhooks(ctx, strings.TrimRight(base, "/"), now, webhookAuditBatch); err != nil {
		return 0, 0, err
	}
	due, err := s.store.DueWebhookDeliveries(ctx, now, webhookSendBatch)
	if err != nil {
		return 0, 0, err
	}
	// Each webhook's deliveries go in order, one at a time; webhooks go
	// side by side, a few at once, so a receiver that answers slowly (up
	// to the sender's timeout each time) delays only its own.
	var byHook [][]DueDelivery
	index := map[int64]int{}
	for _, d := range due {
		i, ok := index[d.WebhookID]
		if !ok {
			i = len(byHook)
			index[d.WebhookID] = i
			byHook = append(byHook, nil)
		}
		byHook[i] = append(byHook[i], d)
	}
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		slots = make(chan struct{}, webhookParallel)
	)
	for _, ds := range byHook {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			for _, d := range ds {
				if ctx.Err() != nil {
					return
				}
				ok, err := s.attemptDelivery(ctx, send, d, now)
				mu.Lock()
				attempts++
				if !ok {
					failed++
				}
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return attempts, failed, first
}

// attemptDelivery makes one attempt at d and records it, with the
// delivery's new state; ok says whether the receiver took it.
func (s *Service) attemptDelivery(ctx context.Context, send WebhookSender, d DueDelivery, now time.Time) (ok bool, err error) {
	res := send.Send(ctx, webhook.Request{URL: d.URL, Secret: d.Secret, Event: d.Event, ID: d.EventID, Body: d.Body, Now: now})
	a := WebhookAttempt{Attempt: d.Attempts + 1, StartedAt: now, Response: res.Excerpt, Error: clip(res.Err, 1000),
		DurationMS: res.Duration.Milliseconds()}
	if res.Status != 0 {
		st := res.Status
		a.StatusCode = &st
	}
	state, next := DeliveryDelivered, time.Time{}
	if !res.OK() {
		state, next = retryAfter(a.Attempt, now)
	}
	return res.OK(), s.store.Update(ctx, func(tx Tx) error {
		return tx.RecordWebhookAttempt(ctx, d.ID, a, state, next)
	})
}

// retryAfter is what becomes of a delivery whose attempt n failed at now:
// pending again after a wait that doubles each time, or failed for good
// after webhookMaxAttempts.
func retryAfter(n int, now time.Time) (string, time.Time) {
	if n >= webhookMaxAttempts {
		return DeliveryFailed, time.Time{}
	}
	wait := time.Duration(float64(webhookFirstRetry) * math.Pow(2, float64(n-1)))
	return DeliveryPending, now.Add(min(wait, webhookMaxWait))
}

// enqueueWebhooks reads the audit log past the live webhooks' cursors, at
// most batch events, and
// stores, per webhook, a delivery of each event it subscribes to whose
// MOU its party is on, due at now; then moves each cursor to the last event read, in
// one transaction with the deliveries. A cursor that moved meanwhile (a
// second worker) leaves that webhook to the pass that moved it.
func (s *Service) enqueueWebhooks(ctx context.Context, base string, now time.Time, batch int) error {
	hooks, err := s.store.LiveWebhooks(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	from := hooks[0].AuditSeq
	for _, w := range hooks {
		from = min(from, w.AuditSeq)
	}
	events, err := s.store.AuditEvents(ctx, AuditFilter{After: from, Limit: batch})
	if err != nil || len(events) == 0 {
		return err
	}
	last := events[len(events)-1].Seq
	type hookDeliveries struct {
		w   Webhook
		out []WebhookDelivery
	}
	plan := make([]hookDeliveries, len(hooks))
	mous := map[int64]*MOU{}
	for i, w := range hooks {
		plan[i].w = w
		for _, ev := range events {
			if ev.Seq <= w.AuditSeq {
				continue
			}
			name, ok := eventOfAction[ev.Action]
			if !ok || !slices.Contains(w.Events, name) {
				continue
			}
			d, err := s.delivery(ctx, mous, w, name, ev, base)
			if err != nil {
				return err
			}
			if d != nil {
				plan[i].out = append(plan[i].out, *d)
			}
		}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		for _, p := range plan {
			// A webhook registered after the last event read (the batch
			// stopped short of the head) is ahead already: its cursor
			// never moves back.
			if p.w.AuditSeq >= last {
				continue
			}
			moved, err := tx.AdvanceWebhook(ctx, p.w.ID, p.w.AuditSeq, last)
			if err != nil {
				return err
			}
			if !moved {
				continue
			}
			for _, d := range p.out {
				if err := tx.InsertWebhookDelivery(ctx, d, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// delivery is event ev for webhook w, or nil when its MOU is not one of
// w's party's (or is gone).
func (s *Service) delivery(ctx context.Context, mous map[int64]*MOU, w Webhook, name string, ev audit.Event, base string) (*WebhookDelivery, error) {
	var details map[string]any
	if len(ev.Details) > 0 {
		if err := json.Unmarshal(ev.Details, &details); err != nil {
			return nil, fmt.Errorf("audit event %d's details: %w", ev.Seq, err)
		}
	}
	kind, rawID, _ := strings.Cut(ev.Object, ":")
	objID, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil {
		return nil, nil // not an object of an MOU
	}
	mouID := objID
	if kind != "mou" {
		n, ok := details["mou"].(float64)
		if !ok {
			return nil, nil
		}
		mouID = int64(n)
	}
	m, ok := mous[mouID]
	if !ok {
		if m, err = s.store.MOU(ctx, mouID); moudesk.IsKind(err, moudesk.KindNotFound) {
			m = nil
		} else if err != nil {
			return nil, err
		}
		mous[mouID] = m
	}
	if m == nil || !slices.ContainsFunc(m.Parties, func(p MOUParty) bool { return p.Slug == w.Party }) {
		return nil, nil
	}
	object := map[string]any{"type": kind, "id": objID}
	for _, f := range webhookEvents[name].fields {
		if v, ok := details[f]; ok {
			object[f] = v
		}
	}
	mouURL := fmt.Sprintf("%s/mous/%d", base, mouID)
	links := PayloadLinks{Packet: fmt.Sprintf("%s/api/v1/mous/%d/packet.pdf", base, mouID), Page: mouURL}
	switch {
	case kind == "meeting":
		links.Packet += fmt.Sprintf("?meeting=%d", objID)
		links.Page = fmt.Sprintf("%s/meetings/%d", base, objID)
	case kind == "feedback":
		if mid, ok := details["meeting"].(float64); ok {
			links.Page = fmt.Sprintf("%s/meetings/%d", base, int64(mid))
		}
	case name == "mou.executed":
		links.Packet = fmt.Sprintf("%s/api/v1/mous/%d/signed.pdf", base, mouID)
	}
	body, err := json.Marshal(WebhookPayload{ID: ev.Seq, Event: name, Time: ev.Time.UTC(),
		MOU: PayloadMOU{ID: mouID, Title: m.Title, URL: mouURL}, Object: object, Links: links})
	if err != nil {
		return nil, fmt.Errorf("webhook payload: %w", err)
	}
	return &WebhookDelivery{WebhookID: w.ID, EventID: ev.Seq, Event: name, MOUID: mouID, Body: body}, nil
}
