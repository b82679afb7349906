package web

import (
	"net/http"

	"github.com/moudesk/moudesk/internal/auth"
)

// workflowRoutes registers transitions, meetings, feedback and outcomes.
// The definitions are the ones shipped in the binary, the same set the
// store applies when a revision is made, so both always agree.
func (s *Server) workflowRoutes() {
	w := &workflowHandlers{Server: s}
	s.handle(http.MethodPost, "/api/v1/mous/:id/transitions", auth.TransitionWrite, w.transition)
	s.handle(http.MethodGet, "/api/v1/mous/:id/meetings", auth.MOURead, w.listMeetings)
	s.handle(http.MethodPost, "/api/v1/mous/:id/meetings", auth.MeetingWrite, w.createMeeting)
	s.handle(http.MethodGet, "/api/v1/mous/:id/feedback", auth.MOURead, w.listFeedback)
	s.handle(http.MethodGet, "/api/v1/mous/:id/summary", auth.MOURead, w.summary)
	s.handle(http.MethodGet, "/api/v1/meetings/:mid", auth.MOURead, w.getMeeting)
	s.handle(http.MethodPost, "/api/v1/meetings/:mid/feedback", auth.FeedbackWrite, w.createFeedback)
	s.handle(http.MethodPost, "/api/v1/meetings/:mid/outcome", auth.OutcomeWrite, w.recordOutcome)
	s.handle(http.MethodPost, "/api/v1/meetings/:mid/status-updates", auth.OutcomeWrite, w.addStatusUpdate)
	s.handle(http.MethodPost, "/api/v1/feedback/:fid/resolve", auth.FeedbackResolve, w.resolveFeedback)
	s.handle(http.MethodPost, "/api/v1/feedback/:fid/decline", auth.FeedbackResolve, w.declineFeedback)
}
