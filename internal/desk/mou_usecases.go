package desk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/workflow"
)

// CreateMOURequest is what creating an MOU takes.
type CreateMOURequest struct {
	Title     string            `json:"title"`
	Template  string            `json:"template"`
	Parties   map[string]string `json:"parties"`
	Variables map[string]string `json:"variables"`
	Workflow  string            `json:"workflow"`
	Message   string            `json:"message"`
}

// CreateMOU assembles revision 1 from the template, the latest library
// clauses and the variables, and stores it. Every check runs before the
// one write transaction, so a refusal leaves no row; raw HTML anywhere in
// the assembled text is 400 raw_html.
func (s *Service) CreateMOU(ctx context.Context, actor moudesk.Actor, req CreateMOURequest) (*MOU, *mou.Revision, error) {
	t, ok := s.templates[req.Template]
	if !ok {
		return nil, nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_template", Field: "template",
			Message: fmt.Sprintf("there is no template %q; GET /api/v1/templates lists them", req.Template)}
	}
	if req.Workflow != "" && !clause.ValidSlug(req.Workflow) {
		return nil, nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_workflow", Field: "workflow", Message: "workflow must be a lowercase slug"}
	}
	// An MOU on a workflow this server does not store, or whose latest
	// version does not parse, could never move: refuse it here (422
	// unknown_workflow, invalid_workflow). The MOU follows that version.
	wfDef, wfVersion, err := s.workflows.Latest(ctx, cmp.Or(req.Workflow, "default"))
	if err != nil {
		return nil, nil, err
	}
	slugs, err := checkParties(t, req.Parties)
	if err != nil {
		return nil, nil, err
	}
	if err := checkWorkflowParties(wfDef, t, req.Parties); err != nil {
		return nil, nil, err
	}
	parties, err := s.store.PartiesBySlug(ctx, slugs)
	if err != nil {
		return nil, nil, err
	}
	if !actor.IsSystem() && !slices.Contains(slices.Collect(maps.Values(req.Parties)), actor.Party) {
		return nil, nil, &moudesk.Error{Kind: moudesk.KindForbidden, Code: "not_a_party", Field: "parties",
			Message: "an MOU is created by one of its parties; yours is not among them"}
	}
	names := map[string]string{}
	for _, p := range t.Parties {
		if slug, ok := req.Parties[p.Role]; ok {
			names[p.Role] = parties[slug].Name
		}
	}
	lib, err := s.store.LatestClauses(ctx, t.ClauseSlugs())
	if err != nil {
		return nil, nil, err
	}
	values := mou.WithPartyList(t, names, mou.PartyDefaults(mou.Variables(t, lib), names, req.Variables))
	content, err := mou.Assemble(t, lib, req.Title, values)
	if err != nil {
		return nil, nil, err
	}
	content.Signatures = keepParties(content.Signatures, req.Parties)
	content.Obligations = keepObligationParties(content.Obligations, req.Parties)
	if content.Obligations != nil {
		roles := make([]string, 0, len(req.Parties))
		for role := range req.Parties {
			roles = append(roles, role)
		}
		if err := mou.CheckObligations(content.Obligations, roles, func(name string) bool { _, ok := s.datasets[name]; return ok }); err != nil {
			return nil, nil, err
		}
	}
	if err := checkContentHTML(content); err != nil {
		return nil, nil, err
	}
	if len(req.Message) > mou.MaxMessageBytes {
		return nil, nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_message", Field: "message", Message: "the message is too long"}
	}
	if req.Message == "" {
		req.Message = "Created from template " + t.Slug
	}
	created, err := s.store.CreateMOU(ctx, actor, NewMOU{Template: t.Slug, Workflow: req.Workflow, WorkflowVersion: wfVersion, Stage: wfDef.Initial, Parties: req.Parties, Content: content, Message: req.Message})
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.store.Revision(ctx, created.ID, 1)
	if err != nil {
		return nil, nil, err
	}
	return created, rev, nil
}

// checkParties checks the parties asked for an MOU against its template:
// every role the template's (422 unknown_role), every required role given
// (422 missing_party), no party in two roles (422 duplicate_party). It
// returns the parties' slugs in template order.
func checkParties(t *mou.Template, given map[string]string) ([]string, error) {
	known := map[string]bool{}
	for _, p := range t.Parties {
		known[p.Role] = true
	}
	for _, role := range slices.Sorted(maps.Keys(given)) {
		if !known[role] {
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_role", Field: "parties." + role,
				Message: fmt.Sprintf("template %s has no party role %q", t.Slug, role)}
		}
	}
	slugs := make([]string, 0, len(t.Parties))
	roleOf := map[string]string{}
	for _, p := range t.Parties {
		slug, ok := given[p.Role]
		if !ok && p.Optional {
			continue
		}
		if slug == "" {
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_party", Field: "parties." + p.Role,
				Message: fmt.Sprintf("template %s needs a party for role %q (%s)", t.Slug, p.Role, p.Label)}
		}
		if other, dup := roleOf[slug]; dup {
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "duplicate_party", Field: "parties." + p.Role,
				Message: fmt.Sprintf("party %q is already the MOU's %q; each role needs its own party", slug, other)}
		}
		roleOf[slug] = p.Role
		slugs = append(slugs, slug)
	}
	return slugs, nil
}

