package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/workflow"
)

// The outcome form offers voteRows member rows; "more rows" (?rows=)
// offers up to maxVoteRows for a large body, without JavaScript.
const (
	voteRows    = 9
	maxVoteRows = 40
)

// rowCount is how many vote rows the form shows: ?rows= on the page, the
// posted "rows" when the form comes back.
func rowCount(c *gin.Context) int {
	v := c.Query("rows")
	if c.Request.Method == http.MethodPost {
		v = c.PostForm("rows")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < voteRows {
		return voteRows
	}
	return min(n, maxVoteRows)
}

type bodyChoice struct{ Name, Title string }

type newMeetingPage struct {
	MOU      *desk.MOU
	Stage    string
	Bodies   []bodyChoice
	Body     string
	Date     string
	Location string
	Agenda   string
	Revision int
	Errors   map[string]string
}

func (p *pageHandlers) newMeetingData(c *gin.Context) (*newMeetingPage, error) {
	m, def, err := p.mouAndWorkflow(c)
	if err != nil {
		return nil, err
	}
	out := &newMeetingPage{MOU: m, Stage: stageTitle(def, m.Stage), Revision: m.CurrentRevision, Errors: map[string]string{},
		Date: p.cfg.Now().Format("2006-01-02")}
	if st, ok := def.Stage(m.Stage); ok {
		for _, a := range st.Acts {
			out.Bodies = append(out.Bodies, bodyChoice{Name: a.Body, Title: desk.BodyTitle(def, a.Body)})
		}
	}
	for _, b := range def.Monitors(m.Stage) {
		out.Bodies = append(out.Bodies, bodyChoice{Name: b, Title: desk.BodyTitle(def, b)})
	}
	if len(out.Bodies) > 0 {
		out.Body = out.Bodies[0].Name
	}
	return out, nil
}

func (p *pageHandlers) newMeetingForm(c *gin.Context) error {
	form, err := p.newMeetingData(c)
	if err != nil {
		return err
	}
	return p.renderPage(c, http.StatusOK, "newmeeting", "Record a meeting", "", form)
}

func (p *pageHandlers) createMeetingPage(c *gin.Context) error {
	form, err := p.newMeetingData(c)
	if err != nil {
		return err
	}
	form.Body, form.Date = c.PostForm("body"), strings.TrimSpace(c.PostForm("date"))
	form.Location, form.Agenda = c.PostForm("location"), c.PostForm("agenda_item")
	if n, err := strconv.Atoi(c.PostForm("revision")); err == nil {
		form.Revision = n
	}
	mt, err := p.desk.CreateMeeting(c.Request.Context(), actor(c), form.MOU.ID, desk.NewMeeting{
		Body: form.Body, Date: form.Date, Location: form.Location, AgendaItem: form.Agenda, Revision: form.Revision})
	if err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		form.Errors = errs
		return p.renderPage(c, http.StatusUnprocessableEntity, "newmeeting", "Record a meeting", "", form)
	}
	return seeOther(c, "/meetings/"+itoa64(mt.ID), "meeting")
}

type voteRow struct {
	Index  int
	Member string
	Vote   string
}

type meetingPage struct {
	Meeting    *desk.Meeting
	MOU        *desk.MOU
	BodyTitle  string
	StageTitle string
	Sections   []mou.Section
	Headings   map[string]string
	Outcomes   []string
	RollCall   bool
	CanFeed    bool
	CanRecord  bool
	// CanMove offers the form that moves a meeting not yet held: to the
	// clerks who may record it (the service decides on the post).
	CanMove bool
	Tally   workflow.Tally
	// the forms, kept as typed when refused
	FSection, FText, FQuote  string
	Outcome, Resolution, Min string
	Votes                    []voteRow
	Errors                   map[string]string
	Prev                     int
	MoreRows                 int // the row count the "more rows" link asks for; 0 at the maximum
	MDate, MLocation, MNote  string
	MoveErrors               map[string]string
	// A monitoring meeting of an agreement in force: the obligations it
	// may give a status, what each is, and the status form as typed.
	Monitoring           bool
	Obligations          []desk.Obligation
	ObligationWhat       map[int64]string
	Statuses             []string
	CanStatus            bool
	FObligation          int64
	FStatus, FStatusNote string
}

