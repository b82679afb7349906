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
	if e.Kind == moudesk.KindTooMany {
		if d, ok := e.Data.(retryAfter); ok {
			c.Header("Retry-After", strconv.Itoa(int(d)))
		}
	}
	if isPage(c) {
		s.writePageError(c, e, status)
		return
	}
	c.Abort()
	if raw, ok := e.Data.(rawJSON); ok {
		c.Data(status, "application/json; charset=utf-8", errorWithRawDetails(e, raw))
		return
	}
	body := gin.H{"code": e.Code, "message": e.Message}
	if e.Field != "" {
		body["field"] = e.Field
	}
	if e.Data != nil {
		if _, ok := e.Data.(retryAfter); !ok {
			body["details"] = e.Data
		}
	}
	c.JSON(status, gin.H{"error": body})
}

// rawJSON is error details the server encoded itself, compact and valid,
// written as they are.
type rawJSON []byte

// errorWithRawDetails writes the error shape by hand, with the keys in the
// order encoding/json gives a map (code, details, field, message), so the
// bytes are those c.JSON would write.
func errorWithRawDetails(e *moudesk.Error, raw rawJSON) []byte {
	str := func(s string) []byte {
		b, _ := json.Marshal(s) // a string always encodes
		return b
	}
	out := make([]byte, 0, len(raw)+len(e.Message)+64)
	out = append(out, `{"error":{"code":`...)
	out = append(out, str(e.Code)...)
	out = append(out, `,"details":`...)
	out = append(out, raw...)
	if e.Field != "" {
		out = append(out, `,"field":`...)
		out = append(out, str(e.Field)...)
	}
	out = append(out, `,"message":`...)
	out = append(out, str(e.Message)...)
	return append(out, "}}"...)
}

// retryAfter is error data carrying seconds for the Retry-After header.
type retryAfter int

func errInvalid(code, format string, args ...any) error {
	return moudesk.Errorf(moudesk.KindInvalid, code, format, args...)
}
