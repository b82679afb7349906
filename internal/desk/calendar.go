package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

// Calendars of meetings. Who sees a meeting on a calendar is who may see
// its MOU (party.go): a party's staff see their party's meetings; the
// public sees the meetings of executed agreements only, whose record is
// public already (public_record.go). A meeting on a draft is not public
// here even when the body meets in public: the draft's very existence is
// its parties' to disclose (the clerk's own agenda does that), and a
// moudesk feed listing it would tell anyone of drafts between two other
// bodies.

// maxCalendarMeetings bounds a feed: the newest meetings first. A city's
// MOUs hold a handful of meetings each; the bound keeps a feed a client
// polls every hour small whatever the database holds.
const maxCalendarMeetings = 2000

// CalendarScope selects the meetings of a calendar; the zero value is
// every meeting.
type CalendarScope struct {
	Party        string // only MOUs this party (a slug) is on
	MOUID        int64  // only this MOU
	ExecutedOnly bool   // only MOUs with an executed revision
}

// CalendarEntry is one meeting with what a calendar shows of its MOU.
type CalendarEntry struct {
	Meeting
	MOUTitle  string
	BodyTitle string
}

// CalendarFeed is a secret feed URL of a user's (the URL itself is shown
// once, when it is made).
type CalendarFeed struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// RescheduleMeeting moves a meeting not yet held to a new date and place.
// As creating it: by a user of the party whose body meets (any party of
// the MOU for a joint body); an admin of another party is refused. A
// meeting with an outcome has been held and is the record: 409
// outcome_recorded. Audited as meeting.reschedule, in the transaction
// that appends the schedule.
func (s *Service) RescheduleMeeting(ctx context.Context, actor moudesk.Actor, meetingID int64, mv MeetingMove) (*Meeting, error) {
	if _, err := time.Parse(moudesk.DateLayout, mv.Date); err != nil {
		return nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_date", Field: "date", Message: "date must be a day written YYYY-MM-DD"}
	}
	if err := moudesk.CheckText("location", mv.Location, moudesk.MaxShortText, false); err != nil {
		return nil, err
	}
	if err := moudesk.CheckText("note", mv.Note, moudesk.MaxText, false); err != nil {
		return nil, err
	}
	mt, err := s.store.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	m, err := s.actingMOU(ctx, actor, mt.MOUID)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("meeting %d", meetingID))
	}
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Meeting(ctx, meetingID)
		if err != nil {
			return err
		}
		if done, err := tx.HasOutcome(ctx, meetingID); err != nil {
			return err
		} else if done {
			return moudesk.Errorf(moudesk.KindConflict, "outcome_recorded", "meeting %d has its outcome: it took place and cannot move", meetingID)
		}
		_, def, err := s.definition(ctx, tx, cur.MOUID)
		if err != nil {
			return err
		}
		if err := actsForBody(actor, def, cur.Body, m); err != nil {
			return err
		}
		if cur.Date == mv.Date && cur.Location == mv.Location {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unchanged", Field: "date",
				Message: fmt.Sprintf("meeting %d is already on %s at that place", meetingID, mv.Date)}
		}
		seq, err := tx.InsertSchedule(ctx, actor, meetingID, mv)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "meeting.reschedule", fmt.Sprintf("meeting:%d", meetingID), map[string]any{
			"mou": cur.MOUID, "body": cur.Body, "from_date": cur.Date, "date": mv.Date,
			"from_location": cur.Location, "location": mv.Location, "sequence": seq, "note": mv.Note})
	})
	if err != nil {
		return nil, err
	}
	return s.store.Meeting(ctx, meetingID)
}

// PartyCalendar is the calendar of the meetings actor may see as staff:
// their party's MOUs' (an admin of no party: every MOU's, which they may
// read); a user of no party sees none.
func (s *Service) PartyCalendar(ctx context.Context, actor moudesk.Actor) ([]CalendarEntry, error) {
	if actor.Party == "" && !actor.Admin && !actor.IsSystem() {
		return []CalendarEntry{}, nil
	}
	return s.calendar(ctx, CalendarScope{Party: actor.Party})
}

