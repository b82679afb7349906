package desk

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"
)

// Mail delivery from the outbox. A pass claims the due notifications in a
// write transaction (marked sending, with the attempt they were claimed
// at), sends each (or each user's digest) and records the outcome: sent;
// pending again with the error and a later attempt time when the mail
// server may accept later; failed with the error when it refused for
// good. Nothing is ever dropped. A crash between sending and marking
// leaves the row sending: once the claim lapses (MailLease) it is sent
// again with the same Message-ID, made from the row's idempotency key, so
// the resend is recognisable as the same message.

// Bounds of mail delivery.
const (
	// MailLease is how long a claim holds: a worker that has not marked a
	// row by then is taken to have died, and the row is sent again. It is
	// well above a mail server's timeouts.
	MailLease = 5 * time.Minute
	// mailBatch is how many rows a claim takes at most.
	mailBatch = 100
	// Retries wait mailRetryBase after the first failure, twice as long
	// after each next one, at most mailRetryMax.
	mailRetryBase = time.Minute
	mailRetryMax  = 6 * time.Hour
	// maxMailError bounds a stored mail server reply.
	maxMailError = 1000
)

// OutgoingMail is one message to send.
type OutgoingMail struct {
	To            []string
	Subject       string
	Text, HTML    string
	ID            string // idempotency key: the message's Message-ID is made from it
	Notifications int    // how many notifications it carries
}

// Mailer sends mail; Temporary says whether a send's error may succeed
// later (a 4xx reply, a dropped connection) rather than never (5xx).
// cmd/moudesk adapts internal/mail's SMTP client to it.
type Mailer interface {
	Send(ctx context.Context, m OutgoingMail) error
	Temporary(err error) bool
}

// MailQueue is the outbox as the mail worker sees it.
type MailQueue interface {
	// ClaimMail claims at most limit notifications due at now for
	// sending. First every digest row due at now becomes pending under its
	// user's digest key for now's UTC day (one digest per user per day);
	// then the pending rows due and the sending rows whose claim lapsed
	// are marked sending, attempts+1, their claim lapsing at now+lease.
	// Each comes with its recipient's address.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutgoingNotice, error)
	// FinishMail records what sending claimed rows did; a row changes only
	// while it is still sending at the attempt it was claimed at.
	FinishMail(ctx context.Context, claims []MailClaim, r MailResult) error
}

// OutgoingNotice is a claimed notification and where it goes.
type OutgoingNotice struct {
	Notification
	Email, Name string
}

// MailClaim names a claimed row and the attempt it was claimed at.
type MailClaim struct {
	ID      int64
	Attempt int
}

// MailResult is what a send did to the rows it carried.
type MailResult struct {
	State string // sent, pending (to retry at Next) or failed
	At    time.Time
	Next  time.Time
	Error string
}

// MailReport is what a mail pass did: messages sent, put back to retry
// later and refused for good, and the last mail server error.
type MailReport struct {
	Sent, Retry, Failed int
	LastError           string
}

// DeliverMail sends every notification due at now, digests gathered by
// user, through m, with links on publicURL (no trailing slash needed).
// Errors of single sends are stored on their rows and counted in the
// report; the error returned is the store's. A cancelled ctx stops it
// between messages: a message being sent is finished and recorded first.
func (s *Service) DeliverMail(ctx context.Context, m Mailer, publicURL string, now time.Time) (MailReport, error) {
	base := strings.TrimRight(publicURL, "/")
	var sent MailReport
	for ctx.Err() == nil {
		claimed, err := s.store.ClaimMail(ctx, now, MailLease, mailBatch)
		if err != nil {
			return sent, err
		}
		if len(claimed) == 0 {
			return sent, nil
		}
		groups := groupMail(claimed)
		for i, g := range groups {
			if ctx.Err() != nil {
				// Stopping: what is claimed and not sent goes back to the
				// queue, due now, for the next start to send at once.
				return sent, s.releaseMail(context.WithoutCancel(ctx), groups[i:], now)
			}
			msg := composeMail(g, base)
			err := m.Send(context.WithoutCancel(ctx), msg)
			res := MailResult{State: MailSent, At: now}
			if err != nil {
				res.Error = excerpt(err.Error(), maxMailError)
				sent.LastError = res.Error
				if m.Temporary(err) {
					res.State, res.Next = MailPending, now.Add(mailBackoff(g[0].Attempts))
					sent.Retry++
				} else {
					res.State = MailFailed
					sent.Failed++
				}
			} else {
				sent.Sent++
			}
			claims := make([]MailClaim, len(g))
			for i, n := range g {
				claims[i] = MailClaim{ID: n.ID, Attempt: n.Attempts}
			}
			if err := s.store.FinishMail(context.WithoutCancel(ctx), claims, res); err != nil {
				return sent, fmt.Errorf("record mail of notification %d: %w", g[0].ID, err)
			}
		}
	}
	return sent, nil
}

