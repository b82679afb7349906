package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mail"
	"github.com/moudesk/moudesk/internal/mail/mailtest"
)

const publicURL = "https://moudesk.example.org"

// smtpMailer is cmd/moudesk's adapter of internal/mail to desk.Mailer.
type smtpMailer struct{ s *mail.Sender }

func (m smtpMailer) Send(ctx context.Context, o desk.OutgoingMail) error {
	return m.s.Send(ctx, mail.Message{To: o.To, Subject: o.Subject, Text: o.Text, HTML: o.HTML, ID: o.ID})
}

func (smtpMailer) Temporary(err error) bool { return mail.Temporary(err) }

func mailerFor(t *testing.T, srv *mailtest.Server) smtpMailer {
	t.Helper()
	s, err := mail.New(srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	return smtpMailer{s: s}
}

// queued counts notifications in mail state.
func (e *env) queued(state string) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowForTest(e.ctx, "SELECT count(*) FROM notifications WHERE mail_state = ?", state).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// deliver runs one mail pass at now.
func (e *env) deliver(m desk.Mailer, now time.Time) desk.MailReport {
	e.t.Helper()
	rep, err := e.svc.DeliverMail(e.ctx, m, publicURL, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

// byMessageID counts received messages by Message-ID.
func byMessageID(ms []mailtest.Received) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		out[m.MessageID]++
	}
	return out
}

// TestDeliverMail4xxThenAccepted: a server that answers the first message
// 451 leaves it queued with the error, visible in the list, until its
// backoff; then it is sent. Every notification arrives exactly once, in
// text and HTML with the link to its page.
func TestDeliverMail4xxThenAccepted(t *testing.T) {
	e := newEnv(t)
	srv := mailtest.Start(t, mailtest.Options{Fail4xx: 1})
	m := mailerFor(t, srv)
	e.approved()
	pending := e.queued(desk.MailPending)
	if pending == 0 {
		t.Fatal("nothing queued")
	}
	now := time.Now()
	rep := e.deliver(m, now)
	if rep.Sent != pending-1 || rep.Retry != 1 || !strings.Contains(rep.LastError, "451") {
		t.Fatalf("first pass: %+v, %d queued", rep, pending)
	}
	var waiting *desk.Notification
	for _, p := range []*auth.Principal{e.drafter, e.cityClerk, e.districtClerk, e.chief, e.superintendent} {
		all, err := e.svc.MyNotifications(e.ctx, actorOf(p), false, 0, desk.NoLimit)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range all {
			if n.Mail == desk.MailPending {
				waiting = &n
			}
		}
	}
	if waiting == nil || !strings.Contains(waiting.LastError, "451") || waiting.Attempts != 1 || waiting.NextAttemptAt == nil || !waiting.NextAttemptAt.After(now) {
		t.Fatalf("the refused notification as its owner sees it: %+v", waiting)
	}
	if rep := e.deliver(m, now); rep.Sent+rep.Retry+rep.Failed != 0 {
		t.Fatalf("a pass before the backoff sent %+v", rep)
	}
	if rep := e.deliver(m, *waiting.NextAttemptAt); rep.Sent != 1 {
		t.Fatalf("a pass after the backoff: %+v", rep)
	}
	if e.queued(desk.MailSent) != pending || e.queued(desk.MailPending) != 0 {
		t.Fatalf("after delivery: %d sent, %d pending of %d", e.queued(desk.MailSent), e.queued(desk.MailPending), pending)
	}
	got := srv.Messages()
	if len(got) != pending {
		t.Fatalf("%d messages arrived for %d notifications", len(got), pending)
	}
	for id, n := range byMessageID(got) {
		if n != 1 {
			t.Errorf("Message-ID %s arrived %d times", id, n)
		}
	}
	var turn *mailtest.Received
	for i, r := range got {
		if strings.HasPrefix(r.Subject, "Your turn to sign") && r.To[0] == e.chief.Email {
			turn = &got[i]
		}
	}
	if turn == nil || !strings.Contains(turn.Text, publicURL+"/mous/") || !strings.Contains(turn.HTML, `href="`+publicURL+"/mous/") ||
		!strings.HasPrefix(turn.MessageID, "<turn.") {
		t.Fatalf("the chief's turn mail: %+v", turn)
	}
}

// TestDeliverMailDroppedMidMessage: a connection dropped in the middle of
// a message is retried; the message arrives once.
func TestDeliverMailDroppedMidMessage(t *testing.T) {
	e := newEnv(t)
	srv := mailtest.Start(t, mailtest.Options{DropMidMessage: 1})
	m := mailerFor(t, srv)
	e.approved()
	pending := e.queued(desk.MailPending)
	now := time.Now()
	if rep := e.deliver(m, now); rep.Retry != 1 || rep.Sent != pending-1 {
		t.Fatalf("first pass: %+v of %d", rep, pending)
	}
	if rep := e.deliver(m, now.Add(time.Hour)); rep.Sent != 1 {
		t.Fatalf("retry: %+v", rep)
	}
	got := srv.Messages()
	if len(got) != pending {
		t.Fatalf("%d messages for %d notifications", len(got), pending)
	}
	for id, n := range byMessageID(got) {
		if n != 1 {
			t.Errorf("Message-ID %s arrived %d times", id, n)
		}
	}
}

// TestDeliverMailSTARTTLS sends over STARTTLS with the test server's
// certificate.
func TestDeliverMailSTARTTLS(t *testing.T) {
	e := newEnv(t)
	srv := mailtest.Start(t, mailtest.Options{STARTTLS: true})
	if cfg := srv.Config(); cfg.TLS != mail.StartTLS {
		t.Fatalf("mailtest config %+v", cfg)
	}
	m := mailerFor(t, srv)
	e.approved()
	pending := e.queued(desk.MailPending)
	if rep := e.deliver(m, time.Now()); rep.Sent != pending {
		t.Fatalf("STARTTLS pass: %+v of %d", rep, pending)
	}
	if got := srv.Messages(); len(got) != pending {
		t.Fatalf("%d messages for %d notifications", len(got), pending)
	}
}

// TestDeliverMailRefusedForGood: a recipient the server refuses (5xx) is
// marked failed with the error and never sent again.
func TestDeliverMailRefusedForGood(t *testing.T) {
	e := newEnv(t)
	srv := mailtest.Start(t, mailtest.Options{RejectRecipients: []string{e.chief.Email}})
	m := mailerFor(t, srv)
	e.approved()
	now := time.Now()
	if rep := e.deliver(m, now); rep.Failed != 1 || rep.Retry != 0 {
		t.Fatalf("pass: %+v", rep)
	}
	turns := e.notices(e.chief, desk.NoticeTurn)
	if len(turns) != 1 || turns[0].Mail != desk.MailFailed || !strings.Contains(turns[0].LastError, "550") {
		t.Fatalf("the chief's refused notice: %+v", turns)
	}
	if rep := e.deliver(m, now.Add(48*time.Hour)); rep.Sent+rep.Retry+rep.Failed != 0 {
		t.Fatalf("a refused notice was tried again: %+v", rep)
	}
}

// TestDeliverMailAfterCrash: a worker that claimed notifications and died
// before marking them leaves them sending; once the claim lapses they are
// sent again, with the Message-ID they would have had, so a copy sent
// before the crash is recognisable.
func TestDeliverMailAfterCrash(t *testing.T) {
	e := newEnv(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := mailerFor(t, srv)
	e.approved()
	now := time.Now()
	claimed, err := e.db.ClaimMail(e.ctx, now, desk.MailLease, 100)
	if err != nil || len(claimed) == 0 {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	// The worker died here.
	if rep := e.deliver(m, now.Add(desk.MailLease-time.Second)); rep.Sent != 0 {
		t.Fatalf("a live claim was sent by another pass: %+v", rep)
	}
	if rep := e.deliver(m, now.Add(desk.MailLease)); rep.Sent != len(claimed) {
		t.Fatalf("after the claim lapsed: %+v of %d", rep, len(claimed))
	}
	ids := byMessageID(srv.Messages())
	for _, c := range claimed {
		if !hasKey(ids, c.Key) {
			t.Errorf("notification %d (key %s) not sent once: %v", c.ID, c.Key, ids)
		}
	}
}

func hasKey(ids map[string]int, key string) bool {
	for id, n := range ids {
		if strings.HasPrefix(id, "<"+key+"@") && n == 1 {
			return true
		}
	}
	return false
}

// TestDeliverMailDigest: a user who takes a kind in a daily digest gets
// one message for the day's notices, at the start of the next UTC day.
func TestDeliverMailDigest(t *testing.T) {
	e := newEnv(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := mailerFor(t, srv)
	if _, err := e.svc.SetNotificationPrefs(e.ctx, actorOf(e.cityClerk), map[string]string{desk.NoticeOutcome: desk.DeliverDigest}); err != nil {
		t.Fatal(err)
	}
	e.approved() // the city clerk schedules two meetings and is told of each outcome to record
	outcomes := e.notices(e.cityClerk, desk.NoticeOutcome)
	if len(outcomes) < 2 {
		t.Fatalf("city clerk's outcome notices: %+v", outcomes)
	}
	now := time.Now()
	e.deliver(m, now)
	for _, r := range srv.Messages() {
		if r.To[0] == e.cityClerk.Email {
			t.Fatalf("the digest's notice was mailed at once: %s", r.Subject)
		}
	}
	e.deliver(m, *outcomes[0].NextAttemptAt)
	var digests []mailtest.Received
	for _, r := range srv.Messages() {
		if r.To[0] == e.cityClerk.Email {
			digests = append(digests, r)
		}
	}
	if len(digests) != 1 || !strings.Contains(digests[0].Subject, "daily digest") || !strings.HasPrefix(digests[0].MessageID, "<digest.u") {
		t.Fatalf("digests: %+v", digests)
	}
	for _, n := range outcomes {
		if !strings.Contains(digests[0].Text, n.Subject) {
			t.Errorf("the digest lacks %q", n.Subject)
		}
	}
}

// cancelAfterSend is a mailer whose first send stops the pass, as a
// SIGTERM during it would.
type cancelAfterSend struct {
	desk.Mailer
	cancel context.CancelFunc
}

func (c cancelAfterSend) Send(ctx context.Context, m desk.OutgoingMail) error {
	defer c.cancel()
	return c.Mailer.Send(ctx, m)
}

// TestDeliverMailStopped: a pass stopped while sending finishes and
// records that message, and puts the rest it claimed back in the queue,
// due at once, for the next start; each arrives once.
func TestDeliverMailStopped(t *testing.T) {
	e := newEnv(t)
	srv := mailtest.Start(t, mailtest.Options{})
	m := mailerFor(t, srv)
	e.approved()
	pending := e.queued(desk.MailPending)
	if pending < 2 {
		t.Fatalf("%d queued", pending)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	now := time.Now()
	rep, err := e.svc.DeliverMail(ctx, cancelAfterSend{Mailer: m, cancel: cancel}, publicURL, now)
	if err != nil || rep.Sent != 1 {
		t.Fatalf("stopped pass: %+v %v", rep, err)
	}
	if e.queued(desk.MailSending) != 0 || e.queued(desk.MailPending) != pending-1 || e.queued(desk.MailSent) != 1 {
		t.Fatalf("after stopping: %d sending, %d pending, %d sent", e.queued(desk.MailSending), e.queued(desk.MailPending), e.queued(desk.MailSent))
	}
	if rep := e.deliver(m, now); rep.Sent != pending-1 {
		t.Fatalf("next start: %+v", rep)
	}
	for id, n := range byMessageID(srv.Messages()) {
		if n != 1 {
			t.Errorf("Message-ID %s arrived %d times", id, n)
		}
	}
}
