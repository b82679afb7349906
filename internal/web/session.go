package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

// maxEmailLen is the longest e-mail address an account may have.
const maxEmailLen = 254

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// login checks a password and starts a session for the JSON API.
func (s *Server) login(c *gin.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, csrf, err := s.startSession(c, req.Email, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"user": u, "csrf_token": csrf})
	return nil
}

// startSession checks a password and, when it matches, sets the session
// cookie and returns the user and the session's CSRF token. The JSON login
// and the sign-in page share it. Failures are throttled per account and
// per address and audited, never with the password. Password checks wait
// their turn for hashing memory; past auth.HashWait the answer is 503 busy
// with Retry-After, and no failure is counted.
func (s *Server) startSession(c *gin.Context, rawEmail, password string) (*desk.User, string, error) {
	ctx := c.Request.Context()
	email := strings.ToLower(strings.TrimSpace(rawEmail))
	addr := c.ClientIP()
	// No account has such an address (the store takes 254 bytes at most),
	// and failures are audited with the address: an anonymous caller must
	// not be able to append a megabyte to the audit log per request.
	if len(email) > maxEmailLen || !utf8.ValidString(rawEmail) || strings.ContainsRune(email, 0) {
		return nil, "", &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_email", Field: "email",
			Message: fmt.Sprintf("an e-mail address is valid UTF-8 of at most %d bytes", maxEmailLen)}
	}
	if ok, wait := s.throttle.Allow(email, addr); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		_ = s.desk.Audit(ctx, moudesk.Actor{Addr: addr}, "login.throttled", "account:"+email, map[string]any{"addr": addr, "retry_after": secs})
		return nil, "", &moudesk.Error{Kind: moudesk.KindTooMany, Code: "too_many_attempts",
			Message: "too many failed sign-in attempts; wait and try again", Data: moudesk.RetryAfter(secs)}
	}
	u, hash, err := s.desk.UserByEmail(ctx, email)
	if err != nil && !moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, "", err
	}
	ok := false
	if u != nil && !u.Disabled && u.Active {
		ok, err = auth.VerifyPassword(hash, password)
		if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
			return nil, "", err
		}
	} else {
		// Spend the same time as a real check so timing does not reveal
		// which e-mail addresses have accounts, or which accounts are
		// invited and have no password yet.
		// Under load it is refused (503 busy) as a real check would be.
		if err := s.cfg.Hasher.SpendVerifyTime(password); err != nil {
			return nil, "", err
		}
	}
	if !ok {
		s.throttle.Fail(email, addr)
		if err := s.desk.Audit(ctx, moudesk.Actor{Addr: addr}, "login.failure", "account:"+email, map[string]any{"addr": addr}); err != nil {
			return nil, "", err
		}
		return nil, "", moudesk.Errorf(moudesk.KindUnauthorized, "invalid_credentials", "wrong e-mail or password")
	}
	s.throttle.Succeed(email, addr)
	plain, idHash, err := auth.NewSessionID()
	if err != nil {
		return nil, "", err
	}
	csrfPlain, _, err := auth.NewSessionID()
	if err != nil {
		return nil, "", err
	}
	now := s.cfg.Now()
	if err := s.desk.CreateSession(ctx, u, idHash, csrfPlain, now.Add(s.cfg.SessionMax), addr); err != nil {
		return nil, "", err
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     sessionCookie,
		Value:    plain,
		Path:     "/",
		MaxAge:   int(s.cfg.SessionMax.Seconds()),
		HttpOnly: true,
		Secure:   s.cfg.SecureCookies || c.Request.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	return u, csrfPlain, nil
}

// logout ends the session and clears the cookie.
func (s *Server) logout(c *gin.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// endSession deletes the caller's session, if any, and clears the cookie.
func (s *Server) endSession(c *gin.Context) error {
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if err := s.desk.DeleteSession(c.Request.Context(), auth.HashToken(cookie)); err != nil {
			return err
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies || c.Request.TLS != nil, SameSite: http.SameSiteLaxMode})
	return nil
}

// me answers who the caller is, and how they are signed in; a user who
// must change their password may ask (must_change_password says so).
func (s *Server) me(c *gin.Context) error {
	p := principal(c)
	u, err := s.desk.UserByID(c.Request.Context(), p.UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"user": u, "via": p.Via})
	return nil
}
