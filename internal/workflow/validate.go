package workflow

import (
	"fmt"
	"maps"
	"slices"

	"github.com/moudesk/moudesk"
)

// validate checks d as a whole and fills in derived fields (body names,
// default titles, the stage index). It collects every problem so an author
// sees them all at once.
func (d *Definition) validate() error {
	v := &validator{d: d}
	v.header()
	v.bodies()
	v.stageNames()
	for i := range d.Stages {
		v.stage(&d.Stages[i])
	}
	v.oversight()
	if len(v.problems) == 0 {
		// Graph checks only make sense once every reference resolves;
		// otherwise they repeat the same mistake in other words.
		v.graph()
	}
	if len(v.problems) > 0 {
		return &DefinitionError{Definition: d.Name, Problems: v.problems}
	}
	return nil
}

type validator struct {
	d        *Definition
	problems []string
}

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// validName accepts lowercase identifiers; hyphens only where allowed, so
// stage and body names stay usable as URL and SQL values without escaping.
func validName(s string, hyphen bool) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
		case r == '-' && hyphen:
		default:
			return false
		}
	}
	return true
}

func (v *validator) header() {
	d := v.d
	switch {
	case d.Name == "":
		v.addf("name is missing")
	case !validName(d.Name, true):
		v.addf("name %q must be lowercase letters, digits, '_' or '-'", d.Name)
	}
	if d.Title == "" {
		d.Title = d.Name
	}
	if len(d.Stages) == 0 {
		v.addf("no stages are defined")
	}
}

func (v *validator) bodies() {
	keys := make([]string, 0, len(v.d.Bodies))
	for k := range v.d.Bodies {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b := v.d.Bodies[k]
		if !validName(k, false) {
			v.addf("body %q: name must be lowercase letters, digits or '_'", k)
		}
		switch {
		case b.Party == "":
			v.addf("body %q: party is missing (a party role such as city or district, or joint)", k)
		case !moudesk.ValidRole(b.Party):
			v.addf("body %q: party %q must be a role name of lowercase letters, digits or '_', or joint", k, b.Party)
		}
		b.Name = k
		if b.Title == "" {
			b.Title = k
		}
		v.d.Bodies[k] = b
	}
}

func (v *validator) stageNames() {
	d := v.d
	d.index = make(map[string]int, len(d.Stages))
	for i, s := range d.Stages {
		switch {
		case s.Name == "":
			v.addf("stage #%d has no name", i+1)
			continue
		case !validName(s.Name, false):
			v.addf("stage %q: name must be lowercase letters, digits or '_'", s.Name)
		}
		if _, dup := d.index[s.Name]; dup {
			v.addf("stage %q is defined twice", s.Name)
			continue
		}
		d.index[s.Name] = i
		if s.Title == "" {
			d.Stages[i].Title = s.Name
		}
	}
	switch s := d.stage(d.Initial); {
	case d.Initial == "":
		v.addf("initial stage is missing")
	case s == nil:
		v.addf("initial stage %q does not exist", d.Initial)
	case s.Kind == KindTerminal:
		v.addf("initial stage %q is terminal", d.Initial)
	}
}

// ref checks that a field of stage s names an existing stage other than s.
func (v *validator) ref(s *Stage, field, target string) *Stage {
	t := v.d.stage(target)
	switch {
	case t == nil:
		v.addf("stage %q: %s leads to unknown stage %q", s.Name, field, target)
	case t.Name == s.Name:
		v.addf("stage %q: %s leads back to the same stage", s.Name, field)
	}
	return t
}

func (v *validator) stage(s *Stage) {
	switch s.Kind {
	case KindDraft, KindReview, KindApproval, KindSignature, KindTerminal:
	case "":
		v.addf("stage %q: kind is missing (draft, review, approval, signature or terminal)", s.Name)
	default:
		v.addf("stage %q: unknown kind %q (want draft, review, approval, signature or terminal)", s.Name, s.Kind)
	}
	if s.Editable && s.Kind != KindDraft {
		v.addf("stage %q: only a draft stage can be editable", s.Name)
	}
	v.kindRules(s)
	if s.OnNewRevision != "" {
		if s.Editable {
			v.addf("stage %q: an editable stage keeps new revisions; on_new_revision makes no sense", s.Name)
		}
		if t := v.ref(s, "on_new_revision", s.OnNewRevision); t != nil && t.Kind != KindDraft {
			v.addf("stage %q: on_new_revision must lead to a draft stage, not %q", s.Name, t.Name)
		}
	}
	if s.Next != "" {
		v.ref(s, "next", s.Next)
	}
	if s.AmendTo != "" {
		if t := v.ref(s, "amend_to", s.AmendTo); t != nil && t.Kind != KindDraft {
			v.addf("stage %q: amend_to must lead to a draft stage, not %q", s.Name, t.Name)
		}
	}
	seen := map[string]bool{}
	for _, to := range s.Manual {
		if seen[to] {
			v.addf("stage %q: manual move to %q is listed twice", s.Name, to)
		}
		seen[to] = true
		v.ref(s, "manual move", to)
	}
	v.acts(s)
}