// releaseMail puts claimed groups back in the queue unsent, due at now.
func (s *Service) releaseMail(ctx context.Context, groups [][]OutgoingNotice, now time.Time) error {
	var claims []MailClaim
	for _, g := range groups {
		for _, n := range g {
			claims = append(claims, MailClaim{ID: n.ID, Attempt: n.Attempts})
		}
	}
	if err := s.store.FinishMail(ctx, claims, MailResult{State: MailPending, At: now, Next: now}); err != nil {
		return fmt.Errorf("release unsent mail: %w", err)
	}
	return nil
}

// mailBackoff is how long a row waits after its attempt-th failed attempt.
func mailBackoff(attempt int) time.Duration {
	d := mailRetryBase
	for i := 1; i < attempt && d < mailRetryMax; i++ {
		d *= 2
	}
	return min(d, mailRetryMax)
}

// groupMail puts a digest's rows in one message and every other row in
// its own, in claim order.
func groupMail(ns []OutgoingNotice) [][]OutgoingNotice {
	var out [][]OutgoingNotice
	at := map[string]int{}
	for _, n := range ns {
		if n.DigestKey == "" {
			out = append(out, []OutgoingNotice{n})
			continue
		}
		if i, ok := at[n.DigestKey]; ok {
			out[i] = append(out[i], n)
			continue
		}
		at[n.DigestKey] = len(out)
		out = append(out, []OutgoingNotice{n})
	}
	return out
}

// composeMail writes one message for g, a single notification or one
// user's digest, in plain text and HTML, each notice with the address of
// its page.
func composeMail(g []OutgoingNotice, base string) OutgoingMail {
	first := g[0]
	out := OutgoingMail{To: []string{first.Email}, ID: messageID(first.Key), Notifications: len(g)}
	if first.DigestKey != "" {
		out.ID = messageID(first.DigestKey)
		out.Subject = fmt.Sprintf("moudesk: your daily digest (%d)", len(g))
		if len(g) == 1 {
			out.Subject = "moudesk: your daily digest: " + first.Subject
		}
	} else {
		out.Subject = first.Subject
	}
	var text, page strings.Builder
	if first.DigestKey != "" {
		fmt.Fprintf(&text, "What happened in moudesk since your last digest:\n\n")
		page.WriteString("<p>What happened in moudesk since your last digest:</p>\n")
	}
	for i, n := range g {
		link := base + n.Link
		if first.DigestKey != "" {
			fmt.Fprintf(&text, "%d. %s\n", i+1, n.Subject)
			fmt.Fprintf(&page, "<h2>%s</h2>\n", html.EscapeString(n.Subject))
		}
		fmt.Fprintf(&text, "%s\n\nOpen it: %s\n\n", n.Text, link)
		for _, para := range strings.Split(n.Text, "\n\n") {
			fmt.Fprintf(&page, "<p>%s</p>\n", strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		}
		fmt.Fprintf(&page, "<p><a href=\"%s\">Open it in moudesk</a></p>\n", html.EscapeString(link))
	}
	prefs := base + "/profile#notifications"
	fmt.Fprintf(&text, "-- \nmoudesk. Choose which notices you get by mail, and when: %s\n", prefs)
	out.Text = text.String()
	out.HTML = "<!doctype html>\n<html><body>\n" + page.String() +
		fmt.Sprintf("<hr>\n<p>moudesk. <a href=\"%s\">Choose which notices you get by mail, and when.</a></p>\n</body></html>\n", html.EscapeString(prefs))
	return out
}

// messageID keeps a key to the characters a Message-ID's left part may
// hold unquoted.
func messageID(key string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '-'
	}, key)
}
