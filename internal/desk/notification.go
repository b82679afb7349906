package desk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

// Notifications tell people when something waits for them. Each is
// recorded, one row per recipient, in the write transaction of the act
// that causes it (the outbox): a refused act tells no one, a committed one
// is never lost. The in-app list shows the rows; the mail worker
// (DeliverMail) sends the ones whose recipient takes their kind by mail.

// Kinds of notification. The recipients of each are decided from the rows
// the act's transaction reads: parties, roles and signature lines.
const (
	// NoticeTurn: a signatory's line may be signed now (its order came up:
	// the MOU reached signature, or every line of lower order signed).
	NoticeTurn = "your_turn"
	// NoticePacket: a meeting was scheduled; its packet is ready for the
	// reviewers of the body's party (every party's, for a joint body).
	NoticePacket = "packet_ready"
	// NoticeFeedback: feedback was raised on a section; the drafters of
	// the MOU's parties (drafting is shared) are told.
	NoticeFeedback = "feedback"
	// NoticeOutcome: a meeting's outcome is to be recorded by the clerks of
	// the body's party. It is recorded when the meeting is scheduled, not
	// on its date: moudesk runs no clock job over meetings, and the notice
	// says the date, so the clerk knows when.
	NoticeOutcome = "outcome_due"
	// NoticeStale: a new revision made a body's approval stale; the clerks
	// of that body's party must put the new text before it again.
	NoticeStale = "approval_stale"
	// NoticeAmendment: an amendment of an agreement was started; every
	// member of staff of its parties is told.
	NoticeAmendment = "amendment"
	// NoticeObligation: an obligation of an agreement in force is due soon
	// or late; the staff of the party that owes it are told.
	NoticeObligation = "obligation"
)

// NoticeKinds are every kind, in the order the profile lists them.
func NoticeKinds() []string {
	return []string{NoticeTurn, NoticePacket, NoticeFeedback, NoticeOutcome, NoticeStale, NoticeAmendment, NoticeObligation}
}

// NoticeKindTitle is a kind as the profile page names it.
func NoticeKindTitle(kind string) string {
	switch kind {
	case NoticeTurn:
		return "Your turn to sign"
	case NoticePacket:
		return "A meeting packet is ready"
	case NoticeFeedback:
		return "Feedback on a section"
	case NoticeOutcome:
		return "A meeting outcome to record"
	case NoticeStale:
		return "An approval went stale"
	case NoticeAmendment:
		return "An amendment was started"
	case NoticeObligation:
		return "An obligation is due soon or late"
	}
	return kind
}

// Deliveries: how a user takes a kind by mail.
const (
	DeliverImmediately = "immediate"
	DeliverDigest      = "digest"
	DeliverOff         = "off" // in the app only
)

// Mail states of a notification (see migrations/015_notifications.sql).
const (
	MailPending = "pending"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
	MailDigest  = "digest"
	MailOff     = "off"
)

// Notification is one notice to one user.
type Notification struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"-"`
	Kind      string     `json:"kind"`
	MOUID     int64      `json:"mou_id,omitempty"`
	Subject   string     `json:"subject"`
	Text      string     `json:"text"`
	Link      string     `json:"link"` // path of the page it is about
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	Read      bool       `json:"read"`
	// Mail is the state of its e-mail: pending, sending, sent, failed,
	// digest or off. LastError is the mail server's last refusal, kept
	// while the notification waits to be sent again.
	Mail          string     `json:"mail_state"`
	Attempts      int        `json:"mail_attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	Key           string     `json:"-"` // idempotency key; the mail's Message-ID
	DigestKey     string     `json:"-"`
}

// NewNotification is a notification to store, decided by the service.
type NewNotification struct {
	UserID        int64
	Kind          string
	MOUID         int64 // 0 for none
	Subject       string
	Text          string
	Link          string
	Mail          string // pending, digest or off
	NextAttemptAt *time.Time
	Key           string
}

// RecipientQuery selects the users a notice goes to: the users UserIDs
// name, and the users of Parties holding one of Roles (any role when
// empty). Disabled accounts and invited ones without a password yet are
// left out: nobody reads their list.
type RecipientQuery struct {
	UserIDs []int64
	Parties []string
	Roles   []auth.Role
}

// Recipient is a user a notice may go to, with how they take each kind
// (absent kinds: immediately).
type Recipient struct {
	UserID int64
	Email  string
	Name   string
	Prefs  map[string]string
}

// NotificationTx is what recording notifications needs of a write
// transaction.
type NotificationTx interface {
	Recipients(ctx context.Context, q RecipientQuery) ([]Recipient, error)
	// InsertNotification stores n unless a notification with its Key is
	// stored already, and says whether it stored it.
	InsertNotification(ctx context.Context, n NewNotification) (bool, error)
}

// NotificationStore keeps the notifications, the preferences and the
// mail queue.
type NotificationStore interface {
	// Notifications are the user's, newest first, ids below after (0 for
	// the first page), unread ones only when unread is set.
	Notifications(ctx context.Context, userID int64, unread bool, after int64, limit int) ([]Notification, error)
	UnreadNotifications(ctx context.Context, userID int64) (int, error)
	Notification(ctx context.Context, id int64) (*Notification, error)
	// MarkNotificationsRead marks the user's notifications ids (all of
	// theirs when ids is empty) read at now and says how many changed.
	MarkNotificationsRead(ctx context.Context, userID int64, ids []int64, now time.Time) (int64, error)
	NotificationPrefs(ctx context.Context, userID int64) (map[string]string, error)
	SetNotificationPrefs(ctx context.Context, actor moudesk.Actor, userID int64, prefs map[string]string) error
	MailQueue
}

