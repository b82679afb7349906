package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/docx"
)

// docxContentType is a Word document's media type.
const docxContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// docxRoutes registers the Word import. Exports are ?format=docx on a
// revision and on a redline (mous.go calls revisionDOCX and redlineDOCX).
func (s *Server) docxRoutes() {
	s.handleUpload(http.MethodPost, "/api/v1/mous/import", auth.MOUCreate, s.importDOCX)
}

// revisionDOCX answers with revision n of MOU id as a Word document.
func (m *mouHandlers) revisionDOCX(c *gin.Context, id int64, n int) error {
	data, rev, err := m.desk.RevisionDOCX(c.Request.Context(), id, n, m.publicURL(c))
	if err != nil {
		return err
	}
	c.Header("X-Content-Hash", rev.ContentHash)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="mou-%d-rev-%d.docx"`, id, n))
	c.Data(http.StatusOK, docxContentType, data)
	return nil
}

// redlineDOCX answers with the redline from revision from to revision to
// as a Word document with tracked changes.
func (m *mouHandlers) redlineDOCX(c *gin.Context, id int64, from, to int) error {
	data, err := m.desk.RedlineDOCX(c.Request.Context(), id, from, to, m.publicURL(c))
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="mou-%d-redline-%d-%d.docx"`, id, from, to))
	c.Data(http.StatusOK, docxContentType, data)
	return nil
}

// importDOCX makes a draft MOU from an uploaded Word document (multipart
// field "file"), with the fields CreateMOU takes as form fields: template,
// title, workflow, message, and parties and variables as JSON objects.
// With ?dry_run=true it only reads the document: sections, the closest
// clauses and the report, nothing stored.
func (s *Server) importDOCX(c *gin.Context) error {
	form, data, err := readDOCXUpload(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if c.Query("dry_run") == "true" {
		out, err := s.desk.ReadDOCX(ctx, data)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, gin.H{"title": out.Title, "preamble": out.Text.Preamble, "sections": importedSections(out), "report": out.Report})
		return nil
	}
	req := desk.CreateMOURequest{Title: form["title"], Template: form["template"], Workflow: form["workflow"], Message: form["message"]}
	for _, f := range []struct {
		name string
		into *map[string]string
	}{{"parties", &req.Parties}, {"variables", &req.Variables}} {
		if v := form[f.name]; v != "" {
			if err := json.Unmarshal([]byte(v), f.into); err != nil {
				return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_json", Field: f.name, Message: f.name + " must be a JSON object of strings"}
			}
		}
	}
	out, err := s.desk.ImportDOCX(ctx, actor(c), req, data)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"mou": out.MOU, "revision": out.Revision, "content_hash": out.ContentHash,
		"sections": out.Sections, "report": out.Report})
	return nil
}

// importedSection is a section of a dry run: its text and closest clause.
type importedSection struct {
	docx.Section
	Clause     string  `json:"clause,omitempty"`
	Similarity float64 `json:"similarity"`
}

func importedSections(out *desk.Import) []importedSection {
	secs := make([]importedSection, len(out.Text.Sections))
	for i, s := range out.Text.Sections {
		secs[i] = importedSection{Section: s, Clause: out.Sections[i].Clause, Similarity: out.Sections[i].Similarity}
	}
	return secs
}

// maxFormField bounds each text field of the import form.
const maxFormField = 64 << 10

// readDOCXUpload reads the import form: the document (at most
// docx.MaxFileBytes, 413 past it) and the short text fields.
func readDOCXUpload(c *gin.Context) (map[string]string, []byte, error) {
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, moudesk.Errorf(moudesk.KindUnsupported, "unsupported_media_type", "send the Word document as multipart/form-data in the field \"file\"")
	}
	limit := int64(docx.MaxFileBytes)
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	mr := multipart.NewReader(body, params["boundary"])
	tooLarge := &moudesk.Error{Kind: moudesk.KindTooLarge, Code: "too_large", Field: "file", Message: fmt.Sprintf("the file is larger than %d MiB", limit>>20)}
	form := map[string]string{}
	var data []byte
	for {
		part, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return nil, nil, tooLarge
		case errors.Is(err, io.EOF):
			if data == nil {
				return nil, nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_file", Field: "file", Message: "no file was sent in the field file"}
			}
			return form, data, nil
		case isTimeout(err):
			return nil, nil, errUploadTimeout
		case err != nil:
			return nil, nil, errInvalid("invalid_multipart", "the multipart body is malformed")
		}
		name := part.FormName()
		max := int64(maxFormField)
		if name == "file" {
			max = limit
		}
		v, err := io.ReadAll(io.LimitReader(part, max+1))
		switch {
		case errors.As(err, &mbe):
			return nil, nil, tooLarge
		case isTimeout(err):
			return nil, nil, errUploadTimeout
		case err != nil:
			return nil, nil, errInvalid("invalid_multipart", "the multipart body is malformed")
		case int64(len(v)) > max && name == "file":
			return nil, nil, tooLarge
		case int64(len(v)) > max:
			return nil, nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "too_long", Field: name, Message: name + " is too long"}
		}
		if name == "file" {
			data = v
			continue
		}
		form[name] = string(v)
	}
}
