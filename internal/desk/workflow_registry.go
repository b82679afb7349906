package desk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/cache"
	"github.com/moudesk/moudesk/internal/strictyaml"
	"github.com/moudesk/moudesk/internal/workflow"
)

// WorkflowStore keeps the versions of workflow definitions. A stored
// version never changes (migration 011's triggers), which is what lets the
// registry parse each one once.
type WorkflowStore interface {
	// WorkflowVersion is one version with its source; not found when
	// there is none.
	WorkflowVersion(ctx context.Context, name string, version int) (*WorkflowVersion, error)
	// WorkflowVersions lists the versions of name, or of every definition
	// when name is "", by name and then version, each with how many MOUs
	// follow it and without its source; empty when none is stored.
	WorkflowVersions(ctx context.Context, name string) ([]WorkflowVersion, error)
	// LatestWorkflowVersion is the newest version of name; not found when
	// none is stored.
	LatestWorkflowVersion(ctx context.Context, name string) (int, error)
	// SaveWorkflowVersion stores n.Source as the next version of n.Name,
	// audited as workflow.version.create in the same transaction, and
	// returns it with created true. When the source equals the latest
	// version's, or n is shipped and the latest version is not (an
	// administrator's edit, which a restart must not replace), nothing is
	// written and it returns the latest version with created false.
	SaveWorkflowVersion(ctx context.Context, actor moudesk.Actor, n NewWorkflowVersion) (version int, created bool, err error)
}

// NewWorkflowVersion is a definition's YAML to store as its next version.
// The service has parsed it; the store keeps it byte for byte.
type NewWorkflowVersion struct {
	Name    string
	Source  string
	Shipped bool // from templates/workflows in the binary, stored at start-up
}

// WorkflowVersion is one stored version of a workflow definition.
type WorkflowVersion struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
	Source  string `json:"source,omitempty"`
	Shipped bool   `json:"shipped"`
	// CreatedBy is the e-mail address of the administrator who uploaded
	// it, or "system" for a shipped file.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	MOUs      int       `json:"mous"` // how many MOUs follow this version
}

// WorkflowSummary is one definition as the list of workflows shows it.
type WorkflowSummary struct {
	Name   string `json:"name"`
	Title  string `json:"title"` // the latest version's; the name when it does not parse
	Latest int    `json:"latest_version"`
	// Problem says why the latest version does not parse; "" when it does.
	Problem  string            `json:"problem,omitempty"`
	Versions []WorkflowVersion `json:"versions"`
}

// WorkflowDetail is one version with its source and what it defines.
type WorkflowDetail struct {
	WorkflowVersion
	Latest  int            `json:"latest_version"`
	Title   string         `json:"title"`
	Initial string         `json:"initial,omitempty"`
	Bodies  []WorkflowBody `json:"bodies"`
	Stages  []WorkflowStep `json:"stages"`
	// Problem says why the source does not parse (then Bodies and Stages
	// are empty); "" when it does.
	Problem string `json:"problem,omitempty"`
	// Versions, on the latest version only, lists every version.
	Versions []WorkflowVersion `json:"versions,omitempty"`
}

// WorkflowBody is a body of a definition as the API shows it.
type WorkflowBody struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Party    string `json:"party"`
	RollCall bool   `json:"roll_call"`
}

// WorkflowStep is a stage of a definition as the API shows it.
type WorkflowStep struct {
	Name     string           `json:"name"`
	Title    string           `json:"title"`
	Kind     string           `json:"kind"`
	Editable bool             `json:"editable,omitempty"`
	Next     string           `json:"next,omitempty"`
	Manual   []string         `json:"manual,omitempty"`
	Acts     []WorkflowActing `json:"acts,omitempty"`
}

// WorkflowActing is a body acting in a stage and where its outcomes lead.
type WorkflowActing struct {
	Body     string            `json:"body"`
	Outcomes map[string]string `json:"outcomes"`
}

// workflowCacheSize bounds the parsed definitions kept: a parsed
// definition is a few KB, and an MOU only ever needs its own version.
const workflowCacheSize = 256

// WorkflowRegistry is the stored workflow definitions, each version parsed
// once: a version never changes, so a cache keyed by name and version is
// never stale. A version that does not parse fails only the MOUs that
// follow it.
type WorkflowRegistry struct {
	store  WorkflowStore
	parsed *cache.LRU[workflowKey, parsedWorkflow]
}

type workflowKey struct {
	name    string
	version int
}

// parsedWorkflow is a stored version's parse: the definition or why it is
// refused. Both are cached; parsing the same bytes again gives the same
// answer.
type parsedWorkflow struct {
	def *workflow.Definition
	err error
}