// checkWorkflowParties refuses a workflow whose bodies belong to a party
// role the template does not have, or that leaves a stage with no body of
// the MOU's parties (422 missing_party, field workflow).
func checkWorkflowParties(def *workflow.Definition, t *mou.Template, given map[string]string) error {
	known := make([]string, 0, len(t.Parties))
	for _, p := range t.Parties {
		known = append(known, p.Role)
	}
	if err := def.CheckParties(known, slices.Collect(maps.Keys(given))); err != nil {
		var re *workflow.RuleError
		if errors.As(err, &re) {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: re.Code, Field: "workflow", Message: re.Message}
		}
		return err
	}
	return nil
}

// RevisionRequest is what saving a revision takes.
type RevisionRequest struct {
	Base      int                `json:"base"`
	Message   string             `json:"message"`
	Sections  []mou.SectionInput `json:"sections"`
	Edits     []mou.Edit         `json:"edits"`
	Variables map[string]string  `json:"variables"`
	// SignatureBlock replaces the signature block when sent; omitted, the
	// base revision's block is carried over unchanged.
	SignatureBlock []mou.SignatureLine `json:"signature_block"`
	// Obligations replace the revision's duties when sent ([] removes them
	// all); omitted, the base revision's are carried over unchanged.
	Obligations []mou.Obligation `json:"obligations"`
}

// SaveRevision saves a new revision on top of req.Base: a full section
// list, or edits, and/or new variable values. A stale base is the store's
// 409 stale_revision, with StaleRevision data. The whole new revision must
// be free of raw HTML (400 raw_html), sections the save did not touch too:
// no revision is stored whose page and PDF differ.
func (s *Service) SaveRevision(ctx context.Context, actor moudesk.Actor, id int64, req RevisionRequest) (*mou.RevisionInfo, error) {
	if req.Base < 1 {
		return nil, moudesk.Errorf(moudesk.KindInvalid, "missing_field", "base (the revision you edited) is required")
	}
	if req.Sections != nil && req.Edits != nil {
		return nil, moudesk.Errorf(moudesk.KindInvalid, "invalid_request", "send either sections or edits, not both")
	}
	if req.Sections == nil && req.Edits == nil && req.Variables == nil && req.SignatureBlock == nil && req.Obligations == nil {
		return nil, moudesk.Errorf(moudesk.KindInvalid, "invalid_request", "send sections, edits, variables, signature_block or obligations")
	}
	// The MOU's parties and template never change, so they come from
	// memory after the first save: racing saves (most lose with 409)
	// reach the store without another read.
	current, err := s.scopeOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := canAct(actor, current); err != nil {
		return nil, err
	}
	var block []mou.SignatureLine
	if req.SignatureBlock != nil {
		if block, err = checkSignatureBlock(current, req.SignatureBlock); err != nil {
			return nil, err
		}
	}
	var obs []mou.Obligation
	if req.Obligations != nil {
		if obs, err = s.checkObligations(current, req.Obligations); err != nil {
			return nil, err
		}
	}
	var t *mou.Template
	if req.Variables != nil {
		var ok bool
		if t, ok = s.templates[current.Template]; !ok {
			return nil, moudesk.Errorf(moudesk.KindUnprocessable, "unknown_template", "template %q of this MOU is no longer loaded, so variables cannot change", current.Template)
		}
	}
	change := func(base *mou.Revision) (*mou.Content, error) {
		next := base.Content
		var err error
		switch {
		case req.Sections != nil:
			next.Sections, err = mou.ReplaceSections(base.Sections, req.Sections)
		case req.Edits != nil:
			next.Sections, err = mou.ApplyEdits(base.Sections, req.Edits)
		}
		if err != nil {
			return nil, err
		}
		if req.Variables != nil {
			lib, err := s.store.ClauseVersions(ctx, mou.Refs(next.Sections))
			if err != nil {
				return nil, err
			}
			if err := mou.Revalue(&next, t, lib, req.Variables); err != nil {
				return nil, err
			}
			if obs == nil && len(next.Obligations) > 0 {
				// Duties filled from the clauses follow the new values
				// ({{reporting_interval}}), and must still be valid.
				refilled := mou.RevalueObligations(next.Obligations, t, next.Sections, lib, base.Variables, next.Variables)
				if next.Obligations, err = s.checkObligations(current, refilled); err != nil {
					return nil, err
				}
			}
		}
		if block != nil {
			next.Signatures = block
		}
		if obs != nil {
			next.Obligations = obs
		}
		if err := checkContentHTML(&next); err != nil {
			return nil, err
		}
		return &next, nil
	}
	return s.store.CreateRevision(ctx, actor, id, req.Base, req.Message, change, s.afterRevision(ctx, actor, id))
}
