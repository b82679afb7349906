package web

import (
	"errors"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/workflow"
)

// domainError maps the typed errors of domain packages other than clause
// (workflow rules, MOU assembly) to client errors. It grows as they land.
// A broken workflow rule is 422 with the rule's code, so clients branch on
// stage_skipped, body_not_acting and the rest; an unknown stage is 404.
func domainError(err error) (*moudesk.Error, bool) {
	var re *workflow.RuleError
	if errors.As(err, &re) {
		kind := moudesk.KindUnprocessable
		if re.Code == workflow.CodeUnknownStage {
			kind = moudesk.KindNotFound
		}
		return &moudesk.Error{Kind: kind, Code: re.Code, Message: re.Message}, true
	}
	return nil, false
}