func (p *pageHandlers) meetingData(c *gin.Context) (*meetingPage, error) {
	ctx := c.Request.Context()
	mid, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return nil, err
	}
	mt, err := p.desk.Meeting(ctx, mid)
	if err != nil {
		return nil, err
	}
	m, err := p.desk.MOU(ctx, mt.MOUID)
	if err != nil {
		return nil, err
	}
	def, err := p.desk.Workflow(c.Request.Context(), m.Workflow, m.WorkflowVersion)
	if err != nil {
		return nil, err
	}
	rev, err := p.desk.Revision(ctx, m.ID, mt.Revision)
	if err != nil {
		return nil, err
	}
	me := principal(c)
	out := &meetingPage{Meeting: mt, MOU: m, BodyTitle: desk.BodyTitle(def, mt.Body), StageTitle: stageTitle(def, mt.Stage),
		Sections: rev.Sections, Headings: map[string]string{}, Errors: map[string]string{}, Prev: mt.Revision - 1}
	for _, s := range rev.Sections {
		out.Headings[s.Key] = s.Heading
	}
	if b, ok := def.Body(mt.Body); ok {
		out.RollCall = b.RollCall
	}
	if st, ok := def.Stage(mt.Stage); ok {
		for _, a := range st.Acts {
			if a.Body == mt.Body {
				for o := range a.Outcomes {
					out.Outcomes = append(out.Outcomes, o)
				}
			}
		}
	}
	if def.InForce(mt.Stage) {
		out.Outcomes = append(out.Outcomes, workflow.MonitoringOutcomes...)
	}
	sort.Slice(out.Outcomes, func(i, j int) bool { return outcomeRank(out.Outcomes[i]) < outcomeRank(out.Outcomes[j]) })
	open := mt.Outcome == nil
	out.CanFeed = open && me.Can(auth.FeedbackWrite)
	out.CanRecord = open && mt.Stage == m.Stage && desk.MayRecord(me, def, mt.Body, m)
	out.CanMove = open && desk.MayRecord(me, def, mt.Body, m)
	out.MDate, out.MLocation, out.MoveErrors = mt.Date, mt.Location, map[string]string{}
	if mt.Outcome != nil {
		out.Tally, _ = workflow.TallyVotes(mt.Outcome.Votes)
	}
	if def.InForce(mt.Stage) {
		out.Monitoring, out.Statuses, out.ObligationWhat = true, workflow.ObligationStatuses, map[int64]string{}
		if out.Obligations, err = p.desk.ObligationsOf(ctx, actor(c), m.ID, false); err != nil {
			return nil, err
		}
		for _, o := range out.Obligations {
			out.ObligationWhat[o.ID] = o.What
		}
		out.CanStatus = open && desk.MayRecord(me, def, mt.Body, m) && len(out.Obligations) > 0
	}
	for i := range rowCount(c) {
		out.Votes = append(out.Votes, voteRow{Index: i})
	}
	if n := len(out.Votes); n < maxVoteRows {
		out.MoreRows = min(n+10, maxVoteRows)
	}
	return out, nil
}

// outcomeRank lists the hoped-for outcome first in the form.
func outcomeRank(o string) int {
	switch o {
	case workflow.OutcomeApprove, workflow.OutcomeForward, workflow.OutcomeContinue:
		return 0
	case workflow.OutcomeRevise, workflow.OutcomeAmend:
		return 1
	}
	return 2
}

func (p *pageHandlers) meetingPage(c *gin.Context) error {
	out, err := p.meetingData(c)
	if err != nil {
		return err
	}
	return p.renderPage(c, http.StatusOK, "meeting", out.BodyTitle+", "+out.Meeting.Date, "", out)
}

func (p *pageHandlers) addFeedbackPage(c *gin.Context) error {
	out, err := p.meetingData(c)
	if err != nil {
		return err
	}
	out.FSection, out.FText, out.FQuote = c.PostForm("section"), c.PostForm("text"), c.PostForm("quote")
	if strings.TrimSpace(out.FText) == "" {
		out.Errors["text"] = "Write the feedback."
		return p.renderPage(c, http.StatusUnprocessableEntity, "meeting", out.BodyTitle+", "+out.Meeting.Date, "", out)
	}
	_, err = p.desk.CreateFeedback(c.Request.Context(), actor(c), out.Meeting.ID, out.FSection, out.FText, out.FQuote)
	if err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		out.Errors = errs
		return p.renderPage(c, http.StatusUnprocessableEntity, "meeting", out.BodyTitle+", "+out.Meeting.Date, "", out)
	}
	return seeOther(c, "/meetings/"+itoa64(out.Meeting.ID)+"#feedback", "feedback")
}

// addStatusUpdatePage records a monitoring body's status of one
// obligation from the meeting page's form.
func (p *pageHandlers) addStatusUpdatePage(c *gin.Context) error {
	out, err := p.meetingData(c)
	if err != nil {
		return err
	}
	out.FStatus, out.FStatusNote = c.PostForm("status"), c.PostForm("note")
	out.FObligation, _ = strconv.ParseInt(c.PostForm("obligation"), 10, 64)
	_, err = p.desk.AddStatusUpdate(c.Request.Context(), principal(c), actor(c), out.Meeting.ID,
		desk.NewStatusUpdate{Obligation: out.FObligation, Status: out.FStatus, Note: out.FStatusNote})
	p.auditOutcomeRefusal(c, err)
	if err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		out.Errors = errs
		return p.renderPage(c, http.StatusUnprocessableEntity, "meeting", out.BodyTitle+", "+out.Meeting.Date, "", out)
	}
	return seeOther(c, "/meetings/"+itoa64(out.Meeting.ID)+"#status", "status")
}