// MOUCalendar is the calendar of MOU id's meetings, for a user who may
// see it (404 otherwise).
func (s *Service) MOUCalendar(ctx context.Context, actor moudesk.Actor, id int64) ([]CalendarEntry, error) {
	if err := s.CanSeeMOU(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.calendar(ctx, CalendarScope{MOUID: id})
}

// MeetingCalendar is one meeting as a calendar, for a user who may see
// its MOU (404 otherwise).
func (s *Service) MeetingCalendar(ctx context.Context, actor moudesk.Actor, meetingID int64) ([]CalendarEntry, error) {
	if err := s.CanSeeMeeting(ctx, actor, meetingID); err != nil {
		return nil, err
	}
	mt, err := s.store.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	return s.entries(ctx, []Meeting{*mt})
}

// PublicCalendar is the public calendar: the meetings of executed
// agreements, whose record is public (see the comment at the top).
func (s *Service) PublicCalendar(ctx context.Context) ([]CalendarEntry, error) {
	return s.calendar(ctx, CalendarScope{ExecutedOnly: true})
}

// FeedCalendar is the calendar a secret feed URL reads: its user's
// PartyCalendar, decided on the user as they are now (a user moved to
// another party, or disabled, reads accordingly). An unknown or revoked
// token is not found.
func (s *Service) FeedCalendar(ctx context.Context, token string) ([]CalendarEntry, *User, error) {
	if !strings.HasPrefix(token, auth.CalendarPrefix) || len(token) > 128 {
		return nil, nil, moudesk.ErrNotFound("calendar feed")
	}
	u, err := s.store.CalendarFeedUser(ctx, auth.HashToken(token))
	if err != nil {
		return nil, nil, err
	}
	cal, err := s.PartyCalendar(ctx, ActorOf(u.Principal("", 0), ""))
	return cal, u, err
}

// CreateCalendarFeed makes a secret feed URL's token for the caller and
// returns it with the token, which is shown this once.
func (s *Service) CreateCalendarFeed(ctx context.Context, actor moudesk.Actor, label string) (*CalendarFeed, string, error) {
	if actor.UserID == 0 {
		return nil, "", moudesk.Errorf(moudesk.KindForbidden, "forbidden", "a calendar feed belongs to a user")
	}
	plain, hash, err := auth.NewCalendarToken()
	if err != nil {
		return nil, "", err
	}
	f, err := s.store.CreateCalendarFeed(ctx, actor, actor.UserID, label, hash)
	if err != nil {
		return nil, "", err
	}
	return f, plain, nil
}

// CalendarFeedsOf lists the caller's feed URLs.
func (s *Service) CalendarFeedsOf(ctx context.Context, actor moudesk.Actor) ([]CalendarFeed, error) {
	return s.store.CalendarFeeds(ctx, actor.UserID)
}

// RevokeCalendarFeed ends one of the caller's feed URLs (another user's
// is not found).
func (s *Service) RevokeCalendarFeed(ctx context.Context, actor moudesk.Actor, id int64) error {
	return s.store.RevokeCalendarFeed(ctx, actor, actor.UserID, id)
}

func (s *Service) calendar(ctx context.Context, scope CalendarScope) ([]CalendarEntry, error) {
	meetings, err := s.store.CalendarMeetings(ctx, scope, maxCalendarMeetings)
	if err != nil {
		return nil, err
	}
	return s.entries(ctx, meetings)
}

// entries adds each meeting's MOU title and body title, reading each MOU
// and its definition once.
func (s *Service) entries(ctx context.Context, meetings []Meeting) ([]CalendarEntry, error) {
	mous := map[int64]*MOU{}
	out := make([]CalendarEntry, 0, len(meetings))
	for _, mt := range meetings {
		m, ok := mous[mt.MOUID]
		if !ok {
			var err error
			if m, err = s.store.MOU(ctx, mt.MOUID); err != nil {
				return nil, err
			}
			mous[mt.MOUID] = m
		}
		def, err := s.workflows.Lookup(ctx, m.Workflow, m.WorkflowVersion)
		if err != nil {
			return nil, err
		}
		out = append(out, CalendarEntry{Meeting: mt, MOUTitle: m.Title, BodyTitle: BodyTitle(def, mt.Body)})
	}
	return out, nil
}
