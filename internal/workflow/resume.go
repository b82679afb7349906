package workflow

// LastOutcome is the outcome that moved an MOU into its current stage, as
// the stage history records it; nil when the last move had another cause.
type LastOutcome struct {
	Stage    string // the stage the body met in
	Body     string
	Outcome  string
	Revision int // the revision the body reviewed
}

// Resume is a move by hand the definition allows only after a revision:
// the body's outcome (last) sent the MOU back to the draft stage it is in,
// its after_revision names to for that outcome, a revision newer than the
// one the body reviewed has been saved (current), and no feedback is open.
// It is how "the MOU has been amended" goes straight to approval without a
// meeting that never took place. Transition's refusal stands when last
// does not allow the move at all.
func (d *Definition) Resume(stage, to string, last *LastOutcome, current, openFeedback int) error {
	s, err := d.live(stage)
	if err != nil {
		return err
	}
	if _, err := d.lookup(to); err != nil {
		return err
	}
	if last == nil {
		return d.Transition(stage, to)
	}
	from := d.stage(last.Stage)
	if from == nil {
		return d.Transition(stage, to)
	}
	a := from.acting(last.Body)
	if a == nil || a.AfterRevision[last.Outcome] != to || a.Outcomes[last.Outcome] != s.Name {
		return d.Transition(stage, to)
	}
	if current <= last.Revision {
		return ruleErr(CodeNotRevised, "%s sent revision %d back for revision; save the amended revision before moving on to %q", d.bodyTitle(last.Body), last.Revision, to)
	}
	if openFeedback > 0 {
		return ruleErr(CodeFeedbackOpen, "stage %q cannot move on to %q while %d feedback item(s) are open", stage, to, openFeedback)
	}
	return nil
}