// recordOutcomePage records the outcome and the vote table. Rows with no
// member name are ignored, so the clerk fills only as many as voted.
func (p *pageHandlers) recordOutcomePage(c *gin.Context) error {
	out, err := p.meetingData(c)
	if err != nil {
		return err
	}
	out.Outcome, out.Resolution, out.Min = c.PostForm("outcome"), c.PostForm("resolution"), c.PostForm("minutes")
	var votes []workflow.Vote
	for i := range out.Votes {
		member := strings.TrimSpace(c.PostForm("member_" + strconv.Itoa(i)))
		vote := c.PostForm("vote_" + strconv.Itoa(i))
		out.Votes[i].Member, out.Votes[i].Vote = member, vote
		if member != "" {
			votes = append(votes, workflow.Vote{Member: member, Vote: vote})
		}
	}
	if out.Outcome == "" {
		out.Errors["outcome"] = "Choose the outcome."
		return p.renderPage(c, http.StatusUnprocessableEntity, "meeting", out.BodyTitle+", "+out.Meeting.Date, "", out)
	}
	_, _, err = p.desk.RecordOutcome(c.Request.Context(), principal(c), actor(c), out.Meeting.ID, desk.NewOutcome{
		Outcome: out.Outcome, Votes: votes, Resolution: out.Resolution, Minutes: out.Min})
	p.auditOutcomeRefusal(c, err)
	if err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		for k, v := range errs {
			if strings.HasPrefix(k, "votes") || k == "_form" {
				out.Errors["votes"] = v
			} else {
				out.Errors[k] = v
			}
		}
		return p.renderPage(c, http.StatusUnprocessableEntity, "meeting", out.BodyTitle+", "+out.Meeting.Date, "", out)
	}
	return seeOther(c, "/mous/"+itoa64(out.MOU.ID), "outcome")
}

// transitionPage moves an MOU by hand from its page.
func (p *pageHandlers) transitionPage(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := p.desk.Transition(c.Request.Context(), actor(c), id, c.PostForm("to"), c.PostForm("note")); err != nil {
		return err
	}
	return seeOther(c, "/mous/"+itoa64(id), "moved")
}

// declineFeedbackPage closes a feedback item without a change, with a reason.
func (p *pageHandlers) declineFeedbackPage(c *gin.Context) error {
	fid, err := positiveID(c, "fid", "feedback")
	if err != nil {
		return err
	}
	f, err := p.desk.DeclineFeedback(c.Request.Context(), actor(c), fid, c.PostForm("reason"))
	if err != nil {
		return err
	}
	return seeOther(c, "/mous/"+itoa64(f.MOUID)+"#section-"+f.Section, "resolved")
}

// resolveFeedbackPage closes a feedback item as resolved by a revision
// that changed its section; the store refuses one that did not.
func (p *pageHandlers) resolveFeedbackPage(c *gin.Context) error {
	fid, err := positiveID(c, "fid", "feedback")
	if err != nil {
		return err
	}
	rev, err := strconv.Atoi(c.PostForm("revision"))
	if err != nil || rev < 1 {
		return errInvalid("invalid_revision", "the form lost the revision that resolves the feedback")
	}
	f, err := p.desk.ResolveFeedback(c.Request.Context(), actor(c), fid, rev)
	if err != nil {
		return err
	}
	return seeOther(c, "/mous/"+itoa64(f.MOUID)+"#section-"+f.Section, "resolved")
}

// rescheduleMeetingPage moves the meeting (desk.RescheduleMeeting) from
// its page's form.
func (p *pageHandlers) rescheduleMeetingPage(c *gin.Context) error {
	out, err := p.meetingData(c)
	if err != nil {
		return err
	}
	out.MDate, out.MLocation, out.MNote = strings.TrimSpace(c.PostForm("date")), c.PostForm("location"), c.PostForm("note")
	_, err = p.desk.RescheduleMeeting(c.Request.Context(), actor(c), out.Meeting.ID, desk.MeetingMove{Date: out.MDate, Location: out.MLocation, Note: out.MNote})
	if err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		out.MoveErrors = errs
		e, _ := clientError(err)
		return p.renderPage(c, statusOf[e.Kind], "meeting", out.BodyTitle+", "+out.Meeting.Date, "", out)
	}
	return seeOther(c, "/meetings/"+itoa64(out.Meeting.ID), "rescheduled")
}
