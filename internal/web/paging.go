package web

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Bounds of ?limit= on list endpoints.
const (
	defaultPageSize = 100
	maxPageSize     = 500
)

// listPage is one page a list request asks for: the key of the last item
// of the previous page (0 for the first) and how many items to return.
type listPage struct {
	after int64
	limit int
}

// readListPage reads ?limit= (1 to maxPageSize, defaultPageSize when
// absent or empty) and ?cursor= (the first page when absent or empty) of
// the list named list: 400 invalid_limit or invalid_cursor for anything
// else, before the handler reads a row.
func readListPage(c *gin.Context, list string) (listPage, error) {
	p := listPage{limit: defaultPageSize}
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPageSize {
			return p, errInvalid("invalid_limit", "limit must be a whole number from 1 to %d", maxPageSize)
		}
		p.limit = n
	}
	if raw := c.Query("cursor"); raw != "" {
		after, err := decodeCursor(list, raw)
		if err != nil {
			return p, err
		}
		p.after = after
	}
	return p, nil
}

// A cursor is the base64url (unpadded) of "<list>:<key>", so clients treat
// it as opaque and one list's cursor is refused by another list. Keys are
// positive: 0 would mean "from the start", which needs no cursor.
func encodeCursor(list string, key int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + ":" + strconv.FormatInt(key, 10)))
}

func decodeCursor(list, s string) (int64, error) {
	bad := errInvalid("invalid_cursor", "cursor is not one this list gave out; pass next_cursor as it came")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, bad
	}
	name, key, ok := strings.Cut(string(raw), ":")
	if !ok || name != list {
		return 0, bad
	}
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != key {
		return 0, bad
	}
	return n, nil
}

// pageOf trims items, read with a limit of p.limit+1, to p.limit and
// returns the cursor of the next page, or "" when nothing remains: the
// extra item tells that more remain without a second query and without
// promising a next page that turns out empty.
func pageOf[T any](items []T, p listPage, list string, key func(T) int64) ([]T, string) {
	if len(items) <= p.limit {
		return items, ""
	}
	items = items[:p.limit]
	return items, encodeCursor(list, key(items[len(items)-1]))
}

// pageBody is a list response: the items under their usual name, and
// next_cursor only when another page remains.
func pageBody(name string, items any, next string) gin.H {
	body := gin.H{name: items}
	if next != "" {
		body["next_cursor"] = next
	}
	return body
}

// nextPageLink is the address of a page's next page on path, "" when next
// is: the cursor, the limit when not the default, and the page's other
// parameters (a filter such as mou), so following it keeps the same list.
func nextPageLink(path, next string, p listPage, keep url.Values) string {
	if next == "" {
		return ""
	}
	q := url.Values{}
	for k, v := range keep {
		if len(v) > 0 && v[0] != "" {
			q.Set(k, v[0])
		}
	}
	q.Set("cursor", next)
	if p.limit != defaultPageSize {
		q.Set("limit", strconv.Itoa(p.limit))
	}
	return path + "?" + q.Encode()
}
