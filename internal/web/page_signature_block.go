package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// blockSpareRows is how many empty rows the block editor offers for new
// lines; a drafter who needs more saves and edits again.
const blockSpareRows = 2

// blockRow is one row of the signature block editor, as typed.
type blockRow struct {
	Kind, Party, Name, Title, Order string
}

type blockPage struct {
	MOU     *desk.MOU
	Base    int
	Rows    []blockRow
	Kinds   []string
	Message string
	Errors  map[string]string
}

// blockKinds are the kinds the editor offers, in the order it lists them.
var blockKinds = []string{mou.KindSignatory, mou.KindAttest, mou.KindApprovedAsToForm}

// editBlockForm shows the signature block of the current revision as a form,
// one row per line and spare rows for new ones.
func (p *pageHandlers) editBlockForm(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	m, err := p.desk.MOU(c.Request.Context(), id)
	if err != nil {
		return err
	}
	lines, err := p.desk.SignatoryLines(c.Request.Context(), m)
	if err != nil {
		return err
	}
	form := blockPage{MOU: m, Base: m.CurrentRevision, Kinds: blockKinds}
	for _, l := range lines {
		form.Rows = append(form.Rows, blockRow{Kind: l.Kind, Party: l.Party, Name: l.LineName, Title: l.Title, Order: strconv.Itoa(l.Order)})
	}
	form.Rows = append(form.Rows, make([]blockRow, blockSpareRows)...)
	return p.renderPage(c, http.StatusOK, "signatureblock", "Signature block", "", form)
}

// blockField matches the field of a block error, signature_block[i].name;
// it compiles on first use, not in the init every command runs.
var blockField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^signature_block\[(\d+)\]\.(kind|party|name|title|order)$`)
})

// saveBlock saves the edited signature block as a new revision. A row with
// neither name nor title is left out, which is how a line is removed.
func (p *pageHandlers) saveBlock(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	m, err := p.desk.MOU(c.Request.Context(), id)
	if err != nil {
		return err
	}
	base, err := strconv.Atoi(c.PostForm("base"))
	if err != nil || base < 1 {
		return errInvalid("invalid_base", "the form lost the revision it was editing; open the editor again")
	}
	rows, err := strconv.Atoi(c.PostForm("rows"))
	if err != nil || rows < 0 || rows > mou.MaxSignatureLines+blockSpareRows {
		return errInvalid("invalid_rows", "the form lost its rows; open the editor again")
	}
	form := blockPage{MOU: m, Base: base, Kinds: blockKinds, Message: c.PostForm("message"), Errors: map[string]string{}}
	var block []mou.SignatureLine
	var rowOf []int // the form row of each line of block
	for i := range rows {
		r := blockRow{}
		for name, v := range map[string]*string{"kind": &r.Kind, "party": &r.Party, "name": &r.Name, "title": &r.Title, "order": &r.Order} {
			*v = c.PostForm(fmt.Sprintf("%s_%d", name, i))
		}
		form.Rows = append(form.Rows, r)
		if strings.TrimSpace(r.Name) == "" && strings.TrimSpace(r.Title) == "" {
			continue
		}
		order, err := strconv.Atoi(strings.TrimSpace(r.Order))
		if err != nil {
			form.Errors[fmt.Sprintf("order_%d", i)] = "Enter the signing order as a number, 1 for those who sign first."
		}
		block = append(block, mou.SignatureLine{Kind: r.Kind, Party: r.Party, Name: r.Name, Title: r.Title, Order: order})
		rowOf = append(rowOf, i)
	}
	if strings.TrimSpace(form.Message) == "" {
		form.Errors["message"] = "Say in a few words what you changed and why; it goes in the revision history."
	}
	if len(form.Errors) > 0 {
		return p.renderPage(c, http.StatusUnprocessableEntity, "signatureblock", "Signature block", "", form)
	}
	if block == nil {
		block = []mou.SignatureLine{}
	}
	_, err = p.desk.SaveRevision(c.Request.Context(), actor(c), id, desk.RevisionRequest{Base: base, Message: form.Message, SignatureBlock: block})
	if err == nil {
		return seeOther(c, "/mous/"+itoa64(id)+"#section-signature-block", "saved")
	}
	if e, ok := moudesk.AsError(err); ok && e.Code == "stale_revision" {
		form.Errors["_form"] = "Someone saved this MOU while you were editing. Open the signature block again to edit the latest revision."
		return p.renderPage(c, http.StatusConflict, "signatureblock", "Signature block", "", form)
	}
	errs, ierr := fieldErrors(err)
	if ierr != nil {
		return ierr
	}
	for k, v := range errs {
		if f := blockField().FindStringSubmatch(k); f != nil {
			if i, _ := strconv.Atoi(f[1]); i < len(rowOf) {
				form.Errors[fmt.Sprintf("%s_%d", f[2], rowOf[i])] = v
				continue
			}
		}
		if k == "message" {
			form.Errors[k] = v
			continue
		}
		form.Errors["_form"] = v
	}
	return p.renderPage(c, http.StatusUnprocessableEntity, "signatureblock", "Signature block", "", form)
}