func newWorkflowRegistry(store WorkflowStore) *WorkflowRegistry {
	return &WorkflowRegistry{store: store,
		parsed: cache.New[workflowKey](workflowCacheSize, workflowCacheSize*16<<10, func(parsedWorkflow) int { return 16 << 10 })}
}

// errUnknownWorkflow is the 422 for a workflow (or version of one) that is
// not stored on this server.
func errUnknownWorkflow(name string, version int) error {
	what := fmt.Sprintf("workflow %q", name)
	if version > 0 {
		what = fmt.Sprintf("version %d of workflow %q", version, name)
	}
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_workflow", Field: "workflow",
		Message: fmt.Sprintf("there is no %s on this server; GET /api/v1/workflows lists them", what)}
}

// Lookup is version of the definition name. Unknown: 422
// unknown_workflow. A stored version that does not parse (a validator
// grown stricter since it was stored) is 422 invalid_workflow for the MOUs
// on it only.
func (r *WorkflowRegistry) Lookup(ctx context.Context, name string, version int) (*workflow.Definition, error) {
	if version < 1 {
		return nil, errUnknownWorkflow(name, version)
	}
	p, err := r.parsed.Cached(workflowKey{name, version}, func() (parsedWorkflow, error) {
		v, err := r.store.WorkflowVersion(ctx, name, version)
		if err != nil {
			return parsedWorkflow{}, err
		}
		return parseStored(v), nil
	})
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, errUnknownWorkflow(name, version)
	}
	if err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "invalid_workflow", Field: "workflow",
			Message: fmt.Sprintf("version %d of workflow %q, which this MOU follows, cannot be used: %v", version, name, p.err)}
	}
	return p.def, nil
}

// parseStored parses a stored version as an upload is checked.
func parseStored(v *WorkflowVersion) parsedWorkflow {
	d, err := workflow.Parse([]byte(v.Source))
	if err == nil && d.Name != v.Name {
		err = fmt.Errorf("its name %q is not %q", d.Name, v.Name)
	}
	return parsedWorkflow{def: d, err: err}
}

// Latest is the newest version of name and its number (422
// unknown_workflow when none is stored, invalid_workflow when it does
// not parse). A new MOU follows it.
func (r *WorkflowRegistry) Latest(ctx context.Context, name string) (*workflow.Definition, int, error) {
	v, err := r.store.LatestWorkflowVersion(ctx, name)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, 0, errUnknownWorkflow(name, 0)
	}
	if err != nil {
		return nil, 0, err
	}
	d, err := r.Lookup(ctx, name, v)
	return d, v, err
}

// List is every stored definition, by name, with its versions and how
// many MOUs follow each.
func (r *WorkflowRegistry) List(ctx context.Context) ([]WorkflowSummary, error) {
	vs, err := r.store.WorkflowVersions(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []WorkflowSummary
	for _, v := range vs {
		if len(out) == 0 || out[len(out)-1].Name != v.Name {
			out = append(out, WorkflowSummary{Name: v.Name})
		}
		s := &out[len(out)-1]
		s.Versions = append(s.Versions, v)
		s.Latest = max(s.Latest, v.Version)
	}
	for i := range out {
		s := &out[i]
		s.Title = s.Name
		d, err := r.Lookup(ctx, s.Name, s.Latest)
		switch {
		case err == nil:
			s.Title = d.Title
		case moudesk.IsKind(err, moudesk.KindUnprocessable):
			s.Problem = problemOf(err)
		default:
			return nil, err
		}
	}
	return out, nil
}

// Versions is every version of name (404 when none is stored).
func (r *WorkflowRegistry) Versions(ctx context.Context, name string) ([]WorkflowVersion, error) {
	vs, err := r.store.WorkflowVersions(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("workflow %q", name))
	}
	return vs, nil
}

