package desk

import (
	"context"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

// RecordOutcome records what a body decided at a meeting, for the
// caller's own party only, and returns the meeting and the MOU's stage
// afterwards.
func (s *Service) RecordOutcome(ctx context.Context, p *auth.Principal, actor moudesk.Actor, id int64, n NewOutcome) (*Meeting, string, error) {
	m, err := s.store.Meeting(ctx, id)
	if err != nil {
		return nil, "", err
	}
	mou, err := s.actingMOU(ctx, actor, m.MOUID)
	if err != nil {
		return nil, "", err
	}
	def, err := s.Workflow(ctx, mou.Workflow, mou.WorkflowVersion)
	if err != nil {
		return nil, "", err
	}
	if !MayRecord(p, def, m.Body, mou) {
		e := moudesk.Errorf(moudesk.KindForbidden, "wrong_party",
			"only a clerk acting for the party of %s may record its outcome", BodyTitle(def, m.Body))
		return nil, "", e
	}
	if err := s.recordOutcome(ctx, actor, id, n); err != nil {
		return nil, "", err
	}
	out, err := s.store.Meeting(ctx, id)
	if err != nil {
		return nil, "", err
	}
	after, err := s.store.MOU(ctx, m.MOUID)
	if err != nil {
		return nil, "", err
	}
	return out, after.Stage, nil
}

// MayRecord applies auth.CanRecordFor with the body's party resolved to
// the MOU's party in that role. A body whose role the MOU does not fill can
// be recorded by no one.
func MayRecord(p *auth.Principal, def *workflow.Definition, body string, m *MOU) bool {
	b, ok := def.Body(body)
	if !ok {
		return false
	}
	slugs := make([]string, 0, len(m.Parties))
	for _, mp := range m.Parties {
		slugs = append(slugs, mp.Slug)
	}
	if b.Party == workflow.PartyJoint {
		return auth.CanRecordFor(p, auth.JointBody, slugs)
	}
	for _, mp := range m.Parties {
		if mp.Role == b.Party {
			return auth.CanRecordFor(p, mp.Slug, slugs)
		}
	}
	return false
}

// BodyTitle is the body's title for messages and the summary.
func BodyTitle(def *workflow.Definition, body string) string {
	if b, ok := def.Body(body); ok && b.Title != "" {
		return b.Title
	}
	return body
}
