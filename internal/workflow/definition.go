// Package workflow holds the review workflow of an MOU as data — a
// Definition parsed from YAML under templates/workflows — and the pure rules
// that interpret it: which moves are allowed by hand, which body may record
// which outcome and where it leads, whether votes agree with an outcome,
// when approvals are complete or stale, and when signing is done. No stage
// name is written in this package's code; every stage comes from the
// definition. It knows nothing of HTTP or SQL.
package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/moudesk/moudesk/internal/strictyaml"
)

// Stage kinds. The kind decides which rules apply to a stage; its name is
// free for the definition to choose.
const (
	KindDraft     = "draft"     // the MOU is being written; revisions allowed when Editable
	KindReview    = "review"    // bodies meet and forward or send back one revision
	KindApproval  = "approval"  // every acting body must approve the same content hash
	KindSignature = "signature" // signatories sign the approved revision in order
	KindTerminal  = "terminal"  // nothing more happens (executed, withdrawn)
)

// Outcomes a body may record at a meeting. The set is fixed because
// CheckVotes gives each a meaning; which of them a body may record in a
// stage is data.
const (
	OutcomeForward = "forward"
	OutcomeRevise  = "revise"
	OutcomeApprove = "approve"
	OutcomeReject  = "reject"
)

// PartyJoint is the party of a body that belongs to no single party
// (committees, joint meetings, advisory teams): any party of the MOU acts
// for it. Every other body names a party role of the MOU's template
// ("city", "district", "police_service", "commission"…), so a definition
// serves any number of parties.
const PartyJoint = "joint"

// PartyCity and PartyDistrict are the roles of the shipped two-party
// templates, named here only for tests and examples.
const (
	PartyCity     = "city"
	PartyDistrict = "district"
)

// Definition is one review process. Parse and LoadFS return only valid
// definitions; treat a Definition as read-only, since one value is shared
// by every MOU that uses it.
type Definition struct {
	Name    string          `yaml:"name"`
	Title   string          `yaml:"title"`
	Initial string          `yaml:"initial"` // stage a new MOU starts in
	Bodies  map[string]Body `yaml:"bodies"`  // keyed by body name
	Stages  []Stage         `yaml:"stages"`  // in display order
	// Oversight names the bodies that monitor the agreement once in
	// force (oversight.go); empty when no body does.
	Oversight Oversight `yaml:"oversight"`

	index map[string]int // stage name → position in Stages
}

// Body is a group that meets and records outcomes (a committee, a council).
type Body struct {
	Name     string `yaml:"-"` // the key under bodies:
	Title    string `yaml:"title"`
	Party    string `yaml:"party"`     // a template party role, or PartyJoint
	RollCall bool   `yaml:"roll_call"` // every outcome must carry recorded votes
}

// Stage is one step of the process.
type Stage struct {
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	Kind  string `yaml:"kind"`
	// Editable stages accept new revisions and stay where they are.
	Editable bool `yaml:"editable"`
	// RequireFeedbackClosed forbids leaving the stage forward while any
	// feedback item is open; going back to a draft stage or to a terminal
	// stage (withdrawal) is always allowed, since that is how feedback is
	// answered or abandoned.
	RequireFeedbackClosed bool `yaml:"require_feedback_closed"`
	// OnNewRevision is where the MOU goes when a revision is made while it
	// is in this stage; it makes any approval given so far stale. Empty in a
	// non-editable stage means new revisions are refused.
	OnNewRevision string `yaml:"on_new_revision"`
	// Next is where approval and signature stages go once complete.
	Next string `yaml:"next"`
	// AmendTo, on a terminal stage, is where an amendment cycle starts.
	AmendTo string `yaml:"amend_to"`
	// Manual lists the stages reachable by hand (POST transitions); every
	// other move comes from a meeting outcome.
	Manual []string `yaml:"manual"`
	Acts   []Acting `yaml:"acts"`
}

