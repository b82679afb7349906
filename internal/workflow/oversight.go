package workflow

import (
	"slices"
	"strings"
)

// Oversight names the bodies that monitor an agreement once it is in
// force: Duluth's SRO Advisory Team reviewing citation data each quarter,
// Calgary's special oversight board "for the duration of the SRO program
// transformation". They hold monitoring meetings on the executed revision:
// status updates per obligation, feedback and recommendations, and an
// outcome that either carries on or starts an amendment. Monitoring
// happens only in a stage an agreement can be amended from (a terminal
// stage with amend_to: executed, not withdrawn), since the only change
// oversight can ask of the text is an amendment.
type Oversight struct {
	Bodies []string `yaml:"bodies"`
}

// Outcomes of a monitoring meeting. Both record a motion that carried
// (CheckVotes): "continue" notes the status and keeps the agreement as it
// is; "amend" asks for a change and starts an amendment cycle in the stage
// amend_to names.
const (
	OutcomeContinue = "continue"
	OutcomeAmend    = "amend"
)

// MonitoringOutcomes lists the outcomes of a monitoring meeting.
var MonitoringOutcomes = []string{OutcomeContinue, OutcomeAmend}

// Monitors lists the bodies that hold monitoring meetings in stage, in
// the order the definition names them; none outside a stage in force.
func (d *Definition) Monitors(stage string) []string {
	s := d.stage(stage)
	if s == nil || !inForce(s) {
		return nil
	}
	out := make([]string, 0, len(d.Oversight.Bodies))
	for _, b := range d.Oversight.Bodies {
		if _, ok := d.Bodies[b]; ok {
			out = append(out, b)
		}
	}
	return out
}

// inForce is a stage whose agreement is in force: terminal, and
// amendable (executed), unlike a withdrawn one.
func inForce(s *Stage) bool { return s.Kind == KindTerminal && s.AmendTo != "" }

// InForce reports whether an MOU in stage is an agreement in force.
func (d *Definition) InForce(stage string) bool {
	s := d.stage(stage)
	return s != nil && inForce(s)
}

// CheckMonitoring refuses a monitoring meeting of body while the MOU is in
// stage: the stage must be one the agreement is in force in (422
// wrong_stage), and the body one the definition's oversight: lists (422
// body_not_acting, naming the bodies that do monitor).
func (d *Definition) CheckMonitoring(stage, body string) error {
	s, err := d.lookup(stage)
	if err != nil {
		return err
	}
	if !inForce(s) {
		return ruleErr(CodeWrongStage, "monitoring meetings are held on an agreement in force; stage %q is not one", stage)
	}
	mon := d.Monitors(stage)
	if slices.Contains(mon, body) {
		return nil
	}
	who := "workflow " + d.Name + " names no oversight body"
	if len(mon) > 0 {
		who = "monitoring: " + strings.Join(mon, ", ")
	}
	return ruleErr(CodeBodyNotActing, "%q does not monitor the agreement in stage %q (%s)", body, stage, who)
}

// MonitoringResult is what a monitoring outcome does.
type MonitoringResult struct {
	// AmendTo is the stage an amendment starts in when the outcome is
	// "amend", else "".
	AmendTo string
}

// RecordMonitoring applies the rules to a monitoring meeting's outcome:
// the body must monitor in the stage, the outcome be continue or amend,
// and the votes agree with it (a roll-call body must vote). Nothing is
// changed on error; the MOU itself never moves, an amendment is a new MOU.
func (d *Definition) RecordMonitoring(stage, body, outcome string, votes []Vote) (MonitoringResult, error) {
	if err := d.CheckMonitoring(stage, body); err != nil {
		return MonitoringResult{}, err
	}
	if !slices.Contains(MonitoringOutcomes, outcome) {
		return MonitoringResult{}, ruleErr(CodeOutcomeNotAllowed, "%s may not record %q at a monitoring meeting (allowed: %s)",
			bodyLabel(d.Bodies[body]), outcome, strings.Join(MonitoringOutcomes, ", "))
	}
	if err := CheckVotes(d.Bodies[body], outcome, votes); err != nil {
		return MonitoringResult{}, err
	}
	if outcome == OutcomeAmend {
		return MonitoringResult{AmendTo: d.stage(stage).AmendTo}, nil
	}
	return MonitoringResult{}, nil
}

// Statuses a monitoring body gives an obligation at a meeting: its own
// judgement of how the duty is being carried out, beside the schedule's
// state (met, late…) which follows from reports and dates.
const (
	StatusOnTrack  = "on_track"
	StatusAtRisk   = "at_risk"
	StatusOffTrack = "off_track"
	StatusComplete = "complete"
)

// ObligationStatuses lists the statuses in the order forms offer them.
var ObligationStatuses = []string{StatusOnTrack, StatusAtRisk, StatusOffTrack, StatusComplete}

// CheckStatusUpdate refuses a status update outside a monitoring meeting
// of an agreement in force (the meeting's stage, 422 wrong_stage), after
// the meeting's outcome is recorded (its record is closed, 422
// wrong_stage), or with a status not in ObligationStatuses (422
// invalid_status).
func (d *Definition) CheckStatusUpdate(meetingStage string, decided bool, status string) error {
	if !d.InForce(meetingStage) {
		return ruleErr(CodeWrongStage, "status updates are given at monitoring meetings of an agreement in force; this meeting was held in stage %q", meetingStage)
	}
	if decided {
		return ruleErr(CodeWrongStage, "the meeting's outcome is recorded; its status updates are closed")
	}
	if !slices.Contains(ObligationStatuses, status) {
		return ruleErr(CodeInvalidStatus, "status %q is not one of %s", status, strings.Join(ObligationStatuses, ", "))
	}
	return nil
}