// kindRules checks the fields each kind requires or forbids.
func (v *validator) kindRules(s *Stage) {
	switch s.Kind {
	case KindDraft, KindReview:
		if s.Next != "" {
			v.addf("stage %q: next is only for approval and signature stages", s.Name)
		}
		if s.Kind == KindDraft && len(s.Acts) > 0 {
			v.addf("stage %q: a draft stage has no acting bodies; it is left by a manual move", s.Name)
		}
		if s.Kind == KindReview && len(s.Acts) == 0 {
			v.addf("stage %q: a review stage needs at least one acting body", s.Name)
		}
	case KindApproval:
		if s.Next == "" {
			v.addf("stage %q: an approval stage needs next (where it goes once all approved)", s.Name)
		}
		approvers := 0
		for _, a := range s.Acts {
			if _, ok := a.Outcomes[OutcomeApprove]; ok {
				approvers++
			}
		}
		if approvers == 0 {
			v.addf("stage %q: an approval stage needs at least one body that may approve", s.Name)
		}
	case KindSignature:
		if s.Next == "" {
			v.addf("stage %q: a signature stage needs next (where it goes once all signed)", s.Name)
		}
		if len(s.Acts) > 0 {
			v.addf("stage %q: a signature stage has no acting bodies; signatories sign", s.Name)
		}
	case KindTerminal:
		if len(s.Acts) > 0 || len(s.Manual) > 0 || s.Next != "" || s.OnNewRevision != "" || s.RequireFeedbackClosed {
			v.addf("stage %q: a terminal stage allows no acts, manual moves, next, on_new_revision or require_feedback_closed", s.Name)
		}
	}
	if s.AmendTo != "" && s.Kind != KindTerminal {
		v.addf("stage %q: amend_to is only for terminal stages", s.Name)
	}
}

// oversight checks the oversight: section: declared bodies, each once,
// and a stage in force (terminal with amend_to) for them to monitor in.
func (v *validator) oversight() {
	seen := map[string]bool{}
	for _, b := range v.d.Oversight.Bodies {
		if _, ok := v.d.Bodies[b]; !ok {
			v.addf("oversight: unknown body %q (not declared under bodies)", b)
		}
		if seen[b] {
			v.addf("oversight: body %q is named twice", b)
		}
		seen[b] = true
	}
	if len(v.d.Oversight.Bodies) == 0 {
		return
	}
	for _, s := range v.d.Stages {
		if inForce(&s) {
			return
		}
	}
	v.addf("oversight: no stage is an agreement in force (a terminal stage with amend_to) for its bodies to monitor")
}

func (v *validator) acts(s *Stage) {
	seen := map[string]bool{}
	for _, a := range s.Acts {
		switch _, ok := v.d.Bodies[a.Body]; {
		case a.Body == "":
			v.addf("stage %q: an acting entry has no body", s.Name)
			continue
		case !ok:
			v.addf("stage %q: unknown body %q (not declared under bodies)", s.Name, a.Body)
		}
		if seen[a.Body] {
			v.addf("stage %q: body %q acts twice", s.Name, a.Body)
		}
		seen[a.Body] = true
		if len(a.Outcomes) == 0 {
			v.addf("stage %q: body %q has no outcomes", s.Name, a.Body)
		}
		outcomes := make([]string, 0, len(a.Outcomes))
		for o := range a.Outcomes {
			outcomes = append(outcomes, o)
		}
		slices.Sort(outcomes)
		for _, o := range outcomes {
			v.outcome(s, a.Body, o, a.Outcomes[o])
		}
		v.afterRevision(s, a)
	}
}

