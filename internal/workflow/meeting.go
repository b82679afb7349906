package workflow

// Meeting is an outcome a clerk records, with the facts the rules need.
type Meeting struct {
	Stage        string // the MOU's stage when the body met
	Body         string
	Outcome      string
	ContentHash  string // of the revision under review
	Votes        []Vote
	OpenFeedback int        // feedback items still open on the MOU
	Approvals    []Approval // approvals already recorded in this stage
}

// Result is what recording a meeting outcome does to the MOU.
type Result struct {
	Next     string    // stage after the outcome; equals Meeting.Stage when it stays
	Moved    bool      // Next differs from Meeting.Stage
	Approval *Approval // an approval to store, when the outcome was "approve"
}

// RecordOutcome applies every rule to one meeting outcome: the body must act
// in the stage and may record the outcome, the votes must agree with it,
// and open feedback must not block the move. In an approval stage an
// "approve" yields an Approval for m.ContentHash and moves on only when,
// with m.Approvals, every required body approved that same hash. Nothing is
// changed on error.
func (d *Definition) RecordOutcome(m Meeting) (Result, error) {
	next, err := d.Outcome(m.Stage, m.Body, m.Outcome)
	if err != nil {
		return Result{}, err
	}
	if err := CheckVotes(d.Bodies[m.Body], m.Outcome, m.Votes); err != nil {
		return Result{}, err
	}
	s := d.stage(m.Stage)
	if s.Kind != KindApproval || m.Outcome != OutcomeApprove {
		if err := d.CheckLeave(m.Stage, next, m.OpenFeedback); err != nil {
			return Result{}, err
		}
		return Result{Next: next, Moved: next != m.Stage}, nil
	}

	if m.ContentHash == "" {
		return Result{}, ruleErr(CodeStaleApproval, "an approval must name the content hash of the revision approved")
	}
	// An approval with feedback open could never complete the stage; refuse
	// it now rather than record a vote on text that must still change.
	if err := d.CheckLeave(m.Stage, s.Next, m.OpenFeedback); err != nil {
		return Result{}, err
	}
	a := Approval{Body: m.Body, ContentHash: m.ContentHash}
	all := append(append(make([]Approval, 0, len(m.Approvals)+1), m.Approvals...), a)
	if done, to := d.ApprovalsComplete(m.Stage, m.ContentHash, all); done {
		return Result{Next: to, Moved: true, Approval: &a}, nil
	}
	return Result{Next: m.Stage, Approval: &a}, nil
}