// notice is one event's notification, before its recipients.
type notice struct {
	kind, subject, text, link string
	mouID                     int64
	// key identifies the event: with the recipient it makes the row's
	// idempotency key, so an event recorded twice tells each person once.
	key string
}

// notify records n in tx for every user q selects but the actor.
func (s *Service) notify(ctx context.Context, tx Tx, actor moudesk.Actor, q RecipientQuery, n notice) error {
	rs, err := tx.Recipients(ctx, q)
	if err != nil {
		return err
	}
	now := tx.Now()
	for _, r := range rs {
		if r.UserID == actor.UserID && !actor.IsSystem() {
			continue
		}
		row := NewNotification{UserID: r.UserID, Kind: n.kind, MOUID: n.mouID, Subject: n.subject, Text: n.text, Link: n.link,
			Key: fmt.Sprintf("%s.u%d", n.key, r.UserID)}
		switch r.Prefs[n.kind] {
		case DeliverOff:
			row.Mail = MailOff
		case DeliverDigest:
			row.Mail = MailDigest
			next := digestTime(now)
			row.NextAttemptAt = &next
		default:
			row.Mail = MailPending
			row.NextAttemptAt = &now
		}
		if _, err := tx.InsertNotification(ctx, row); err != nil {
			return err
		}
	}
	return nil
}

// digestTime is when a digest notice recorded at now is mailed: the start
// of the next UTC day, with the day's others.
func digestTime(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// MyNotifications lists the caller's notifications, newest first, by
// keyset (see NotificationStore.Notifications).
func (s *Service) MyNotifications(ctx context.Context, actor moudesk.Actor, unread bool, after int64, limit int) ([]Notification, error) {
	if actor.UserID == 0 {
		return []Notification{}, nil
	}
	return s.store.Notifications(ctx, actor.UserID, unread, after, limit)
}

// UnreadNotifications counts the caller's unread notifications: the bell.
func (s *Service) UnreadNotifications(ctx context.Context, actor moudesk.Actor) (int, error) {
	if actor.UserID == 0 {
		return 0, nil
	}
	return s.store.UnreadNotifications(ctx, actor.UserID)
}

// MyNotification is one of the caller's notifications; another user's is
// 404, as one that does not exist.
func (s *Service) MyNotification(ctx context.Context, actor moudesk.Actor, id int64) (*Notification, error) {
	n, err := s.store.Notification(ctx, id)
	if err != nil {
		return nil, err
	}
	if n.UserID != actor.UserID || actor.UserID == 0 {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("notification %d", id))
	}
	return n, nil
}

// MarkRead marks one of the caller's notifications read (404 for anyone
// else's) and returns it.
func (s *Service) MarkRead(ctx context.Context, actor moudesk.Actor, id int64) (*Notification, error) {
	if _, err := s.MyNotification(ctx, actor, id); err != nil {
		return nil, err
	}
	if _, err := s.store.MarkNotificationsRead(ctx, actor.UserID, []int64{id}, s.now()); err != nil {
		return nil, err
	}
	return s.store.Notification(ctx, id)
}

// MarkAllRead marks every notification of the caller read and says how
// many were unread.
func (s *Service) MarkAllRead(ctx context.Context, actor moudesk.Actor) (int64, error) {
	if actor.UserID == 0 {
		return 0, nil
	}
	return s.store.MarkNotificationsRead(ctx, actor.UserID, nil, s.now())
}

// NotificationPrefs are how the caller takes each kind by mail, every kind
// listed.
func (s *Service) NotificationPrefs(ctx context.Context, actor moudesk.Actor) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range NoticeKinds() {
		out[k] = DeliverImmediately
	}
	if actor.UserID == 0 {
		return out, nil
	}
	stored, err := s.store.NotificationPrefs(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	for k, v := range stored {
		if _, ok := out[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

// SetNotificationPrefs sets how the caller takes the kinds prefs names
// (immediate, digest or off); kinds it leaves out keep theirs. An unknown
// kind or delivery is 422 naming it, and nothing is saved. Audited as
// notification.prefs.
func (s *Service) SetNotificationPrefs(ctx context.Context, actor moudesk.Actor, prefs map[string]string) (map[string]string, error) {
	if actor.UserID == 0 {
		return nil, moudesk.Errorf(moudesk.KindForbidden, "forbidden", "only a user has notification preferences")
	}
	if len(prefs) == 0 {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_field", Field: "preferences", Message: "name at least one kind and how you take it"}
	}
	for k, v := range prefs {
		if !slices.Contains(NoticeKinds(), k) {
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_kind", Field: "preferences." + limitField(k),
				Message: fmt.Sprintf("kinds of notification are %v", NoticeKinds())}
		}
		switch v {
		case DeliverImmediately, DeliverDigest, DeliverOff:
		default:
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "invalid_delivery", Field: "preferences." + k,
				Message: "take a kind immediately, in a daily digest, or off (in the app only)"}
		}
	}
	if err := s.store.SetNotificationPrefs(ctx, actor, actor.UserID, prefs); err != nil {
		return nil, err
	}
	return s.NotificationPrefs(ctx, actor)
}

// limitField keeps a field name taken from input short enough to echo.
func limitField(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
