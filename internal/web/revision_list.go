package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/mou"
)

// listRevisions answers a page of an MOU's revisions, oldest first:
// ?limit= (default 100, at most 500) and ?cursor= as every list takes
// them, next_cursor while more remain.
func (m *mouHandlers) listRevisions(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := readListPage(c, "revisions")
	if err != nil {
		return err
	}
	out, err := m.desk.Revisions(c.Request.Context(), id, int(p.after), p.limit+1)
	if err != nil {
		return err
	}
	out, next := pageOf(out, p, "revisions", func(r mou.RevisionInfo) int64 { return int64(r.Number) })
	c.JSON(http.StatusOK, pageBody("revisions", out, next))
	return nil
}

// historyPageSize is how many revisions a page's history table shows.
const historyPageSize = 100

// revisionHistory is the part of an MOU's history a page shows: the
// historyPageSize revisions up to ?upto= (the newest the page may show, by
// default), oldest first like the API, and links to the revisions before
// and after them on the same page ("" when there are none).
type revisionHistory struct {
	Revisions      []mou.RevisionInfo
	Earlier, Later string
}

// revisionHistory reads the history a page of MOU id shows, whose newest
// revision it may show is newest. Revisions are numbered 1, 2, 3… without
// gaps, so a window is a keyset page that starts at upto-historyPageSize.
func (p *pageHandlers) revisionHistory(c *gin.Context, id int64, newest int) (*revisionHistory, error) {
	upto := newest
	if raw := c.Query("upto"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return nil, errInvalid("invalid_upto", "upto must be a revision number")
		}
		upto = min(n, newest)
	}
	after := max(0, upto-historyPageSize)
	revs, err := p.desk.Revisions(c.Request.Context(), id, after, upto-after)
	if err != nil {
		return nil, err
	}
	h := &revisionHistory{Revisions: revs}
	link := func(upto int) string {
		q := c.Request.URL.Query()
		q.Del("upto")
		if upto < newest {
			q.Set("upto", strconv.Itoa(upto))
		}
		if len(q) == 0 {
			return c.Request.URL.Path
		}
		return c.Request.URL.Path + "?" + q.Encode()
	}
	if after > 0 {
		h.Earlier = link(after)
	}
	if upto < newest {
		h.Later = link(min(newest, upto+historyPageSize))
	}
	return h, nil
}

// revisionNumbers is revisions 1 to n with their numbers only: all that a
// form choosing revisions to compare shows, without reading the history.
func revisionNumbers(n int) []mou.RevisionInfo {
	out := make([]mou.RevisionInfo, n)
	for i := range out {
		out[i].Number = i + 1
	}
	return out
}
