package desk

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

// The events that notify, each called inside the write transaction of the
// act that causes it, after the act's own writes.

// noticeMOU is the MOU a notice is about, as committed: its title and
// parties do not change, and the transaction's own writes are not what a
// notice names.
func (s *Service) noticeMOU(ctx context.Context, id int64) (*MOU, error) {
	return s.store.MOU(ctx, id)
}

// notifyTurn tells each signatory whose line may be signed now that it is
// their turn: in a signature stage, the unsigned lines of the lowest order
// still unsigned (NextLines), read in tx, so the signature or move just
// written counts. A line told once is never told again for the same
// revision (the key), so calling it after every act that may change the
// turn is safe.
func (s *Service) notifyTurn(ctx context.Context, tx Tx, actor moudesk.Actor, mouID int64) error {
	st, def, err := s.definition(ctx, tx, mouID)
	if err != nil {
		return err
	}
	if def.Kind(st.Stage) != workflow.KindSignature || st.Executed != 0 {
		return nil
	}
	m, err := s.noticeMOU(ctx, mouID)
	if err != nil {
		return err
	}
	lines, err := s.signatoryLinesTx(ctx, tx, m, st.Current)
	if err != nil {
		return err
	}
	for _, n := range NextLines(lines) {
		l := lines[slices.IndexFunc(lines, func(l Signatory) bool { return l.Line == n })]
		if l.UserID == 0 {
			continue // told when someone is assigned to it
		}
		err := s.notify(ctx, tx, moudesk.System, RecipientQuery{UserIDs: []int64{l.UserID}}, notice{
			kind: NoticeTurn, mouID: mouID, link: fmt.Sprintf("/mous/%d/sign", mouID),
			key:     fmt.Sprintf("turn.m%d.r%d.l%d", mouID, st.Current, l.Line),
			subject: "Your turn to sign: " + m.Title,
			text: fmt.Sprintf("MOU %d, %q, is ready for your signature: line %d, %s for %s. Revision %d is the approved text; review the signing PDF and sign it on the signing page.",
				mouID, m.Title, l.Line, l.Title, l.PartyName, st.Current),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// bodyParties are the slugs of the MOU's parties a body acts for: its own
// party's, or every party's for a joint body.
func bodyParties(def *workflow.Definition, body string, m *MOU) []string {
	slug, ok := bodyParty(def, body, m)
	if !ok {
		return nil
	}
	if slug != "" {
		return []string{slug}
	}
	return mouPartySlugs(m)
}

func mouPartySlugs(m *MOU) []string {
	out := make([]string, 0, len(m.Parties))
	for _, p := range m.Parties {
		out = append(out, p.Slug)
	}
	return out
}

// notifyMeeting tells the reviewers of the body's parties that the new
// meeting's packet is ready, and its clerks that its outcome is theirs to
// record (see NoticeOutcome for why at scheduling).
func (s *Service) notifyMeeting(ctx context.Context, tx Tx, actor moudesk.Actor, def *workflow.Definition, mouID, meetingID int64, n NewMeeting) error {
	m, err := s.noticeMOU(ctx, mouID)
	if err != nil {
		return err
	}
	parties := bodyParties(def, n.Body, m)
	if len(parties) == 0 {
		return nil
	}
	body := BodyTitle(def, n.Body)
	link := fmt.Sprintf("/meetings/%d", meetingID)
	err = s.notify(ctx, tx, actor, RecipientQuery{Parties: parties, Roles: []auth.Role{auth.RoleReviewer}}, notice{
		kind: NoticePacket, mouID: mouID, link: link, key: fmt.Sprintf("packet.mt%d", meetingID),
		subject: fmt.Sprintf("Packet ready: %s, %s", body, n.Date),
		text: fmt.Sprintf("%s meets on %s to review MOU %d, %q (revision %d). The meeting packet (the text, the redline and the feedback so far) is ready on the meeting page.",
			body, n.Date, mouID, m.Title, n.Revision),
	})
	if err != nil {
		return err
	}
	// The clerk who scheduled the meeting is told too: recording its
	// outcome later is their task, and the list is where it waits.
	return s.notify(ctx, tx, moudesk.System, RecipientQuery{Parties: parties, Roles: []auth.Role{auth.RoleClerk}}, notice{
		kind: NoticeOutcome, mouID: mouID, link: link, key: fmt.Sprintf("outcome.mt%d", meetingID),
		subject: fmt.Sprintf("Outcome to record: %s, %s", body, n.Date),
		text: fmt.Sprintf("%s meets on %s about MOU %d, %q. After the meeting, record its outcome and roll call on the meeting page.",
			body, n.Date, mouID, m.Title),
	})
}

// notifyFeedback tells the drafters of every party of the MOU (drafting is
// shared) that feedback was raised on a section.
func (s *Service) notifyFeedback(ctx context.Context, tx Tx, actor moudesk.Actor, mt *Meeting, feedbackID int64, section, text string) error {
	m, err := s.noticeMOU(ctx, mt.MOUID)
	if err != nil {
		return err
	}
	return s.notify(ctx, tx, actor, RecipientQuery{Parties: mouPartySlugs(m), Roles: []auth.Role{auth.RoleDrafter}}, notice{
		kind: NoticeFeedback, mouID: m.ID, link: fmt.Sprintf("/meetings/%d#feedback-%d", mt.ID, feedbackID),
		key:     fmt.Sprintf("feedback.f%d", feedbackID),
		subject: fmt.Sprintf("Feedback on %q: %s", section, m.Title),
		text: fmt.Sprintf("Feedback was raised at the meeting of %s on section %q of MOU %d, %q (revision %d):\n\n%s",
			mt.Date, section, m.ID, m.Title, mt.Revision, excerpt(text, 600)),
	})
}

// notifyStale tells the clerks of each body whose approval revision made
// stale that its approval no longer counts.
func (s *Service) notifyStale(ctx context.Context, tx Tx, actor moudesk.Actor, def *workflow.Definition, mouID int64, revision int, stale []workflow.Approval) error {
	if len(stale) == 0 {
		return nil
	}
	m, err := s.noticeMOU(ctx, mouID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, a := range stale {
		if seen[a.Body] {
			continue
		}
		seen[a.Body] = true
		parties := bodyParties(def, a.Body, m)
		if len(parties) == 0 {
			continue
		}
		body := BodyTitle(def, a.Body)
		err := s.notify(ctx, tx, actor, RecipientQuery{Parties: parties, Roles: []auth.Role{auth.RoleClerk}}, notice{
			kind: NoticeStale, mouID: mouID, link: fmt.Sprintf("/mous/%d", mouID),
			key:     fmt.Sprintf("stale.m%d.r%d.%s", mouID, revision, a.Body),
			subject: fmt.Sprintf("Approval gone stale: %s", m.Title),
			text: fmt.Sprintf("Revision %d of MOU %d, %q, changed the text %s approved, so that approval no longer counts. The new text needs %s's approval at a new meeting.",
				revision, mouID, m.Title, body, body),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// notifyAmendment tells the staff of the agreement's parties that an
// amendment of it was started.
func (s *Service) notifyAmendment(ctx context.Context, tx Tx, actor moudesk.Actor, parent *MOU, amendmentID int64) error {
	return s.notify(ctx, tx, actor, RecipientQuery{Parties: mouPartySlugs(parent)}, notice{
		kind: NoticeAmendment, mouID: amendmentID, link: fmt.Sprintf("/mous/%d", amendmentID),
		key:     fmt.Sprintf("amendment.m%d", amendmentID),
		subject: "Amendment started: " + parent.Title,
		text: fmt.Sprintf("An amendment of MOU %d, %q, was started as MOU %d from its executed text. Drafting starts now.",
			parent.ID, parent.Title, amendmentID),
	})
}

// notifyObligation tells the staff of the party that owes an obligation
// that one of its dues is soon due or late (kind EventDueSoon or
// EventLate), in the transaction that records the reminder.
func (s *Service) notifyObligation(ctx context.Context, tx Tx, o Obligation, d Due, kind string) error {
	m, err := s.noticeMOU(ctx, o.MOUID)
	if err != nil {
		return err
	}
	subject, when := "Due soon", "is due on "+d.DueOn
	if kind == EventLate {
		subject, when = "Late", "was due on "+d.DueOn+" and no evidence has been submitted"
	}
	return s.notify(ctx, tx, moudesk.System, RecipientQuery{Parties: []string{o.Party}}, notice{
		kind: NoticeObligation, mouID: o.MOUID, link: fmt.Sprintf("/mous/%d#section-obligations", o.MOUID),
		key:     fmt.Sprintf("obligation.d%d.%s", d.ID, kind),
		subject: fmt.Sprintf("%s: %s (%s)", subject, o.What, d.Label),
		text: fmt.Sprintf("%s for %s under MOU %d, %q, %s. Submit the evidence on the MOU's page, or through POST /api/v1/mous/%d/obligations/%d/reports.",
			o.What, d.Label, o.MOUID, m.Title, when, o.MOUID, o.ID),
	})
}

// excerpt is s cut to at most n bytes at a rune boundary, marked when cut.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
