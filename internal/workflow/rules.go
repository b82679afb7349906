package workflow

import (
	"slices"
	"strings"
)

// lookup returns the named stage or an unknown_stage error.
func (d *Definition) lookup(name string) (*Stage, error) {
	s := d.stage(name)
	if s == nil {
		return nil, ruleErr(CodeUnknownStage, "workflow %q has no stage %q", d.Name, name)
	}
	return s, nil
}

// live returns the named stage if something can still happen in it.
func (d *Definition) live(name string) (*Stage, error) {
	s, err := d.lookup(name)
	if err != nil {
		return nil, err
	}
	if s.Kind == KindTerminal {
		return nil, ruleErr(CodeTerminalStage, "stage %q is final; nothing more can happen in it", s.Name)
	}
	return s, nil
}

// Transition reports whether the MOU may be moved by hand from one stage to
// another. Only moves the definition lists under manual: are allowed; all
// others come from meeting outcomes or completed approvals and signatures.
// Callers also call CheckLeave with the open feedback count.
func (d *Definition) Transition(from, to string) error {
	s, err := d.live(from)
	if err != nil {
		return err
	}
	if _, err := d.lookup(to); err != nil {
		return err
	}
	if slices.Contains(s.Manual, to) {
		return nil
	}
	allowed := "none"
	if len(s.Manual) > 0 {
		allowed = strings.Join(s.Manual, ", ")
	}
	return ruleErr(CodeStageSkipped, "%s → %s is not a move allowed by hand (allowed from %s: %s); it needs a meeting outcome", from, to, from, allowed)
}

// Outcome reports where recording outcome by body in stage leads. In an
// approval stage "approve" returns the stage itself: the MOU stays there
// until ApprovalsComplete says every body approved the same content.
// Callers check votes with CheckVotes and feedback with CheckLeave, or use
// RecordOutcome, which does all of it.
func (d *Definition) Outcome(stage, body, outcome string) (next string, err error) {
	s, err := d.live(stage)
	if err != nil {
		return "", err
	}
	a := s.acting(body)
	if a == nil {
		return "", notActing(s, body)
	}
	next, ok := a.Outcomes[outcome]
	if !ok {
		allowed := make([]string, 0, len(a.Outcomes))
		for o := range a.Outcomes {
			allowed = append(allowed, o)
		}
		slices.Sort(allowed)
		return "", ruleErr(CodeOutcomeNotAllowed, "%s may not record %q in stage %q (allowed: %s)", body, outcome, stage, strings.Join(allowed, ", "))
	}
	if next == "" {
		return s.Name, nil
	}
	return next, nil
}

// CheckLeave enforces require_feedback_closed when moving from one stage to
// another with openFeedback items still open. Moving back to a draft stage
// or to a terminal stage is always allowed: that is how feedback gets
// answered, or the MOU abandoned.
func (d *Definition) CheckLeave(from, to string, openFeedback int) error {
	s, err := d.lookup(from)
	if err != nil {
		return err
	}
	t, err := d.lookup(to)
	if err != nil {
		return err
	}
	if !s.RequireFeedbackClosed || openFeedback <= 0 || t.Kind == KindDraft || t.Kind == KindTerminal || t.Name == s.Name {
		return nil
	}
	return ruleErr(CodeFeedbackOpen, "stage %q cannot move on to %q while %d feedback item(s) are open", from, to, openFeedback)
}

// CheckNewRevision reports whether a revision may be made while the MOU is
// in stage: editable stages and stages with on_new_revision accept one.
func (d *Definition) CheckNewRevision(stage string) error {
	s, err := d.live(stage)
	if err != nil {
		return err
	}
	if s.Editable || s.OnNewRevision != "" {
		return nil
	}
	return ruleErr(CodeNotEditable, "no new revision can be made in stage %q", stage)
}

// AfterNewRevision says where the MOU goes once a revision was made in
// stage. changed is true when it must move; any approval recorded before is
// then stale and must be discarded. An editable (or unknown) stage stays.
func (d *Definition) AfterNewRevision(stage string) (next string, changed bool) {
	s := d.stage(stage)
	if s == nil || s.OnNewRevision == "" {
		return stage, false
	}
	return s.OnNewRevision, true
}

// Amend returns the stage an amendment cycle starts in from a terminal
// stage such as executed.
func (d *Definition) Amend(stage string) (next string, err error) {
	s, err := d.lookup(stage)
	if err != nil {
		return "", err
	}
	if s.AmendTo == "" {
		return "", ruleErr(CodeNotAmendable, "an MOU in stage %q cannot be amended; only an executed agreement can", stage)
	}
	return s.AmendTo, nil
}

// Kind returns the kind of the named stage, or "" when there is none.
func (d *Definition) Kind(stage string) string {
	if s := d.stage(stage); s != nil {
		return s.Kind
	}
	return ""
}

// CheckActs refuses a body that does not act in stage: a meeting of it
// there has nothing to decide.
func (d *Definition) CheckActs(stage, body string) error {
	s, err := d.lookup(stage)
	if err != nil {
		return err
	}
	if s.acting(body) == nil {
		return notActing(s, body)
	}
	return nil
}

// notActing is the refusal naming the bodies that do act in s.
func notActing(s *Stage, body string) error {
	acting := make([]string, len(s.Acts))
	for i, x := range s.Acts {
		acting[i] = x.Body
	}
	who := "no body acts in it"
	if len(acting) > 0 {
		who = "acting: " + strings.Join(acting, ", ")
	}
	return ruleErr(CodeBodyNotActing, "%q does not act in stage %q (%s)", body, s.Name, who)
}
