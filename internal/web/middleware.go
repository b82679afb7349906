package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPrincipal
)

// requestID returns the id the request logger gave this request.
func requestID(c *gin.Context) string {
	id, _ := c.Request.Context().Value(keyRequestID).(string)
	return id
}

// withRequestID gives every request an id, echoed in X-Request-ID and put
// on every log line about it.
func withRequestID(c *gin.Context) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), keyRequestID, id))
	c.Next()
}

// logRequests writes one slog line per request once it is answered.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{
		"request_id", requestID(c),
		"method", c.Request.Method,
		"path", c.Request.URL.Path,
		"status", status,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
		"bytes", c.Writer.Size(),
	}
	if p := principal(c); p != nil {
		attrs = append(attrs, "user", p.Email)
	}
	s.log.Log(c.Request.Context(), level, "request", attrs...)
}

// recoverPanics turns a panic into a logged 500 so one bad request cannot
// take the server down; a panic on user input is still a bug to fix.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(r)
			}
			s.log.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			s.writeError(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// securityHeaders sets headers every response should carry.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// notFound and methodNotAllowed answer in the JSON error shape.
func (s *Server) notFound(c *gin.Context) {
	s.writeError(c, moudesk.Errorf(moudesk.KindNotFound, "not_found", "no such route: %s %s", c.Request.Method, c.Request.URL.Path))
}

func (s *Server) methodNotAllowed(c *gin.Context) {
	c.Abort()
	c.JSON(http.StatusMethodNotAllowed, gin.H{"error": gin.H{"code": "method_not_allowed", "message": c.Request.Method + " is not allowed on " + c.Request.URL.Path}})
}
