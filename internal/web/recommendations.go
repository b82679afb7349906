package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// recommendationRoutes registers the recommendations API and pages: the
// records, their dispositions and the matrix (JSON, HTML, PDF). Reading
// needs only to see the MOU; writing is a drafter's or clerk's of a party
// to it, which the service decides.
func (s *Server) recommendationRoutes() {
	r := &recommendationHandlers{Server: s}
	s.handle(http.MethodGet, "/api/v1/mous/:id/recommendations", auth.MOURead, r.list)
	s.handle(http.MethodPost, "/api/v1/mous/:id/recommendations", auth.RecommendationWrite, r.add)
	s.handle(http.MethodGet, "/api/v1/mous/:id/recommendations/matrix", auth.MOURead, r.matrix)
	s.handle(http.MethodPost, "/api/v1/mous/:id/recommendations/:rid/disposition", auth.RecommendationWrite, r.dispose)
	s.handle(http.MethodGet, "/mous/:id/recommendations", auth.MOURead, r.page)
	s.handle(http.MethodPost, "/mous/:id/recommendations", auth.RecommendationWrite, r.addPage)
	s.handle(http.MethodPost, "/mous/:id/recommendations/:rid/disposition", auth.RecommendationWrite, r.disposePage)
}

// recommendationHandlers serves recommendations.
type recommendationHandlers struct{ *Server }

type addRecommendationsRequest struct {
	Recommendations []desk.NewRecommendation `json:"recommendations"`
}

// list answers every recommendation of the MOU with its whole history.
func (r *recommendationHandlers) list(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	out, err := r.desk.RecommendationsFor(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"recommendations": out})
	return nil
}

// add records one recommendation or a report's list, all or none.
func (r *recommendationHandlers) add(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var req addRecommendationsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := r.desk.AddRecommendations(c.Request.Context(), principal(c), actor(c), id, req.Recommendations)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"recommendations": out})
	return nil
}

// dispose records what became of one recommendation.
func (r *recommendationHandlers) dispose(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	rid, err := positiveID(c, "rid", "recommendation")
	if err != nil {
		return err
	}
	var req desk.NewDisposition
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := r.desk.Dispose(c.Request.Context(), principal(c), actor(c), id, rid, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"recommendation": out})
	return nil
}

// matrix answers the recommendations matrix as JSON, or typeset with
// ?format=pdf.
func (r *recommendationHandlers) matrix(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	switch c.DefaultQuery("format", "json") {
	case "json":
		mx, err := r.desk.Matrix(c.Request.Context(), actor(c), id)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, mx)
		return nil
	case "pdf":
		return r.matrixPDF(c, id)
	}
	return errInvalid("invalid_format", "format must be json or pdf")
}

func (r *recommendationHandlers) matrixPDF(c *gin.Context, id int64) error {
	pp, err := readPDFParams(c)
	if err != nil {
		return err
	}
	doc, err := r.desk.MatrixPDF(c.Request.Context(), actor(c), id, pp.paper)
	if err != nil {
		return err
	}
	writePDF(c, doc, fmt.Sprintf("mou-%d-recommendations.pdf", id))
	return nil
}

// recommendationsPage is the matrix page with its two forms: add
// recommendations, and dispose of one. A refused form comes back as typed
// with its errors.
type recommendationsPage struct {
	MOU      *desk.MOU
	Matrix   *desk.Matrix
	CanWrite bool
	Current  int      // the current revision, the forms' default
	Keys     []string // section keys of the current revision, for the hint
	// Dispositions are the choices of the disposition form.
	Dispositions []string
	Add          addForm
	AddErrs      map[string]string
	// DisposeID is the recommendation whose refused form Dispose holds.
	DisposeID   int64
	Dispose     disposeForm
	DisposeErrs map[string]string
}

type addForm struct{ Body, Title, Date, Item, Text string }

type disposeForm struct{ Disposition, Sections, Revision, Reason string }

func (r *recommendationHandlers) pageData(c *gin.Context) (*recommendationsPage, error) {
	ctx := c.Request.Context()
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	mx, err := r.desk.Matrix(ctx, actor(c), id)
	if err != nil {
		return nil, err
	}
	m, err := r.desk.MOU(ctx, id)
	if err != nil {
		return nil, err
	}
	rev, err := r.desk.Revision(ctx, id, m.CurrentRevision)
	if err != nil {
		return nil, err
	}
	out := &recommendationsPage{MOU: m, Matrix: mx, Current: m.CurrentRevision, AddErrs: map[string]string{}, DisposeErrs: map[string]string{},
		Dispositions: []string{desk.RecAdopted, desk.RecMet, desk.RecDeferred, desk.RecDeclined}}
	for _, sec := range rev.Sections {
		out.Keys = append(out.Keys, sec.Key)
	}
	if p := principal(c); p.Can(auth.RecommendationWrite) && p.PartySlug != "" {
		for _, pt := range m.Parties {
			if pt.Slug == p.PartySlug {
				out.CanWrite = true
			}
		}
	}
	return out, nil
}

