package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
)

// maxFormBody bounds an urlencoded form post; the largest field a form
// carries is one section body (mou.MaxBodyBytes).
const maxFormBody = 2 << 20

type editPage struct {
	MOU     *desk.MOU
	Key     string
	Number  int
	Base    int
	Heading string
	Body    string
	Message string
	Preview template.HTML
	Errors  map[string]string
	// Stale is set when someone saved meanwhile: the redline from the
	// revision the user edited to the latest one, and that section's text
	// now, so the user can re-apply their edit knowingly.
	Stale      bool
	StaleFrom  int
	StaleTo    int
	StaleDiff  template.HTML
	TheirBody  string
	SectionNow bool // the section itself changed meanwhile
}

// sectionParams reads the MOU id and section key of an editor URL.
func sectionParams(c *gin.Context) (int64, string, error) {
	id, err := idParam(c)
	if err != nil {
		return 0, "", err
	}
	key := c.Param("key")
	if key == "" || len(key) > 100 {
		return 0, "", errInvalid("invalid_key", "the section key is not valid")
	}
	return id, key, nil
}

func findSection(secs []mou.Section, key string) (mou.Section, int, bool) {
	for i, s := range secs {
		if s.Key == key {
			return s, i + 1, true
		}
	}
	return mou.Section{}, 0, false
}

// editSectionForm shows the editor for one section of the current revision.
func (p *pageHandlers) editSectionForm(c *gin.Context) error {
	id, key, err := sectionParams(c)
	if err != nil {
		return err
	}
	m, err := p.desk.MOU(c.Request.Context(), id)
	if err != nil {
		return err
	}
	rev, err := p.desk.Revision(c.Request.Context(), id, 0)
	if err != nil {
		return err
	}
	s, n, ok := findSection(rev.Sections, key)
	if !ok {
		return moudesk.ErrNotFound("section " + key)
	}
	form := editPage{MOU: m, Key: key, Number: n, Base: rev.Number, Heading: s.Heading, Body: s.Body}
	return p.renderPage(c, http.StatusOK, "edit", "Edit "+s.Heading, "", form)
}

// saveSection previews or saves the editor. A stale base shows what
// changed meanwhile and keeps the user's text for them to save again on
// top of the latest revision.
func (p *pageHandlers) saveSection(c *gin.Context) error {
	ctx := c.Request.Context()
	id, key, err := sectionParams(c)
	if err != nil {
		return err
	}
	m, err := p.desk.MOU(ctx, id)
	if err != nil {
		return err
	}
	base, err := strconv.Atoi(c.PostForm("base"))
	if err != nil || base < 1 {
		return errInvalid("invalid_base", "the form lost the revision it was editing; open the editor again")
	}
	form := editPage{MOU: m, Key: key, Base: base, Heading: c.PostForm("heading"), Body: c.PostForm("body"),
		Message: c.PostForm("message"), Errors: map[string]string{}}
	baseRev, err := p.desk.Revision(ctx, id, base)
	if err != nil {
		return err
	}
	old, n, ok := findSection(baseRev.Sections, key)
	if !ok {
		return moudesk.ErrNotFound("section " + key)
	}
	form.Number = n
	if strings.TrimSpace(form.Heading) == "" {
		form.Errors["heading"] = "Enter a heading for the section."
	}
	if c.PostForm("action") == "preview" {
		form.Preview = markdownHTML(form.Body)
		return p.renderPage(c, http.StatusOK, "edit", "Edit "+old.Heading, "", form)
	}
	if strings.TrimSpace(form.Message) == "" {
		form.Errors["message"] = "Say in a few words what you changed and why; it goes in the revision history."
	}
	if len(form.Errors) > 0 {
		return p.renderPage(c, http.StatusUnprocessableEntity, "edit", "Edit "+old.Heading, "", form)
	}
	if base == m.CurrentRevision && clause.CanonicalBody(form.Body) == clause.CanonicalBody(old.Body) && strings.TrimSpace(form.Heading) == strings.TrimSpace(old.Heading) {
		return seeOther(c, "/mous/"+itoa64(id)+"#section-"+key, "no-change")
	}
	heading, body := form.Heading, form.Body
	_, err = p.desk.SaveRevision(c.Request.Context(), actor(c), id, desk.RevisionRequest{Base: base, Message: form.Message,
		Edits: []mou.Edit{{Op: mou.OpUpdate, Key: key, Heading: &heading, Body: &body}}})
	if err == nil {
		return seeOther(c, "/mous/"+itoa64(id)+"#section-"+key, "saved")
	}
	var st desk.StaleRevision
	if e, ok := moudesk.AsError(err); ok && e.Code == "stale_revision" {
		st, _ = e.Data.(desk.StaleRevision)
	}
	if st.Latest > 0 {
		if err := p.staleEdit(c, &form, st, old); err != nil {
			return err
		}
		return p.renderPage(c, http.StatusConflict, "edit", "Edit "+old.Heading, "", form)
	}
	errs, ierr := fieldErrors(err)
	if ierr != nil {
		return ierr
	}
	for k, v := range errs {
		switch {
		case strings.Contains(k, "heading"):
			form.Errors["heading"] = v
		case strings.Contains(k, "body"):
			form.Errors["body"] = v
		case k == "message":
			form.Errors["message"] = v
		default:
			form.Errors["_form"] = v
		}
	}
	return p.renderPage(c, http.StatusUnprocessableEntity, "edit", "Edit "+old.Heading, "", form)
}

// staleEdit fills the form for a save that lost the race: the redline of
// what others saved since the user's base, the section as it reads now,
// and a new base, so pressing Save again applies the user's text on top.
func (p *pageHandlers) staleEdit(c *gin.Context, form *editPage, st desk.StaleRevision, old mou.Section) error {
	diff, err := p.desk.RenderRedline(c.Request.Context(), form.MOU.ID, st.Base, st.Latest, "html", redline.Inline)
	if err != nil {
		return err
	}
	latest, err := p.desk.Revision(c.Request.Context(), form.MOU.ID, st.Latest)
	if err != nil {
		return err
	}
	now, _, ok := findSection(latest.Sections, form.Key)
	form.Stale, form.StaleFrom, form.StaleTo = true, st.Base, st.Latest
	form.StaleDiff = template.HTML(diff) //nolint:gosec // render.RedlineHTML escapes all document text
	form.Base = st.Latest
	form.SectionNow = !ok || now.Body != old.Body || now.Heading != old.Heading
	form.TheirBody = now.Body
	return nil
}

// preview renders Markdown for the editor's live preview: the same
// sanitized HTML the no-JavaScript preview button shows.
func (p *pageHandlers) preview(c *gin.Context) error {
	body := c.PostForm("body")
	if len(body) > mou.MaxBodyBytes {
		return moudesk.Errorf(moudesk.KindTooLarge, "too_large", "the text is longer than a section may be")
	}
	var buf bytes.Buffer
	buf.WriteString(string(markdownHTML(body)))
	c.Header("Content-Security-Policy", pageCSP)
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}
