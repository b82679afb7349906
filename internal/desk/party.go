package desk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Party scope. An MOU is an agreement between its parties, and only they
// may see its drafts and records or act on it, each for itself:
//
//   - A user whose party is not on the MOU may not learn that it exists:
//     every MOU-scoped read and write is 404 not_found for them (drafts
//     between two other bodies are not theirs to know of). Executed MOUs
//     are public through the public routes.
//   - An admin sees every MOU but acts as no one: writing to an MOU of
//     another party is 403 not_a_party.
//   - Within an MOU, users act only for their own party: a clerk records
//     their own body's meetings and outcomes (a joint body's, any party
//     on the MOU: wrong_party otherwise), a signatory signs their own line,
//     and feedback is declined only by the party that raised it. Drafting
//     is shared: drafters of every party on the MOU may save revisions,
//     move the stage by hand and assign signatories, since co-drafting is
//     how these agreements are written.
//   - moudesk itself (moudesk.System: operators' commands) is not scoped.

// isParty reports whether the actor's party is one of m's.
func isParty(actor moudesk.Actor, m *MOU) bool {
	return actor.Party != "" && slices.ContainsFunc(m.Parties, func(p MOUParty) bool { return p.Slug == actor.Party })
}

// notFound is what an MOU looks like to a non-party.
func notFound(id int64) error { return moudesk.ErrNotFound(fmt.Sprintf("MOU %d", id)) }

// CanSee is nil when actor may read MOU m's non-public records: a user of
// one of its parties, an admin, or moudesk itself; 404 otherwise.
func CanSee(actor moudesk.Actor, m *MOU) error {
	if actor.IsSystem() || actor.Admin || isParty(actor, m) {
		return nil
	}
	return notFound(m.ID)
}

// canAct is nil when actor may write to MOU m: a user of one of its
// parties (or moudesk itself). An admin of another party sees it and is
// refused 403 not_a_party; anyone else 404.
func canAct(actor moudesk.Actor, m *MOU) error {
	if actor.IsSystem() || isParty(actor, m) {
		return nil
	}
	if actor.Admin {
		return moudesk.Errorf(moudesk.KindForbidden, "not_a_party", "your party is not a party to MOU %d; admins act for no one", m.ID)
	}
	return notFound(m.ID)
}

