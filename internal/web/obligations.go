package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/obligation"
)

// obligationRoutes registers an executed MOU's obligations and the
// reports its parties submit for them. Reading needs only to see the MOU;
// submitting is for the obligation's own party (the service decides), and
// waiving a period for that party's clerk.
func (s *Server) obligationRoutes() {
	o := &obligationHandlers{Server: s}
	s.handle(http.MethodGet, "/api/v1/datasets", auth.TemplateRead, o.schemas)
	s.handle(http.MethodGet, "/api/v1/mous/:id/obligations", auth.MOURead, o.list)
	s.handle(http.MethodGet, "/api/v1/mous/:id/obligations/:oid", auth.MOURead, o.one)
	s.handleUpload(http.MethodPost, "/api/v1/mous/:id/obligations/:oid/reports", auth.ReportWrite, o.submit)
	s.handle(http.MethodGet, "/api/v1/mous/:id/obligations/:oid/reports/:report", auth.MOURead, o.download)
	s.handle(http.MethodGet, "/api/v1/mous/:id/obligations/:oid/dataset.csv", auth.MOURead, o.dataset)
	s.handle(http.MethodPost, "/api/v1/mous/:id/obligations/:oid/waivers", auth.ObligationWaive, o.waive)
}

// obligationHandlers serves obligations and reports.
type obligationHandlers struct{ *Server }

// schemas lists the dataset schemas reports are checked against.
func (o *obligationHandlers) schemas(c *gin.Context) error {
	out := []*obligation.Schema{}
	for _, name := range slices.Sorted(maps.Keys(o.desk.Datasets())) {
		out = append(out, o.desk.Datasets()[name])
	}
	c.JSON(http.StatusOK, gin.H{"datasets": out})
	return nil
}

// list answers the MOU's obligations with their dues and states
// (?late=true: only those with a late period).
func (o *obligationHandlers) list(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	late := false
	switch c.Query("late") {
	case "", "false", "0":
	case "true", "1":
		late = true
	default:
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_late", Field: "late", Message: "late must be true or false"}
	}
	out, err := o.desk.ObligationsOf(c.Request.Context(), actor(c), id, late)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"obligations": out})
	return nil
}

func (o *obligationHandlers) ids(c *gin.Context) (int64, int64, error) {
	id, err := idParam(c)
	if err != nil {
		return 0, 0, err
	}
	oid, err := positiveID(c, "oid", "obligation")
	return id, oid, err
}

// one answers one obligation with every period's reports.
func (o *obligationHandlers) one(c *gin.Context) error {
	id, oid, err := o.ids(c)
	if err != nil {
		return err
	}
	out, err := o.desk.ObligationOf(c.Request.Context(), actor(c), id, oid)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// maxReportField bounds each text field sent with a report.
const maxReportField = 8 << 10

// submit stores a report: the file as multipart/form-data (field file,
// with due, reason and meeting fields), or the body itself as text/csv or
// application/pdf (due and reason in the query), or JSON {due, reason,
// meeting} for a meeting. A file over desk.MaxReportBytes is 413 before
// anything is stored.
func (o *obligationHandlers) submit(c *gin.Context) error {
	id, oid, err := o.ids(c)
	if err != nil {
		return err
	}
	req := desk.SubmitReportRequest{MOUID: id, ObligationID: oid}
	form := map[string]string{"due": c.Query("due"), "reason": c.Query("reason"), "meeting": c.Query("meeting")}
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "multipart/form-data":
		fields, data, name, err := readReportUpload(c, params["boundary"])
		if err != nil {
			return err
		}
		for k, v := range fields {
			form[k] = v
		}
		req.Data, req.Filename = data, name
	case "text/csv", "application/pdf":
		data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, desk.MaxReportBytes))
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return reportTooLarge()
		case isTimeout(err):
			return errUploadTimeout
		case err != nil:
			return errInvalid("unreadable_body", "could not read the request body")
		}
		req.Data, req.Filename = data, c.Query("filename")
	case "application/json":
		var body struct {
			Due     int    `json:"due"`
			Reason  string `json:"reason"`
			Meeting int64  `json:"meeting"`
		}
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		form["due"], form["reason"] = strconv.Itoa(body.Due), body.Reason
		form["meeting"] = strconv.FormatInt(body.Meeting, 10)
	default:
		return moudesk.Errorf(moudesk.KindUnsupported, "unsupported_media_type",
			"send the report as multipart/form-data (field file), as text/csv or application/pdf, or a meeting as application/json")
	}
	if req.Due, err = optionalInt(form["due"], "due"); err != nil {
		return err
	}
	meeting, err := optionalInt(form["meeting"], "meeting")
	if err != nil {
		return err
	}
	req.MeetingID, req.Reason = int64(meeting), form["reason"]
	out, err := o.desk.SubmitReport(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, out)
	return nil
}

func reportTooLarge() error {
	return &moudesk.Error{Kind: moudesk.KindTooLarge, Code: "too_large", Field: "file",
		Message: fmt.Sprintf("the file is larger than %d MiB", desk.MaxReportBytes>>20)}
}

