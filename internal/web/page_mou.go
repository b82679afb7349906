package web

import (
	"net/http"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/workflow"
)

type stageStep struct {
	Name, Title     string
	Current, Passed bool
}

type transitionChoice struct{ To, Title string }

type approvalLine struct {
	Body      string
	Title     string
	Approved  bool
	CanRecord bool // the caller is a clerk who may record this body's vote
}

type sectionView struct {
	mou.Section
	Number   int
	Feedback []desk.Feedback
}

type mouPage struct {
	MOU         *desk.MOU
	Workflow    string
	StageTitle  string
	StageKind   string
	Steps       []stageStep
	Rev         *mou.Revision
	IsCurrent   bool
	Sections    []sectionView
	Revisions   []mou.RevisionInfo
	History     *revisionHistory // links to the rest of a long history
	Meetings    []desk.Meeting
	BodyTitles  map[string]string
	Reviewed    map[int64]int // meeting id → the revision it reviewed
	Open        []desk.Feedback
	Transitions []transitionChoice
	CanEdit     bool
	CanMeet     bool
	CanResolve  bool
	Approvals   []approvalLine
	Signatures  []desk.Signatory
	Deviations  int
	Prev        int
}

// mouPage shows one MOU: its stage, the sections of a revision (the
// current one unless ?rev= names another), history, meetings, open
// feedback, and the actions the caller may take next.
func (p *pageHandlers) mouPage(c *gin.Context) error {
	ctx := c.Request.Context()
	m, err := p.mouParam(c)
	if err != nil {
		return err
	}
	id := m.ID
	n := 0
	if r := c.Query("rev"); r != "" {
		if n, err = strconv.Atoi(r); err != nil || n < 1 {
			return errInvalid("invalid_rev", "rev must be a revision number")
		}
	}
	rev, err := p.desk.MarkedRevision(ctx, id, n)
	if err != nil {
		return err
	}
	def, err := p.desk.Workflow(c.Request.Context(), m.Workflow, m.WorkflowVersion)
	if err != nil {
		return err
	}
	hist, err := p.revisionHistory(c, id, m.CurrentRevision)
	if err != nil {
		return err
	}
	meetings, err := p.desk.Meetings(ctx, id, 0, desk.NoLimit)
	if err != nil {
		return err
	}
	open, err := p.desk.MOUFeedback(ctx, id, desk.FeedbackOpen, 0, desk.NoLimit)
	if err != nil {
		return err
	}
	me := principal(c)
	st, _ := def.Stage(m.Stage)
	out := mouPage{MOU: m, Workflow: def.Title, StageTitle: stageTitle(def, m.Stage), Rev: rev,
		IsCurrent: rev.Number == m.CurrentRevision, Revisions: hist.Revisions, History: hist, Meetings: meetings, Open: open,
		BodyTitles: map[string]string{}, Reviewed: map[int64]int{}, Prev: rev.Number - 1}
	for _, mt := range meetings {
		out.Reviewed[mt.ID] = mt.Revision
	}
	if st != nil {
		out.StageKind = st.Kind
	}
	for name, b := range def.Bodies {
		out.BodyTitles[name] = b.Title
	}
	out.Steps = stageSteps(def, m.Stage)
	byKey := map[string][]desk.Feedback{}
	for _, f := range open {
		byKey[f.Section] = append(byKey[f.Section], f)
	}
	for i, s := range rev.Sections {
		out.Sections = append(out.Sections, sectionView{Section: s, Number: i + 1, Feedback: byKey[s.Key]})
		if s.Deviation {
			out.Deviations++
		}
	}
	terminal := st == nil || st.Kind == workflow.KindTerminal
	out.CanEdit = out.IsCurrent && !terminal && me.Can(auth.RevisionWrite)
	// An agreement in force meets its monitoring bodies (oversight:).
	out.CanMeet = (!terminal && st != nil && len(st.Acts) > 0 || len(def.Monitors(m.Stage)) > 0) && me.Can(auth.MeetingWrite)
	out.CanResolve = me.Can(auth.FeedbackResolve)
	if st != nil && me.Can(auth.TransitionWrite) {
		for _, to := range st.Manual {
			out.Transitions = append(out.Transitions, transitionChoice{To: to, Title: stageTitle(def, to)})
		}
	}
	if req := def.RequiredApprovals(m.Stage); len(req) > 0 {
		// Approvals stand on the current revision: the one shown, unless
		// ?rev= asked for an older one.
		cur := rev
		if !out.IsCurrent {
			if cur, err = p.desk.Revision(ctx, id, m.CurrentRevision); err != nil {
				return err
			}
		}
		live, err := p.desk.LiveApprovals(ctx, id)
		if err != nil {
			return err
		}
		for _, b := range req {
			line := approvalLine{Body: b, Title: desk.BodyTitle(def, b)}
			for _, a := range live {
				if a.Body == b && a.ContentHash == cur.ContentHash {
					line.Approved = true
				}
			}
			out.Approvals = append(out.Approvals, line)
		}
	}
	if _, ok := p.desk.Template(m.Template); ok {
		if out.Signatures, err = p.desk.SignatoryLines(ctx, m); err != nil {
			return err
		}
	}
	return p.renderPage(c, http.StatusOK, "mou", m.Title, "", out)
}

// stageSteps lays the workflow's stages out as a progress list, leaving
// out terminal stages other than the one the MOU is in (withdrawn is not a
// step anyone aims for).
func stageSteps(def *workflow.Definition, current string) []stageStep {
	var out []stageStep
	passed := true
	for _, s := range def.Stages {
		if s.Name == current {
			passed = false
			out = append(out, stageStep{Name: s.Name, Title: s.Title, Current: true})
			continue
		}
		if s.Kind == workflow.KindTerminal && s.Name != "executed" {
			continue
		}
		out = append(out, stageStep{Name: s.Name, Title: s.Title, Passed: passed})
	}
	return out
}

// sectionHeading is the heading of the section with key, or the key when
// the section is gone.
func sectionHeading(secs []mou.Section, key string) string {
	for _, s := range secs {
		if s.Key == key {
			return s.Heading
		}
	}
	return key
}
