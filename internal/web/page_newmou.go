package web

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
)

// varInput is one typed input of the new-MOU form.
type varInput struct {
	clause.Variable
	Field     string // form field name, also the error key: variables.<name>
	InputType string // the HTML input type that fits the variable's type
	Mode      string // inputmode hint for phone keyboards
	Step      string
	Value     string
	Hint      string
}

type partyInput struct {
	mou.PartyRole
	Field  string
	Chosen string
}

type newMOUPage struct {
	Templates []*mou.Template
	Template  *mou.Template
	Title     string
	Parties   []desk.Party
	Roles     []partyInput
	Vars      []varInput
	Message   string
	Errors    map[string]string
	// Workflows are the review processes an MOU may follow (those whose
	// latest version can be used); Workflow is the one chosen.
	Workflows []desk.WorkflowSummary
	Workflow  string
}

// newMOUForm shows the form for a new MOU from a template (?template=).
func (p *pageHandlers) newMOUForm(c *gin.Context) error {
	form, err := p.newMOUData(c, c.Query("template"), false)
	if err != nil {
		return err
	}
	return p.renderPage(c, http.StatusOK, "newmou", "New MOU", "new", form)
}

// newMOUData builds the form for template slug, filled from the posted
// form when there is one.
func (p *pageHandlers) newMOUData(c *gin.Context, slug string, posted bool) (*newMOUPage, error) {
	ctx := c.Request.Context()
	form := &newMOUPage{Errors: map[string]string{}}
	form.Templates = append(form.Templates, p.desk.Templates()...)
	sort.Slice(form.Templates, func(i, j int) bool { return form.Templates[i].Slug > form.Templates[j].Slug })
	if len(form.Templates) == 0 {
		return form, nil
	}
	t, ok := p.desk.Template(slug)
	if !ok {
		t = form.Templates[0]
		if s, ok := p.desk.Template("sro-mou"); ok {
			t = s
		}
	}
	form.Template = t
	parties, err := p.desk.Parties(ctx)
	if err != nil {
		return nil, err
	}
	form.Parties = parties
	workflows, err := p.desk.Workflows().List(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range workflows {
		if w.Problem == "" {
			form.Workflows = append(form.Workflows, w)
		}
	}
	form.Workflow = "default"
	if posted {
		form.Workflow = c.PostForm("workflow")
	}
	for _, r := range t.Parties {
		in := partyInput{PartyRole: r, Field: "parties." + r.Role}
		if posted {
			in.Chosen = c.PostForm(in.Field)
		} else {
			for _, pt := range parties {
				if pt.Kind == r.Role {
					in.Chosen = pt.Slug
					break
				}
			}
		}
		form.Roles = append(form.Roles, in)
	}
	lib, err := p.desk.LatestClauses(ctx, t.ClauseSlugs())
	if err != nil {
		return nil, err
	}
	for _, v := range mou.Variables(t, lib) {
		in := varInput{Variable: v, Field: "variables." + v.Name, InputType: "text"}
		switch v.Type {
		case clause.TypeDate:
			in.InputType = "date"
			in.Hint = "A date, for example 2026-07-01."
		case clause.TypeInteger:
			in.InputType, in.Mode, in.Step = "number", "numeric", "1"
			in.Hint = "A whole number."
		case clause.TypePercent:
			in.Mode = "decimal"
			in.Hint = "A percentage from 0 to 100, for example 12.5."
		case clause.TypeMoney:
			in.Mode = "decimal"
			in.Hint = "A dollar amount, for example 125000 or $125,000.00."
		case clause.TypeParty:
			if strings.HasSuffix(v.Name, "_name") {
				in.Hint = "Leave blank to use the legal name of the party chosen above."
			}
		}
		if v.Default != "" && in.Hint == "" {
			in.Hint = "Leave blank for “" + v.Default + "”."
		} else if v.Default != "" {
			in.Hint += " Leave blank for “" + v.Default + "”."
		}
		if posted {
			in.Value = c.PostForm(in.Field)
		}
		form.Vars = append(form.Vars, in)
	}
	if posted {
		form.Title = c.PostForm("title")
		form.Message = c.PostForm("message")
	}
	return form, nil
}

// createMOUPage creates the MOU from the form. Each variable is checked on
// its own first, so every wrong field is marked at once, then the same
// code as POST /api/v1/mous does the rest.
func (p *pageHandlers) createMOUPage(c *gin.Context) error {
	form, err := p.newMOUData(c, c.PostForm("template"), true)
	if err != nil {
		return err
	}
	if form.Template == nil || form.Template.Slug != c.PostForm("template") {
		form.Errors["template"] = "Choose a template."
		return p.renderPage(c, http.StatusUnprocessableEntity, "newmou", "New MOU", "new", form)
	}
	req := desk.CreateMOURequest{Title: strings.TrimSpace(form.Title), Template: form.Template.Slug, Workflow: form.Workflow,
		Parties: map[string]string{}, Variables: map[string]string{}, Message: form.Message}
	for _, r := range form.Roles {
		if r.Chosen == "" {
			form.Errors[r.Field] = "Choose the " + strings.ToLower(r.Label) + "."
		}
		req.Parties[r.Role] = r.Chosen
	}
	for _, v := range form.Vars {
		if strings.TrimSpace(v.Value) != "" {
			req.Variables[v.Name] = v.Value
			if _, err := v.Normalize(v.Value); err != nil {
				form.Errors[v.Field] = clauseMessage(err)
			}
		} else if v.Required && v.Default == "" && !(v.Type == clause.TypeParty && strings.HasSuffix(v.Name, "_name")) {
			form.Errors[v.Field] = "Enter the " + strings.ToLower(labelOf(v.Variable)) + "."
		}
	}
	if len(form.Errors) > 0 {
		return p.renderPage(c, http.StatusUnprocessableEntity, "newmou", "New MOU", "new", form)
	}
	created, _, err := p.desk.CreateMOU(c.Request.Context(), actor(c), req)
	if err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		form.Errors = errs
		return p.renderPage(c, http.StatusUnprocessableEntity, "newmou", "New MOU", "new", form)
	}
	return seeOther(c, "/mous/"+itoa64(created.ID), "created")
}

func labelOf(v clause.Variable) string {
	if v.Label != "" {
		return v.Label
	}
	return v.Name
}

// clauseMessage is the user-facing text of a variable error.
func clauseMessage(err error) string {
	var ce *clause.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return ce.Message
	}
	if e, ok := clientError(err); ok {
		return e.Message
	}
	return "This value is not valid."
}