// Detail is version of name with its source and what it defines (404 when
// it is not stored). A version that does not parse is shown with its
// problem rather than refused, so an administrator can see what to fix.
func (r *WorkflowRegistry) Detail(ctx context.Context, name string, version int) (*WorkflowDetail, error) {
	vs, err := r.Versions(ctx, name)
	if err != nil {
		return nil, err
	}
	latest := vs[len(vs)-1].Version
	i := slices.IndexFunc(vs, func(v WorkflowVersion) bool { return v.Version == version })
	if i < 0 {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("version %d of workflow %q", version, name))
	}
	v, err := r.store.WorkflowVersion(ctx, name, version)
	if err != nil {
		return nil, err
	}
	v.MOUs = vs[i].MOUs
	out := &WorkflowDetail{WorkflowVersion: *v, Latest: latest, Title: name, Bodies: []WorkflowBody{}, Stages: []WorkflowStep{}}
	if version == latest {
		out.Versions = vs
	}
	d, err := r.Lookup(ctx, name, version)
	if err != nil {
		if !moudesk.IsKind(err, moudesk.KindUnprocessable) {
			return nil, err
		}
		out.Problem = problemOf(err)
		return out, nil
	}
	out.Title, out.Initial = d.Title, d.Initial
	for _, b := range slices.Sorted(maps.Keys(d.Bodies)) {
		body := d.Bodies[b]
		out.Bodies = append(out.Bodies, WorkflowBody{Name: b, Title: body.Title, Party: body.Party, RollCall: body.RollCall})
	}
	for _, st := range d.Stages {
		step := WorkflowStep{Name: st.Name, Title: st.Title, Kind: st.Kind, Editable: st.Editable, Next: st.Next, Manual: st.Manual}
		for _, a := range st.Acts {
			step.Acts = append(step.Acts, WorkflowActing{Body: a.Body, Outcomes: a.Outcomes})
		}
		out.Stages = append(out.Stages, step)
	}
	return out, nil
}

// problemOf is the message of a refused definition.
func problemOf(err error) string {
	var e *moudesk.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// SaveWorkflow stores source as the next version of the definition name
// (admins only), after the same validation as a shipped file: YAML that
// does not parse or a definition that breaks a rule is 422
// invalid_workflow naming the problem (and its line when known), a name:
// other than name is 422 name_mismatch, and nothing is written. A source
// equal to the latest version's stores nothing and returns that version
// with created false. An MOU already under way keeps its version; the next
// MOU created on name follows the new one, with no restart.
func (s *Service) SaveWorkflow(ctx context.Context, actor moudesk.Actor, name, source string) (*WorkflowDetail, bool, error) {
	if !actor.Admin && !actor.IsSystem() {
		return nil, false, moudesk.Errorf(moudesk.KindForbidden, "forbidden", "only an administrator may change a workflow definition")
	}
	if err := moudesk.CheckText("source", source, maxWorkflowSource, true); err != nil {
		return nil, false, err
	}
	// A form's textarea sends CRLF: the same definition must store the
	// same bytes whichever way it came.
	source = strings.ReplaceAll(source, "\r\n", "\n")
	d, err := workflow.Parse([]byte(source))
	if err != nil {
		return nil, false, invalidWorkflow(err)
	}
	if d.Name != name {
		return nil, false, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "name_mismatch", Field: "name",
			Message: fmt.Sprintf("the definition's name: is %q but it is uploaded as %q; they must be the same", d.Name, name)}
	}
	v, created, err := s.store.SaveWorkflowVersion(ctx, actor, NewWorkflowVersion{Name: name, Source: source})
	if err != nil {
		return nil, false, err
	}
	out, err := s.workflows.Detail(ctx, name, v)
	return out, created, err
}

// maxWorkflowSource is the largest definition accepted; workflow.Parse
// refuses more than 32 KiB anyway, this only says so by field.
const maxWorkflowSource = 32 << 10

// invalidWorkflow is the 422 for an upload that does not parse: the
// problem in the parser's words, with its line in Data when it has one
// and every structural problem listed.
func invalidWorkflow(err error) error {
	data := map[string]any{}
	var ye *strictyaml.Error
	if errors.As(err, &ye) && ye.Line > 0 {
		data["line"] = ye.Line
	}
	var de *workflow.DefinitionError
	if errors.As(err, &de) {
		data["problems"] = de.Problems
	}
	e := &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "invalid_workflow", Field: "source", Message: err.Error()}
	if len(data) > 0 {
		e.Data = data
	}
	return e
}

// syncShipped stores each shipped definition as a version of its name
// when its source differs from the latest stored one (see
// WorkflowStore.SaveWorkflowVersion), so version 1 of every shipped
// definition is its file and an MOU always finds the version it follows.
func syncShipped(ctx context.Context, store WorkflowStore, shipped Workflows) error {
	for _, name := range slices.Sorted(maps.Keys(shipped)) {
		if _, _, err := store.SaveWorkflowVersion(ctx, moudesk.System, NewWorkflowVersion{Name: name, Source: strings.ReplaceAll(shipped[name].Source, "\r\n", "\n"), Shipped: true}); err != nil {
			return fmt.Errorf("store shipped workflow %s: %w", name, err)
		}
	}
	return nil
}
