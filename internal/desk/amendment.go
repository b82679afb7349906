package desk

import (
	"context"
	"fmt"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/workflow"
)

// CreateAmendment starts "Amendment No. N" of an executed agreement (see
// the store's CreateAmendment for the text it starts from). Refused,
// writing nothing: an MOU that is itself an amendment (422
// amendment_of_amendment: amend the agreement), an agreement whose stage
// cannot be amended or that was never executed (422 not_amendable), and an
// agreement with an amendment still in a non-terminal stage (409
// amendment_in_progress: finish or withdraw it first).
func (s *Service) CreateAmendment(ctx context.Context, actor moudesk.Actor, parentID int64) (*MOU, error) {
	parent, err := s.actingMOU(ctx, actor, parentID)
	if err != nil {
		return nil, err
	}
	notifyStaff := func(tx Tx, id int64) error { return s.notifyAmendment(ctx, tx, actor, parent, id) }
	return s.store.CreateAmendment(ctx, actor, parentID, s.decideAmendment(ctx), notifyStaff)
}

// decideAmendment is the rule CreateAmendment and a monitoring meeting's
// "amend" both apply to the agreement as read in the write transaction:
// the stage the amendment starts in, or the refusal.
func (s *Service) decideAmendment(ctx context.Context) func(AgreementState) (string, error) {
	return func(a AgreementState) (string, error) {
		if a.AmendsMOUID != nil {
			return "", &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "amendment_of_amendment",
				Message: fmt.Sprintf("MOU %d is an amendment of MOU %d; start the next amendment from MOU %d", a.ID, *a.AmendsMOUID, *a.AmendsMOUID)}
		}
		def, err := s.workflows.Lookup(ctx, a.Workflow, a.WorkflowVersion)
		if err != nil {
			return "", err
		}
		start, err := def.Amend(a.Stage)
		if err != nil {
			return "", err
		}
		if a.ExecutedRevision == nil {
			return "", &workflow.RuleError{Code: workflow.CodeNotAmendable, Message: fmt.Sprintf("MOU %d has no executed revision to amend", a.ID)}
		}
		for _, p := range a.Amendments {
			if d, err := s.workflows.Lookup(ctx, p.Workflow, p.WorkflowVersion); err != nil || d.Kind(p.Stage) != workflow.KindTerminal {
				return "", &moudesk.Error{Kind: moudesk.KindConflict, Code: "amendment_in_progress",
					Message: fmt.Sprintf("Amendment No. %d (MOU %d) of MOU %d is still in stage %q; finish or withdraw it before starting another", p.Number, p.ID, a.ID, p.Stage),
					Data:    map[string]any{"amendment": p.ID, "number": p.Number, "stage": p.Stage}}
			}
		}
		return start, nil
	}
}
