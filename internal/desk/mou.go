package desk

import (
	"time"

	"github.com/moudesk/moudesk/internal/mou"
)

// MOU is one agreement as the API shows it.
type MOU struct {
	ID              int64  `json:"id"`
	Title           string `json:"title"`
	Template        string `json:"template"`
	Workflow        string `json:"workflow"`
	WorkflowVersion int    `json:"workflow_version"` // of Workflow: the latest at creation, kept for good
	Stage           string `json:"stage"`
	CurrentRevision int    `json:"current_revision"`
	AmendsMOUID     *int64 `json:"amends_mou_id,omitempty"`
	// AmendmentNumber is N of "Amendment No. N" when the MOU amends
	// AmendsMOUID; BaseMOUID and BaseRevision name the executed text its
	// revision 1 copies (the agreement's, or an earlier amendment's).
	AmendmentNumber  *int       `json:"amendment_number,omitempty"`
	BaseMOUID        *int64     `json:"base_mou_id,omitempty"`
	BaseRevision     *int       `json:"base_revision,omitempty"`
	ExecutedRevision *int       `json:"executed_revision,omitempty"`
	ExecutedAt       *time.Time `json:"executed_at,omitempty"`
	Parties          []MOUParty `json:"parties"`
	CreatedAt        time.Time  `json:"created_at"`
}

// MOUParty is the party that fills one of the template's roles.
type MOUParty struct {
	Role string `json:"role"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Body string `json:"body"`
}

// NewMOU is what creating an MOU takes: the assembled revision 1 and the
// party slug chosen for each template role.
type NewMOU struct {
	Template string
	Workflow string // "" means "default"
	// WorkflowVersion is the version of Workflow the MOU will follow; 0
	// means 1.
	WorkflowVersion int
	Stage           string // the definition's initial stage; "" means "draft"
	Parties         map[string]string
	Content         *mou.Content
	Message         string
}

// StaleRevision is the Data of a 409 stale_revision: the revision the
// caller should have started from. The web layer adds the redline.
type StaleRevision struct {
	Base   int `json:"base"`
	Latest int `json:"latest_revision"`
}

// Amendment is one line of an agreement's amendment history.
type Amendment struct {
	ID              int64  `json:"id"`
	Number          int    `json:"number"`
	Title           string `json:"title"`
	Stage           string `json:"stage"`
	CurrentRevision int    `json:"current_revision"`
	// ExecutedRevision is set once the amendment itself is executed.
	ExecutedRevision *int  `json:"executed_revision,omitempty"`
	BaseMOUID        int64 `json:"base_mou_id"`
	BaseRevision     int   `json:"base_revision"`
}