// page shows the matrix, or typesets it with ?format=pdf.
func (r *recommendationHandlers) page(c *gin.Context) error {
	if f := c.Query("format"); f == "pdf" {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		return r.matrixPDF(c, id)
	} else if f != "" && f != "html" {
		return errInvalid("invalid_format", "format must be html or pdf")
	}
	data, err := r.pageData(c)
	if err != nil {
		return err
	}
	return r.renderPage(c, http.StatusOK, "recommendations", "Recommendations: "+data.MOU.Title, "", data)
}

// addPage records the recommendations of the add form: each non-blank
// line of the text is one, all from the same source, so a clerk can paste
// a report's list. A numeric item numbers the lines on from it.
func (r *recommendationHandlers) addPage(c *gin.Context) error {
	data, err := r.pageData(c)
	if err != nil {
		return err
	}
	f := addForm{Body: c.PostForm("body"), Title: c.PostForm("title"), Date: strings.TrimSpace(c.PostForm("date")),
		Item: strings.TrimSpace(c.PostForm("item")), Text: c.PostForm("text")}
	var in []desk.NewRecommendation
	for _, line := range strings.Split(f.Text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in = append(in, desk.NewRecommendation{Source: desk.RecommendationSource{Body: f.Body, Title: f.Title, Date: f.Date, Item: f.Item}, Text: line})
		}
	}
	if first, err := strconv.Atoi(f.Item); err == nil && len(in) > 1 {
		for i := range in {
			in[i].Source.Item = strconv.Itoa(first + i)
		}
	}
	if _, err := r.desk.AddRecommendations(c.Request.Context(), principal(c), actor(c), data.MOU.ID, in); err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		data.Add, data.AddErrs = f, formFields(errs)
		return r.renderPage(c, http.StatusUnprocessableEntity, "recommendations", "Recommendations: "+data.MOU.Title, "", data)
	}
	return seeOther(c, fmt.Sprintf("/mous/%d/recommendations", data.MOU.ID), "")
}

// disposePage records one recommendation's disposition from its form:
// sections are keys separated by commas or spaces.
func (r *recommendationHandlers) disposePage(c *gin.Context) error {
	data, err := r.pageData(c)
	if err != nil {
		return err
	}
	rid, err := positiveID(c, "rid", "recommendation")
	if err != nil {
		return err
	}
	f := disposeForm{Disposition: c.PostForm("disposition"), Sections: c.PostForm("sections"),
		Revision: strings.TrimSpace(c.PostForm("revision")), Reason: c.PostForm("reason")}
	d := desk.NewDisposition{Disposition: f.Disposition, Reason: f.Reason,
		Sections: strings.FieldsFunc(f.Sections, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })}
	if f.Revision != "" {
		n, err := strconv.Atoi(f.Revision)
		if err != nil || n < 1 {
			data.DisposeID, data.Dispose = rid, f
			data.DisposeErrs = map[string]string{"revision": "revision must be a revision number (1 or more), or left empty"}
			return r.renderPage(c, http.StatusUnprocessableEntity, "recommendations", "Recommendations: "+data.MOU.Title, "", data)
		}
		d.Revision = n
	}
	if _, err := r.desk.Dispose(c.Request.Context(), principal(c), actor(c), data.MOU.ID, rid, d); err != nil {
		errs, ierr := fieldErrors(err)
		if ierr != nil {
			return ierr
		}
		data.DisposeID, data.Dispose, data.DisposeErrs = rid, f, formFields(errs)
		return r.renderPage(c, http.StatusUnprocessableEntity, "recommendations", "Recommendations: "+data.MOU.Title, "", data)
	}
	return seeOther(c, fmt.Sprintf("/mous/%d/recommendations#rec-%d", data.MOU.ID, rid), "")
}

// formFields maps the service's field names to the forms' inputs:
// "recommendations[2].source.body" is the add form's "body",
// "sections[1]" the disposition form's "sections".
func formFields(errs map[string]string) map[string]string {
	out := make(map[string]string, len(errs))
	for k, v := range errs {
		if _, rest, ok := strings.Cut(k, "]."); ok && strings.HasPrefix(k, "recommendations[") {
			k = strings.TrimPrefix(rest, "source.")
		}
		if k == "recommendations" {
			k = "text"
		}
		if i := strings.IndexByte(k, '['); i > 0 {
			k = k[:i]
		}
		out[k] = v
	}
	return out
}
