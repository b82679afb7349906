package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
)

// client is one demo user talking to the server's own JSON API in process:
// it signs in with its password like anyone else and sends the session
// cookie and CSRF token with every write, so every rule (authorization,
// CSRF, workflow, party checks, audit) applies as for a real user.
type client struct {
	h      http.Handler
	email  string
	cookie *http.Cookie
	csrf   string
}

// demoAddr is the client address the server records for demo requests.
const demoAddr = "127.0.0.1:0"

// signIn starts a session for email through POST /api/v1/session.
func signIn(ctx context.Context, h http.Handler, email, password string) (*client, error) {
	c := &client{h: h, email: email}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	res, err := c.send(ctx, http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": password}, http.StatusOK, &out)
	if err != nil {
		return nil, err
	}
	for _, ck := range res.Result().Cookies() {
		if ck.Value != "" {
			c.cookie = ck
		}
	}
	if c.cookie == nil || out.CSRF == "" {
		return nil, fmt.Errorf("demo: sign-in of %s gave no session", email)
	}
	c.csrf = out.CSRF
	return c, nil
}

// call sends body as JSON and decodes the answer into out (when not nil);
// any status other than want is an error naming the request and the
// server's answer.
func (c *client) call(ctx context.Context, method, path string, body any, want int, out any) error {
	_, err := c.send(ctx, method, path, body, want, out)
	return err
}

func (c *client) send(ctx context.Context, method, path string, body any, want int, out any) (*httptest.ResponseRecorder, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("demo: encode %s %s: %w", method, path, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://localhost"+path, bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("demo: %s %s: %w", method, path, err)
	}
	req.RemoteAddr = demoAddr
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	if rec.Code != want {
		return nil, fmt.Errorf("demo: %s %s as %s = %d, want %d: %.500s", method, path, c.email, rec.Code, want, rec.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			return nil, fmt.Errorf("demo: decode %s %s: %w", method, path, err)
		}
	}
	return rec, nil
}