// optionalInt reads a form number; "" and "0" are none.
func optionalInt(v, field string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_" + field, Field: field, Message: field + " must be a whole number"}
	}
	return n, nil
}

// readReportUpload reads a report form: the file (at most
// desk.MaxReportBytes, 413 past it) and its short text fields.
func readReportUpload(c *gin.Context, boundary string) (map[string]string, []byte, string, error) {
	if boundary == "" {
		return nil, nil, "", errInvalid("invalid_multipart", "the multipart body has no boundary")
	}
	limit := int64(desk.MaxReportBytes)
	mr := multipart.NewReader(http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20), boundary)
	form := map[string]string{}
	var data []byte
	var filename string
	for {
		part, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return nil, nil, "", reportTooLarge()
		case errors.Is(err, io.EOF):
			return form, data, filename, nil
		case isTimeout(err):
			return nil, nil, "", errUploadTimeout
		case err != nil:
			return nil, nil, "", errInvalid("invalid_multipart", "the multipart body is malformed")
		}
		name := part.FormName()
		max := int64(maxReportField)
		if name == "file" {
			max = limit
		}
		v, err := io.ReadAll(io.LimitReader(part, max+1))
		switch {
		case errors.As(err, &mbe):
			return nil, nil, "", reportTooLarge()
		case isTimeout(err):
			return nil, nil, "", errUploadTimeout
		case err != nil:
			return nil, nil, "", errInvalid("invalid_multipart", "the multipart body is malformed")
		case int64(len(v)) > max && name == "file":
			return nil, nil, "", reportTooLarge()
		case int64(len(v)) > max:
			return nil, nil, "", &moudesk.Error{Kind: moudesk.KindInvalid, Code: "too_long", Field: name, Message: name + " is too long"}
		}
		if name == "file" {
			data, filename = v, part.FileName()
			continue
		}
		form[name] = string(v)
	}
}

// download answers one report's stored bytes: a dataset's canonical CSV
// or a PDF, with its SHA-256 in a header.
func (o *obligationHandlers) download(c *gin.Context) error {
	id, oid, err := o.ids(c)
	if err != nil {
		return err
	}
	rid, err := positiveID(c, "report", "report")
	if err != nil {
		return err
	}
	r, err := o.desk.ReportOf(c.Request.Context(), actor(c), id, oid, rid)
	if err != nil {
		return err
	}
	ctype, ext := "text/csv; charset=utf-8", "csv"
	switch r.Kind {
	case obligation.EvidenceDocument:
		ctype, ext = "application/pdf", "pdf"
	case obligation.EvidenceMeeting:
		c.JSON(http.StatusOK, r.ReportInfo)
		return nil
	}
	c.Header("X-Content-SHA256", r.SHA256)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="mou-%d-obligation-%d-report-%d-v%d.%s"`, id, oid, r.ID, r.Version, ext))
	c.Data(http.StatusOK, ctype, r.Data)
	return nil
}

// dataset answers a dataset obligation's rows over every period, each
// period's version in force, as one CSV with the period and version in
// front: what a spreadsheet opens to see the whole series.
func (o *obligationHandlers) dataset(c *gin.Context) error {
	id, oid, err := o.ids(c)
	if err != nil {
		return err
	}
	ob, err := o.desk.ObligationOf(c.Request.Context(), actor(c), id, oid)
	if err != nil {
		return err
	}
	schema, ok := o.desk.Datasets()[ob.Dataset]
	if ob.Evidence != obligation.EvidenceDataset || !ok {
		return moudesk.Errorf(moudesk.KindNotFound, "not_found", "obligation %d has no dataset", oid)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"period", "version"}
	for _, col := range schema.Columns {
		head = append(head, col.Name)
	}
	_ = w.Write(head)
	for _, d := range ob.Dues {
		if len(d.Reports) == 0 {
			continue
		}
		cur := d.Reports[len(d.Reports)-1]
		r, err := o.desk.ReportOf(c.Request.Context(), actor(c), id, oid, cur.ID)
		if err != nil {
			return err
		}
		t, err := schema.ParseTable(r.Data)
		if err != nil {
			return err
		}
		for _, row := range t.Rows {
			_ = w.Write(append([]string{d.Label, strconv.Itoa(cur.Version)}, row...))
		}
	}
	w.Flush()
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="mou-%d-%s.csv"`, id, ob.Key))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	return nil
}

type waiveRequest struct {
	Due    int    `json:"due"`
	Reason string `json:"reason"`
}

// waive waives one period of an obligation for its party, with a reason.
func (o *obligationHandlers) waive(c *gin.Context) error {
	id, oid, err := o.ids(c)
	if err != nil {
		return err
	}
	var req waiveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := o.desk.WaiveDue(c.Request.Context(), actor(c), desk.WaiveRequest{MOUID: id, ObligationID: oid, Due: req.Due, Reason: req.Reason}); err != nil {
		return err
	}
	out, err := o.desk.ObligationOf(c.Request.Context(), actor(c), id, oid)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, out)
	return nil
}