// afterRevision checks an acting body's after_revision entries: each names
// one of its outcomes that returns to a draft stage, and leads to a live
// stage that is not a draft.
func (v *validator) afterRevision(s *Stage, a Acting) {
	outcomes := slices.Sorted(maps.Keys(a.AfterRevision))
	for _, o := range outcomes {
		where := fmt.Sprintf("body %q after_revision %q", a.Body, o)
		back, ok := a.Outcomes[o]
		if !ok {
			v.addf("stage %q: %s names an outcome the body may not record here", s.Name, where)
			continue
		}
		if b := v.d.stage(back); b == nil || b.Kind != KindDraft {
			v.addf("stage %q: %s needs the outcome to return to a draft stage", s.Name, where)
			continue
		}
		if t := v.ref(s, where, a.AfterRevision[o]); t != nil && (t.Kind == KindDraft || t.Kind == KindTerminal) {
			v.addf("stage %q: %s must lead to a review, approval or signature stage, not %q", s.Name, where, t.Name)
		}
	}
}

func (v *validator) outcome(s *Stage, body, outcome, target string) {
	where := fmt.Sprintf("body %q outcome %q", body, outcome)
	switch outcome {
	case OutcomeForward, OutcomeRevise, OutcomeReject:
	case OutcomeApprove:
		if s.Kind != KindApproval {
			v.addf("stage %q: %s belongs in an approval stage", s.Name, where)
			return
		}
		if target != "" {
			v.addf("stage %q: %s must lead to \"\" (the stage waits for every approval, then goes to next)", s.Name, where)
		}
		return
	default:
		v.addf("stage %q: body %q: unknown outcome %q (want forward, revise, approve or reject)", s.Name, body, outcome)
		return
	}
	if outcome == OutcomeForward && s.Kind == KindApproval {
		v.addf("stage %q: %s would skip the approval rule; use approve", s.Name, where)
	}
	if target == "" {
		v.addf("stage %q: %s leads nowhere", s.Name, where)
		return
	}
	if t := v.ref(s, where, target); t != nil && outcome == OutcomeRevise && t.Kind != KindDraft {
		v.addf("stage %q: %s must return to a draft stage, not %q", s.Name, where, t.Name)
	}
}

// edges lists every stage s can move to, by hand or by rule.
func (d *Definition) edges(s *Stage) []string {
	out := slices.Clone(s.Manual)
	for _, a := range s.Acts {
		for _, t := range a.Outcomes {
			if t != "" {
				out = append(out, t)
			}
		}
	}
	// A draft stage an outcome returns to reaches that outcome's
	// after_revision stage by hand.
	for _, other := range d.Stages {
		for _, a := range other.Acts {
			for o, t := range a.AfterRevision {
				if a.Outcomes[o] == s.Name {
					out = append(out, t)
				}
			}
		}
	}
	for _, t := range []string{s.Next, s.OnNewRevision, s.AmendTo} {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// graph checks that every stage is reachable from the initial one and can
// reach a terminal stage, so no MOU is ever created into a dead end.
func (v *validator) graph() {
	d := v.d
	reached := map[string]bool{d.Initial: true}
	queue := []string{d.Initial}
	for len(queue) > 0 {
		s := d.stage(queue[0])
		queue = queue[1:]
		for _, t := range d.edges(s) {
			if !reached[t] {
				reached[t] = true
				queue = append(queue, t)
			}
		}
	}
	for _, s := range d.Stages {
		if !reached[s.Name] {
			v.addf("stage %q is not reachable from the initial stage %q", s.Name, d.Initial)
		}
	}

	// Walk backwards from the terminal stages.
	incoming := map[string][]string{}
	var ends []string
	for i := range d.Stages {
		s := &d.Stages[i]
		if s.Kind == KindTerminal {
			ends = append(ends, s.Name)
		}
		for _, t := range d.edges(s) {
			incoming[t] = append(incoming[t], s.Name)
		}
	}
	if len(ends) == 0 {
		v.addf("no terminal stage: an MOU could never be executed or withdrawn")
		return
	}
	finishes := map[string]bool{}
	for _, e := range ends {
		finishes[e] = true
	}
	for len(ends) > 0 {
		t := ends[0]
		ends = ends[1:]
		for _, from := range incoming[t] {
			if !finishes[from] {
				finishes[from] = true
				ends = append(ends, from)
			}
		}
	}
	for _, s := range d.Stages {
		if !finishes[s.Name] {
			v.addf("stage %q has no path to a terminal stage", s.Name)
		}
	}
}
