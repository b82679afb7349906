package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

type lineChoice struct {
	desk.Signatory
	Candidates []desk.User // users who may be assigned this line
}

type signPage struct {
	MOU        *desk.MOU
	StageTitle string
	Lines      []lineChoice
	CanAssign  bool
	Signing    *desk.SigningView
	Waiting    string // why signing is not open yet
	MyTurn     bool
	MyLine     *desk.Signatory
	Signed     bool // the caller signed already
	TypedName  string
	Errors     map[string]string
	BodyTitles map[string]string
}

// signData builds the signing ceremony page: the signature block with its
// assignments, and, in the signature stage, the exact document to sign
// and the form for the signatory whose turn it is.
func (p *pageHandlers) signData(c *gin.Context) (*signPage, error) {
	ctx := c.Request.Context()
	m, def, err := p.mouAndWorkflow(c)
	if err != nil {
		return nil, err
	}
	me := principal(c)
	out := &signPage{MOU: m, StageTitle: stageTitle(def, m.Stage), Errors: map[string]string{}, BodyTitles: map[string]string{}}
	for name := range def.Bodies {
		out.BodyTitles[name] = desk.BodyTitle(def, name)
	}
	lines, err := p.desk.SignatoryLines(ctx, m)
	if err != nil {
		return nil, err
	}
	users, err := p.desk.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		lc := lineChoice{Signatory: l}
		for _, u := range users {
			if !u.Disabled && u.PartySlug == l.PartySlug && slices.Contains(u.Roles, auth.RoleSignatory) {
				lc.Candidates = append(lc.Candidates, u)
			}
		}
		out.Lines = append(out.Lines, lc)
		if l.UserID == me.UserID && l.UserID != 0 {
			line := l
			if l.SignedAt != nil {
				out.Signed = true
			} else if out.MyLine == nil {
				out.MyLine = &line
			}
		}
	}
	kind := def.Kind(m.Stage)
	out.CanAssign = me.Can(auth.SignatoryWrite) && kind != workflow.KindSignature && kind != workflow.KindTerminal
	switch kind {
	case workflow.KindSignature:
		v, err := p.desk.Signing(ctx, actor(c), m.ID, p.publicURL(c))
		if err != nil {
			e, safe := clientError(err)
			if !safe || e.Kind == moudesk.KindInternal {
				return nil, err
			}
			out.Waiting = e.Message
			out.CanAssign = me.Can(auth.SignatoryWrite) && e.Code == "signatories_missing"
			return out, nil
		}
		out.Signing = v
		if out.MyLine != nil {
			out.MyTurn = slices.Contains(v.Next, out.MyLine.Line)
		}
	case workflow.KindTerminal:
		out.Waiting = "This MOU is " + stageTitle(def, m.Stage) + "; there is nothing left to sign."
	default:
		out.Waiting = "Signing opens once every governing body has approved the current text."
	}
	return out, nil
}

func (p *pageHandlers) signPage(c *gin.Context) error {
	out, err := p.signData(c)
	if err != nil {
		return err
	}
	return p.renderPage(c, http.StatusOK, "sign", "Sign: "+out.MOU.Title, "approvals", out)
}

// signPost applies the caller's signature: typed name, consent and the
// password again, pinned to the document and text the page showed.
func (p *pageHandlers) signPost(c *gin.Context) error {
	out, err := p.signData(c)
	if err != nil {
		return err
	}
	out.TypedName = c.PostForm("typed_name")
	req := desk.SignRequest{TypedName: out.TypedName, Consent: c.PostForm("consent") == "yes",
		Password: c.PostForm("password"), ContentHash: c.PostForm("content_hash"), DocumentSHA256: c.PostForm("document_sha256"),
		ConsentText: desk.ConsentText}
	if !req.Consent {
		out.Errors["consent"] = "Tick the box to agree to sign electronically."
	}
	if out.TypedName == "" {
		out.Errors["typed_name"] = "Type your full name."
	}
	if req.Password == "" {
		out.Errors["password"] = "Enter your password."
	}
	if len(out.Errors) > 0 {
		return p.renderPage(c, http.StatusUnprocessableEntity, "sign", "Sign: "+out.MOU.Title, "approvals", out)
	}
	res, err := p.desk.Sign(c.Request.Context(), principal(c), p.client(c), out.MOU.ID, req)
	if err != nil {
		e, safe := clientError(err)
		if !safe || e.Kind == moudesk.KindInternal {
			return err
		}
		f := e.Field
		if f == "" {
			f = "_form"
		}
		out.Errors[f] = e.Message
		return p.renderPage(c, statusOf[e.Kind], "sign", "Sign: "+out.MOU.Title, "approvals", out)
	}
	if res.Executed {
		return seeOther(c, "/public/mous/"+itoa64(out.MOU.ID), "executed")
	}
	return seeOther(c, "/mous/"+itoa64(out.MOU.ID)+"/sign", "signed")
}

// assignPost assigns signatories to the lines of the signature block.
func (p *pageHandlers) assignPost(c *gin.Context) error {
	out, err := p.signData(c)
	if err != nil {
		return err
	}
	var as []desk.Assignment
	for _, l := range out.Lines {
		if email := c.PostForm("line_" + strconv.Itoa(l.Line)); email != "" {
			as = append(as, desk.Assignment{Line: l.Line, Email: email})
		}
	}
	if _, err := p.desk.AssignSignatories(c.Request.Context(), actor(c), out.MOU.ID, as); err != nil {
		e, safe := clientError(err)
		if !safe || e.Kind == moudesk.KindInternal {
			return err
		}
		out.Errors["_form"] = e.Message
		return p.renderPage(c, statusOf[e.Kind], "sign", "Sign: "+out.MOU.Title, "approvals", out)
	}
	return seeOther(c, "/mous/"+itoa64(out.MOU.ID)+"/sign", "assigned")
}
