package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client is one identity talking to the server: a bearer token, or a
// session cookie and its CSRF token from signing in with a password.
type Client struct {
	base   string
	http   *http.Client
	bearer string
	cookie string
	csrf   string
	stats  *Stats
}

// newHTTPClient keeps one idle connection per load client, so the run
// measures requests, not TCP handshakes.
func newHTTPClient(conns int, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	tr.MaxConnsPerHost = 0
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Login signs in with email and password and returns a client using the
// session cookie (and its CSRF token on writes).
func Login(ctx context.Context, hc *http.Client, base, email, password string, stats *Stats) (*Client, error) {
	c := &Client{base: strings.TrimRight(base, "/"), http: hc, stats: stats}
	raw, err := json.Marshal(map[string]string{"email": email, "password": password})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/session", bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sign in as %s: %d %s", email, res.StatusCode, body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "moudesk_session" {
			c.cookie = ck.Name + "=" + ck.Value
		}
	}
	if c.cookie == "" {
		return nil, fmt.Errorf("sign in as %s: no session cookie", email)
	}
	c.csrf = out.CSRF
	return c, nil
}

// WithToken is a client sending a bearer token.
func WithToken(hc *http.Client, base, token string, stats *Stats) *Client {
	return &Client{base: strings.TrimRight(base, "/"), http: hc, bearer: token, stats: stats}
}

// keepBytes is how much of a measured write's answer the tool keeps: the
// new revision's number, a 409's latest_revision, a meeting's id.
const keepBytes = 16 << 10

// response is one answer (its body, or its head; see Client.do).
type response struct {
	status int
	body   []byte
}

// errorCode is the API error code (docs/design.md) of an error answer, or "".
func (r response) errorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

// do sends one request and records it under kind (when kind is not "").
// body is sent as JSON when not nil. A transport failure is returned as an
// error and recorded as status 0.
func (c *Client) do(ctx context.Context, kind, method, path string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return response{}, fmt.Errorf("encode %s body: %w", kind, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	} else if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
		if method != http.MethodGet {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		if kind != "" && ctx.Err() == nil {
			c.stats.record(kind, time.Since(start), 0)
		}
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	// Setup and checks (kind "") read whole answers. Measured requests
	// keep only what the worker looks at, the head of a write's answer,
	// and drain the rest: the tool shares the server's machine, and
	// copying every 100 KB redline a losing save gets would take CPU from
	// the server it measures.
	var raw []byte
	switch {
	case kind == "":
		raw, err = io.ReadAll(res.Body)
	case method == http.MethodGet:
		_, err = io.Copy(io.Discard, res.Body)
	default:
		if raw, err = io.ReadAll(io.LimitReader(res.Body, keepBytes)); err == nil {
			_, err = io.Copy(io.Discard, res.Body)
		}
	}
	res.Body.Close()
	if err != nil {
		if kind != "" && ctx.Err() == nil {
			c.stats.record(kind, time.Since(start), 0)
		}
		return response{}, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if kind != "" {
		c.stats.record(kind, time.Since(start), res.StatusCode)
	}
	return response{status: res.StatusCode, body: raw}, nil
}

// must sends a request whose answer must have status want and decodes it
// into out; setup and checks use it.
func (c *Client) must(ctx context.Context, method, path string, body any, want int, out any) error {
	r, err := c.do(ctx, "", method, path, body)
	if err != nil {
		return err
	}
	if r.status != want {
		return fmt.Errorf("%s %s = %d, want %d: %.500s", method, path, r.status, want, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}
