package workflow

import (
	"fmt"
	"strings"
)

// Codes of the rules a *RuleError reports. They are stable strings: the web
// adapter maps them to HTTP 422 (or 404 for CodeUnknownStage) and clients
// branch on them, so a code is never renamed.
const (
	CodeStageSkipped      = "stage_skipped"       // the move is not one the definition allows by hand
	CodeOutcomeNotAllowed = "outcome_not_allowed" // the body may not record this outcome in this stage
	CodeBodyNotActing     = "body_not_acting"     // the body does not act in this stage
	CodeVotesDisagree     = "votes_disagree"      // the vote counts contradict the recorded outcome
	CodeFeedbackOpen      = "feedback_open"       // the stage cannot be left while feedback is open
	CodeNotEditable       = "not_editable"        // no new revision may be made in this stage
	CodeStaleApproval     = "stale_approval"      // an approval is missing or was given to other content
	CodeInvalidVote       = "invalid_vote"        // a vote is malformed (member, value, roll call)
	CodeTerminalStage     = "terminal_stage"      // nothing happens in a terminal stage
	CodeUnknownStage      = "unknown_stage"       // the stage is not in the definition
	CodeWrongStage        = "wrong_stage"         // the action belongs to another kind of stage
	CodeNotSignatory      = "not_signatory"       // the signer is not a signatory of the MOU
	CodeSignatureOrder    = "signature_order"     // the signer is not next in signing order, or signed already
	CodeNotAmendable      = "not_amendable"       // only an MOU in a stage with amend_to (executed) can be amended
	CodeNotRevised        = "not_revised"         // an after_revision move needs a revision newer than the one reviewed
	CodeMissingParty      = "missing_party"       // a body belongs to a party role the MOU does not have
	CodeInvalidStatus     = "invalid_status"      // an obligation status update names no known status
)

// RuleError reports a workflow rule the caller's request would break. Its
// Message is safe to show to users: it names stages and bodies, never
// internal state.
type RuleError struct {
	Code    string
	Message string
}

func (e *RuleError) Error() string { return e.Code + ": " + e.Message }

func ruleErr(code, format string, args ...any) *RuleError {
	return &RuleError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// DefinitionError lists every problem found in a workflow definition, so an
// author fixes a file in one pass rather than one error per reload.
type DefinitionError struct {
	Definition string   // the definition's name, or "" when it has none yet
	Problems   []string // each names the stage, body or field at fault
}

func (e *DefinitionError) Error() string {
	name := e.Definition
	if name == "" {
		name = "(unnamed)"
	}
	return fmt.Sprintf("workflow definition %q is invalid: %s", name, strings.Join(e.Problems, "; "))
}
