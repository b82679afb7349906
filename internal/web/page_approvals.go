package web

import (
	"net/http"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/workflow"
)

type approvalRow struct {
	MOU       desk.MOU
	Stage     string
	Kind      string
	Bodies    []approvalLine
	Revision  int
	Hash      string
	Scheduled map[string]int64 // body → meeting awaiting its outcome
}

type approvalsPage struct {
	Rows []approvalRow
}

// approvalsPage lists the MOUs awaiting approval or signature: for each,
// which governing bodies have approved the current text and which
// meeting is waiting for its vote.
func (p *pageHandlers) approvalsPage(c *gin.Context) error {
	ctx := c.Request.Context()
	mous, err := p.desk.MOUsFor(ctx, actor(c), "", 0, desk.NoLimit)
	if err != nil {
		return err
	}
	var out approvalsPage
	for _, m := range mous {
		// An MOU whose definition cannot be used cannot say whether it
		// waits for approval; it fails on its own page, not this one.
		def, err := p.desk.Workflow(ctx, m.Workflow, m.WorkflowVersion)
		if moudesk.IsKind(err, moudesk.KindUnprocessable) {
			continue
		}
		if err != nil {
			return err
		}
		st, ok := def.Stage(m.Stage)
		if !ok || (st.Kind != workflow.KindApproval && st.Kind != workflow.KindSignature) {
			continue
		}
		rev, err := p.desk.Revision(ctx, m.ID, 0)
		if err != nil {
			return err
		}
		row := approvalRow{MOU: m, Stage: stageTitle(def, m.Stage), Kind: st.Kind, Revision: rev.Number, Hash: rev.ContentHash, Scheduled: map[string]int64{}}
		if st.Kind == workflow.KindApproval {
			live, err := p.desk.LiveApprovals(ctx, m.ID)
			if err != nil {
				return err
			}
			meetings, err := p.desk.Meetings(ctx, m.ID, 0, desk.NoLimit)
			if err != nil {
				return err
			}
			for _, mt := range meetings {
				if mt.Outcome == nil && mt.Stage == m.Stage {
					row.Scheduled[mt.Body] = mt.ID
				}
			}
			full, err := p.desk.MOU(ctx, m.ID)
			if err != nil {
				return err
			}
			for _, b := range def.RequiredApprovals(m.Stage) {
				line := approvalLine{Body: b, Title: desk.BodyTitle(def, b), CanRecord: desk.MayRecord(principal(c), def, b, full)}
				for _, a := range live {
					if a.Body == b && a.ContentHash == rev.ContentHash {
						line.Approved = true
					}
				}
				row.Bodies = append(row.Bodies, line)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return p.renderPage(c, http.StatusOK, "approvals", "Approvals and signing", "approvals", out)
}
