package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

// workflowHandlers serves transitions, meetings, feedback, outcomes and the
// review summary.
type workflowHandlers struct {
	*Server
}

// positiveID reads a path parameter that names a row by its id.
func positiveID(c *gin.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, errInvalid("invalid_id", "the %s id must be a positive whole number", what)
	}
	return id, nil
}

type transitionRequest struct {
	To   string `json:"to"`
	Note string `json:"note"`
}

// transition moves an MOU by hand; every move the definition does not list
// under manual: is 422 stage_skipped.
func (w *workflowHandlers) transition(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	var req transitionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := w.desk.Transition(c.Request.Context(), actor(c), id, req.To, req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"stage": ch.To, "transition": ch})
	return nil
}

type meetingRequest struct {
	Body       string `json:"body"`
	Date       string `json:"date"`
	Location   string `json:"location"`
	AgendaItem string `json:"agenda_item"`
	Revision   int    `json:"revision"`
}

func (w *workflowHandlers) createMeeting(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	var req meetingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := w.desk.CreateMeeting(c.Request.Context(), actor(c), id, desk.NewMeeting{
		Body: req.Body, Date: req.Date, Location: req.Location, AgendaItem: req.AgendaItem, Revision: req.Revision})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"meeting": m})
	return nil
}

func (w *workflowHandlers) listMeetings(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	p, err := readListPage(c, "meetings")
	if err != nil {
		return err
	}
	ms, err := w.desk.Meetings(c.Request.Context(), id, p.after, p.limit+1)
	if err != nil {
		return err
	}
	ms, next := pageOf(ms, p, "meetings", func(m desk.Meeting) int64 { return m.ID })
	c.JSON(http.StatusOK, pageBody("meetings", ms, next))
	return nil
}

func (w *workflowHandlers) getMeeting(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	m, err := w.desk.Meeting(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"meeting": m})
	return nil
}

type feedbackRequest struct {
	Section string `json:"section"`
	Text    string `json:"text"`
	Quote   string `json:"quote"`
}

func (w *workflowHandlers) createFeedback(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	var req feedbackRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := w.desk.CreateFeedback(c.Request.Context(), actor(c), id, req.Section, req.Text, req.Quote)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"feedback": f})
	return nil
}

func (w *workflowHandlers) listFeedback(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	p, err := readListPage(c, "feedback")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := w.desk.MOU(ctx, id); err != nil {
		return err
	}
	fs, err := w.desk.MOUFeedback(ctx, id, c.Query("status"), p.after, p.limit+1)
	if err != nil {
		return err
	}
	fs, next := pageOf(fs, p, "feedback", func(f desk.Feedback) int64 { return f.ID })
	c.JSON(http.StatusOK, pageBody("feedback", fs, next))
	return nil
}

type resolveRequest struct {
	Revision int `json:"revision"`
}

func (w *workflowHandlers) resolveFeedback(c *gin.Context) error {
	id, err := positiveID(c, "fid", "feedback")
	if err != nil {
		return err
	}
	var req resolveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := w.desk.ResolveFeedback(c.Request.Context(), actor(c), id, req.Revision)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"feedback": f})
	return nil
}

type declineRequest struct {
	Reason string `json:"reason"`
}

func (w *workflowHandlers) declineFeedback(c *gin.Context) error {
	id, err := positiveID(c, "fid", "feedback")
	if err != nil {
		return err
	}
	var req declineRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := w.desk.DeclineFeedback(c.Request.Context(), actor(c), id, req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"feedback": f})
	return nil
}

type outcomeRequest struct {
	Outcome    string          `json:"outcome"`
	Votes      []workflow.Vote `json:"votes"`
	Resolution string          `json:"resolution"`
	Minutes    string          `json:"minutes"`
}

// recordOutcome records a body's decision. Only a clerk of the body's own
// party may (any party of the MOU for a joint body): the city clerk cannot
// record the school board's vote. That refusal is audited like any other
// denied write, and writes nothing else.
func (w *workflowHandlers) recordOutcome(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	var req outcomeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, stage, err := w.desk.RecordOutcome(c.Request.Context(), principal(c), actor(c), id, desk.NewOutcome{
		Outcome: req.Outcome, Votes: req.Votes, Resolution: req.Resolution, Minutes: req.Minutes})
	w.auditOutcomeRefusal(c, err)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"meeting": out, "stage": stage})
	return nil
}

// auditOutcomeRefusal audits the service's refusal of an outcome for
// another party's body as the route guard audits its own refusals: with
// the request's route, which only the web layer knows.
func (s *Server) auditOutcomeRefusal(c *gin.Context, err error) {
	if e, ok := moudesk.AsError(err); ok && e.Code == "wrong_party" {
		s.auditDenial(c, auth.OutcomeWrite, e)
	}
}

func (w *workflowHandlers) summary(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	var since int64
	if q := c.Query("since_meeting"); q != "" {
		since, err = strconv.ParseInt(q, 10, 64)
		if err != nil || since < 1 {
			return errInvalid("invalid_since_meeting", "since_meeting must be a meeting id")
		}
	}
	out, err := w.desk.Summary(ctx, id, since)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="mou-%d-review-summary.md"`, id))
	c.Data(http.StatusOK, "text/markdown; charset=utf-8", out)
	return nil
}