// Acting says that a body meets in a stage, which outcomes it may record and
// where each leads. In an approval stage "approve" leads nowhere (""): the
// stage is left for Next only once every acting body approved the same hash.
type Acting struct {
	Body     string            `yaml:"body"`
	Outcomes map[string]string `yaml:"outcomes"` // outcome → next stage
	// AfterRevision says where an outcome leads once the text is revised:
	// "revise: approval" lets an MOU the body sent back to draft go straight
	// to approval by hand once a newer revision is saved and no feedback is
	// open, as Pleasanton's joint meeting did ("the MOU has been amended"),
	// instead of meeting again. Keyed by outcome; the outcome must lead to a
	// draft stage.
	AfterRevision map[string]string `yaml:"after_revision"`
}

// maxDefinitionSize bounds what Parse reads. Real definitions are about
// 2 KB, and the YAML parser's cost grows about quadratically on hostile
// input (64 KiB of "[][]…" takes over a second; 32 KiB about a third).
const maxDefinitionSize = 32 << 10

// Parse reads and validates one definition. Unknown fields, duplicate keys
// and every structural problem are refused; a *DefinitionError lists the
// structural problems.
func Parse(data []byte) (*Definition, error) {
	if len(data) > maxDefinitionSize {
		return nil, fmt.Errorf("parse workflow definition: %d bytes exceeds the %d byte limit", len(data), maxDefinitionSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("parse workflow definition: empty document")
	}
	var d Definition
	if err := strictyaml.Decode(data, &d); err != nil {
		return nil, fmt.Errorf("parse workflow definition: %w", err)
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// LoadFS parses every *.yaml file in the root of fsys, keyed by file base
// name ("default" for default.yaml). A file's name: must equal its base
// name, so the key stored with an MOU always finds the same definition.
func LoadFS(fsys fs.FS) (map[string]*Definition, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list workflow definitions: %w", err)
	}
	defs := make(map[string]*Definition, len(files))
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("read workflow definition %s: %w", file, err)
		}
		d, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		key := strings.TrimSuffix(path.Base(file), ".yaml")
		if d.Name != key {
			return nil, fmt.Errorf("%s: name %q does not match the file name %q", file, d.Name, key)
		}
		defs[key] = d
	}
	if len(defs) == 0 {
		return nil, errors.New("load workflow definitions: no *.yaml file found")
	}
	return defs, nil
}

// Stage returns a copy of the named stage, so callers cannot alter the
// shared definition.
func (d *Definition) Stage(name string) (*Stage, bool) {
	s := d.stage(name)
	if s == nil {
		return nil, false
	}
	c := *s
	c.Manual = slices.Clone(s.Manual)
	c.Acts = make([]Acting, len(s.Acts))
	for i, a := range s.Acts {
		c.Acts[i] = Acting{Body: a.Body, Outcomes: maps.Clone(a.Outcomes), AfterRevision: maps.Clone(a.AfterRevision)}
	}
	return &c, true
}

// StageNames returns the stage names in the order the definition lists
// them, which is the order dashboards show columns in. (It cannot be called
// Stages: that is the field.)
func (d *Definition) StageNames() []string {
	names := make([]string, len(d.Stages))
	for i, s := range d.Stages {
		names[i] = s.Name
	}
	return names
}

// Body returns the named body.
func (d *Definition) Body(name string) (Body, bool) {
	b, ok := d.Bodies[name]
	return b, ok
}

// stage is the internal lookup; it returns nil for an unknown name.
func (d *Definition) stage(name string) *Stage {
	i, ok := d.index[name]
	if !ok {
		return nil
	}
	return &d.Stages[i]
}

// acting returns how body acts in stage s, or nil when it does not.
func (s *Stage) acting(body string) *Acting {
	for i := range s.Acts {
		if s.Acts[i].Body == body {
			return &s.Acts[i]
		}
	}
	return nil
}