// VisibleMOU reads MOU id for actor: 404 when it does not exist or actor
// may not see it.
func (s *Service) VisibleMOU(ctx context.Context, actor moudesk.Actor, id int64) (*MOU, error) {
	m, err := s.store.MOU(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := CanSee(actor, m); err != nil {
		return nil, err
	}
	return m, nil
}

// actingMOU reads MOU id for a write by actor (see canAct).
func (s *Service) actingMOU(ctx context.Context, actor moudesk.Actor, id int64) (*MOU, error) {
	m, err := s.store.MOU(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := canAct(actor, m); err != nil {
		return nil, err
	}
	return m, nil
}

// MOUsFor lists the MOUs actor may see, newest first, by keyset (see
// Reader.MOUs): an admin's every MOU, anyone else's their party's.
func (s *Service) MOUsFor(ctx context.Context, actor moudesk.Actor, stage string, after int64, limit int) ([]MOU, error) {
	if actor.IsSystem() || actor.Admin {
		return s.store.MOUs(ctx, stage, after, limit)
	}
	if actor.Party == "" {
		return []MOU{}, nil
	}
	return s.store.PartyMOUs(ctx, actor.Party, stage, after, limit)
}

// scopeOf is the MOU's unchanging part (id, template, parties), from
// memory after the first read.
func (s *Service) scopeOf(ctx context.Context, id int64) (*MOU, error) {
	return s.scopes.Cached(id, func() (*MOU, error) {
		m, err := s.store.MOU(ctx, id)
		if err != nil {
			return nil, err
		}
		return &MOU{ID: m.ID, Template: m.Template, Parties: m.Parties}, nil
	})
}

// CanSeeMOU is nil when actor may see MOU id's non-public records
// (CanSee), 404 otherwise. It asks the MOU's remembered parties, not the
// store: every MOU-scoped request asks it before its handler reads.
func (s *Service) CanSeeMOU(ctx context.Context, actor moudesk.Actor, id int64) error {
	m, err := s.scopeOf(ctx, id)
	if err != nil {
		return err
	}
	return CanSee(actor, m)
}

// CanSeeMeeting is CanSeeMOU for the MOU a meeting belongs to.
func (s *Service) CanSeeMeeting(ctx context.Context, actor moudesk.Actor, meetingID int64) error {
	mt, err := s.store.Meeting(ctx, meetingID)
	if err != nil {
		return err
	}
	return s.canSeeOwner(ctx, actor, mt.MOUID, fmt.Sprintf("meeting %d", meetingID))
}

// CanSeeFeedback is CanSeeMOU for the MOU a feedback item belongs to.
func (s *Service) CanSeeFeedback(ctx context.Context, actor moudesk.Actor, id int64) error {
	f, err := s.store.FeedbackItem(ctx, id)
	if err != nil {
		return err
	}
	return s.canSeeOwner(ctx, actor, f.MOUID, fmt.Sprintf("feedback %d", id))
}

// canSeeOwner is CanSeeMOU for MOU mouID, which child (a meeting, a
// feedback item) belongs to. An MOU actor may not see answers 404 for
// child, as for a child that does not exist: nothing about its MOU.
func (s *Service) canSeeOwner(ctx context.Context, actor moudesk.Actor, mouID int64, child string) error {
	err := s.CanSeeMOU(ctx, actor, mouID)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return moudesk.ErrNotFound(child)
	}
	return err
}

// bodyParty is the slug of the MOU's party a body of def belongs to, or ""
// for a joint body (any party of the MOU acts for it).
func bodyParty(def *workflow.Definition, body string, m *MOU) (slug string, ok bool) {
	b, found := def.Body(body)
	if !found {
		return "", false
	}
	if b.Party == workflow.PartyJoint {
		return "", true
	}
	for _, p := range m.Parties {
		if p.Role == b.Party {
			return p.Slug, true
		}
	}
	return "", false
}

// actsForBody is nil when actor may act for body of MOU m: the body's own
// party, or any party of the MOU for a joint body.
func actsForBody(actor moudesk.Actor, def *workflow.Definition, body string, m *MOU) error {
	if actor.IsSystem() {
		return nil
	}
	slug, ok := bodyParty(def, body, m)
	if !ok {
		return nil // an unknown body is the workflow's to refuse
	}
	if slug == "" || slug == actor.Party {
		return nil
	}
	return moudesk.Errorf(moudesk.KindForbidden, "wrong_party", "%s acts for another party than yours", BodyTitle(def, body))
}

// AuditFor reads the audit log for actor: admins (and moudesk itself) read
// all of it; anyone else only the events of one MOU they may see (object
// "mou:N"), since the rest holds other parties' acts and failed sign-ins
// with addresses (403 forbidden; 404 for an MOU they may not see).
func (s *Service) AuditFor(ctx context.Context, actor moudesk.Actor, f AuditFilter) ([]audit.Event, error) {
	if !actor.IsSystem() && !actor.Admin {
		raw, ok := strings.CutPrefix(f.Object, "mou:")
		id, err := strconv.ParseInt(raw, 10, 64)
		if !ok || err != nil || id < 1 {
			return nil, moudesk.Errorf(moudesk.KindForbidden, "forbidden", "the whole audit log is for admins; ask for one MOU's events (mou=N)")
		}
		if err := s.CanSeeMOU(ctx, actor, id); err != nil {
			return nil, err
		}
	}
	return s.store.AuditEvents(ctx, f)
}
