package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

type stageGroup struct {
	Stage string
	Title string
	MOUs  []desk.MOU
}

type feedbackTodo struct {
	MOU      desk.MOU
	Feedback desk.Feedback
	Heading  string
}

type meetingTodo struct {
	MOU       desk.MOU
	Meeting   desk.Meeting
	BodyTitle string
}

type dashboardPage struct {
	Groups    []stageGroup
	Feedback  []feedbackTodo
	Meetings  []meetingTodo
	Signing   []desk.MOU
	Approvals []desk.MOU
	Empty     bool
	// Next is the address of the page of older MOUs, "" on the last
	// page; Later says this page is not the first. The lists of what
	// waits cover the MOUs of this page.
	Next  string
	Later bool
}

// dashboard shows a page of MOUs, newest first (?cursor= for older ones),
// by stage and what waits for the caller on them: open feedback for
// drafters, meetings without an outcome for the clerk who may record them,
// signatures due for signatories.
func (p *pageHandlers) dashboard(c *gin.Context) error {
	ctx := c.Request.Context()
	me := principal(c)
	pg, err := readListPage(c, "mous")
	if err != nil {
		return err
	}
	mous, err := p.desk.MOUsFor(ctx, actor(c), "", pg.after, pg.limit+1)
	if err != nil {
		return err
	}
	out := dashboardPage{Empty: len(mous) == 0 && pg.after == 0, Later: pg.after != 0}
	mous, next := pageOf(mous, pg, "mous", func(m desk.MOU) int64 { return m.ID })
	out.Next = nextPageLink("/dashboard", next, pg, nil)
	groups := map[string]int{}
	for _, m := range mous {
		// A definition that cannot be used fails that MOU's own pages, not
		// everyone's landing page: the MOU is listed under its stage's
		// name, with nothing waiting on it.
		def, err := p.desk.Workflow(ctx, m.Workflow, m.WorkflowVersion)
		if err != nil && !moudesk.IsKind(err, moudesk.KindUnprocessable) {
			return err
		}
		key := m.Stage
		i, ok := groups[key]
		if !ok {
			i = len(out.Groups)
			groups[key] = i
			out.Groups = append(out.Groups, stageGroup{Stage: m.Stage, Title: stageTitle(def, m.Stage)})
		}
		out.Groups[i].MOUs = append(out.Groups[i].MOUs, m)
		if def == nil {
			continue
		}
		st, _ := def.Stage(m.Stage)
		if st == nil || st.Kind == workflow.KindTerminal {
			continue
		}
		// The list leaves out parties; the checks below that need them
		// share one read of the whole MOU.
		var full *desk.MOU
		withParties := func() (*desk.MOU, error) {
			if full == nil {
				var err error
				full, err = p.desk.MOU(ctx, m.ID)
				return full, err
			}
			return full, nil
		}
		if me.Can(auth.RevisionWrite) {
			open, err := p.desk.MOUFeedback(ctx, m.ID, desk.FeedbackOpen, 0, desk.NoLimit)
			if err != nil {
				return err
			}
			if len(open) > 0 {
				full, err := withParties()
				if err != nil {
					return err
				}
				rev, err := p.desk.Revision(ctx, m.ID, m.CurrentRevision)
				if err != nil {
					return err
				}
				for _, f := range open {
					out.Feedback = append(out.Feedback, feedbackTodo{MOU: *full, Feedback: f, Heading: sectionHeading(rev.Sections, f.Section)})
				}
			}
		}
		if me.Can(auth.OutcomeWrite) {
			ms, err := p.desk.Meetings(ctx, m.ID, 0, desk.NoLimit)
			if err != nil {
				return err
			}
			full, err := withParties()
			if err != nil {
				return err
			}
			for _, mt := range ms {
				if mt.Outcome == nil && mt.Stage == m.Stage && desk.MayRecord(me, def, mt.Body, full) {
					out.Meetings = append(out.Meetings, meetingTodo{MOU: m, Meeting: mt, BodyTitle: desk.BodyTitle(def, mt.Body)})
				}
			}
		}
		if st.Kind == workflow.KindApproval {
			out.Approvals = append(out.Approvals, m)
		}
		if st.Kind == workflow.KindSignature && me.Can(auth.SignatureWrite) {
			full, err := withParties()
			if err != nil {
				return err
			}
			due, err := p.signatureDue(ctx, me, full)
			if err != nil {
				return err
			}
			if due {
				out.Signing = append(out.Signing, m)
			}
		}
	}
	order, _, err := p.desk.Workflows().Latest(ctx, "default")
	if err != nil && !moudesk.IsKind(err, moudesk.KindUnprocessable) {
		return err
	}
	sortGroups(out.Groups, order)
	return p.renderPage(c, http.StatusOK, "dashboard", "Dashboard", "dashboard", out)
}

// signatureDue reports whether it is me's turn to sign MOU m: one of the
// lines that may sign now is theirs.
func (p *pageHandlers) signatureDue(ctx context.Context, me *auth.Principal, m *desk.MOU) (bool, error) {
	lines, err := p.desk.SignatoryLines(ctx, m)
	if err != nil {
		return false, err
	}
	next := desk.NextLines(lines)
	for _, l := range lines {
		if l.UserID == me.UserID && l.SignedAt == nil && slices.Contains(next, l.Line) {
			return true, nil
		}
	}
	return false, nil
}

// sortGroups orders stage groups as def (the default workflow) lists its
// stages, so the dashboard reads from first draft to executed; stages it
// does not name follow in the order met. A nil def leaves that order.
func sortGroups(gs []stageGroup, def *workflow.Definition) {
	if def == nil {
		return
	}
	rank := map[string]int{}
	for i, n := range def.StageNames() {
		rank[n] = i + 1
	}
	r := func(s string) int {
		if v, ok := rank[s]; ok {
			return v
		}
		return len(rank) + 1
	}
	for i := 1; i < len(gs); i++ {
		for j := i; j > 0 && r(gs[j].Stage) < r(gs[j-1].Stage); j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
}
