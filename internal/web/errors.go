package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(c *gin.Context) error

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[moudesk.Kind]int{
	moudesk.KindInternal:      http.StatusInternalServerError,
	moudesk.KindInvalid:       http.StatusBadRequest,
	moudesk.KindUnauthorized:  http.StatusUnauthorized,
	moudesk.KindForbidden:     http.StatusForbidden,
	moudesk.KindNotFound:      http.StatusNotFound,
	moudesk.KindConflict:      http.StatusConflict,
	moudesk.KindTooLarge:      http.StatusRequestEntityTooLarge,
	moudesk.KindUnsupported:   http.StatusUnsupportedMediaType,
	moudesk.KindUnprocessable: http.StatusUnprocessableEntity,
	moudesk.KindTooMany:       http.StatusTooManyRequests,
	moudesk.KindUnavailable:   http.StatusServiceUnavailable,
}

// clientError turns any error into the client-safe error: our own type as
// it is, domain errors by their package's rules, anything else "internal".
func clientError(err error) (*moudesk.Error, bool) {
	if e, ok := moudesk.AsError(err); ok {
		return e, true
	}
	var ce *clause.Error
	if errors.As(err, &ce) {
		return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: ce.Code, Message: ce.Error(), Field: ce.Field}, true
	}
	if e, ok := domainError(err); ok {
		return e, true
	}
	return &moudesk.Error{Kind: moudesk.KindInternal, Code: "internal", Message: "internal error"}, false
}

// wrap adapts a handlerFunc to gin, writing any returned error once.
func (s *Server) wrap(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.writeError(c, err)
		}
	}
}

// writeError answers with {"error":{code,message[,field][,...data]}}.
// Internal errors are logged in full and shown as "internal error" only.
func (s *Server) writeError(c *gin.Context, err error) {
	e, safe := clientError(err)
	status := statusOf[e.Kind]
	if !safe || status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "request_id", requestID(c), "err", err)
	}
	if d, ok := e.Data.(moudesk.RetryAfter); ok {
		c.Header("Retry-After", strconv.Itoa(int(d)))
	}
	if isPage(c) {
		s.writePageError(c, e, status)
		return
	}
	c.Abort()
	if raw, ok := e.Data.(rawJSON); ok {
		writeRawDetails(c, status, e, raw)
		return
	}
	body := gin.H{"code": e.Code, "message": e.Message}
	if e.Field != "" {
		body["field"] = e.Field
	}
	if e.Data != nil {
		if _, ok := e.Data.(moudesk.RetryAfter); !ok {
			body["details"] = e.Data
		}
	}
	c.JSON(status, gin.H{"error": body})
}

// rawJSON is error details the server encoded itself, compact and valid,
// in pieces written one after another as they are (a 409's redline is a
// cached document-sized value shared by every losing save).
type rawJSON [][]byte

// writeRawDetails writes the error shape by hand around raw details, with
// the keys in the order encoding/json gives a map (code, details, field,
// message), so the bytes are those c.JSON would write.
func writeRawDetails(c *gin.Context, status int, e *moudesk.Error, raw rawJSON) {
	head, tail := rawEnvelope(e)
	n := len(head) + len(tail)
	for _, p := range raw {
		n += len(p)
	}
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Header("Content-Length", strconv.Itoa(n))
	c.Status(status)
	for _, p := range append(append([][]byte{head}, raw...), tail) {
		if _, err := c.Writer.Write(p); err != nil {
			return // the client went away; nothing more to tell it
		}
	}
}

// rawEnvelope is the error shape before and after the details.
func rawEnvelope(e *moudesk.Error) (head, tail []byte) {
	str := func(s string) []byte {
		b, _ := json.Marshal(s) // a string always encodes
		return b
	}
	head = append(append([]byte(`{"error":{"code":`), str(e.Code)...), `,"details":`...)
	if e.Field != "" {
		tail = append(append(tail, `,"field":`...), str(e.Field)...)
	}
	tail = append(append(append(tail, `,"message":`...), str(e.Message)...), "}}"...)
	return head, tail
}

func errInvalid(code, format string, args ...any) error {
	return moudesk.Errorf(moudesk.KindInvalid, code, format, args...)
}
