package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/desk"
)

// addStatusUpdate records a monitoring body's status of one obligation at
// one of its meetings on an agreement in force. Like an outcome, only a
// clerk of the body's party may (any party's for a joint body); that
// refusal is audited as a denied write.
func (w *workflowHandlers) addStatusUpdate(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	var req desk.NewStatusUpdate
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := w.desk.AddStatusUpdate(c.Request.Context(), principal(c), actor(c), id, req)
	w.auditOutcomeRefusal(c, err)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"status_update": u})
	return nil
}
