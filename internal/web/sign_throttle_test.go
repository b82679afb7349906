package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (any 127.0.0.0/8 address reaches the test server), with its
// own cookie jar: a browser at another address.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Jar: jar, Transport: tr}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) code() string {
	var v struct{ Error struct{ Code string } }
	json.Unmarshal(a.body, &v)
	return v.Error.Code
}

// postJSON posts body to url with client, sending csrf as X-CSRF-Token
// when set.
func postJSON(t *testing.T, client *http.Client, url, csrf string, body any) answer {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	res, b := testtool.Do(t, client, req)
	return answer{res.StatusCode, res.Header, b}
}

// signIn starts a session for s with client and returns its CSRF token.
func (e *signEnv) signIn(client *http.Client, s signatory) string {
	e.t.Helper()
	a := postJSON(e.t, client, e.url+"/api/v1/session", "", map[string]string{"email": s.email, "password": signPassword})
	var v struct {
		CSRF string `json:"csrf_token"`
	}
	if a.status != http.StatusOK || json.Unmarshal(a.body, &v) != nil || v.CSRF == "" {
		e.t.Fatalf("sign-in of %s = %d %s", s.email, a.status, a.body)
	}
	return v.CSRF
}

// TestCeremonyNotLockedByOthersFailures: someone at another address
// guessing the chief's password until sign-in refuses them does not stop
// the chief, signed in already, from passing the ceremony's password
// check; sign-in guessing stays throttled for the account from any
// address, and the ceremony throttles its own session's wrong passwords.
func TestCeremonyNotLockedByOthersFailures(t *testing.T) {
	e := newSignEnv(t)
	id := e.approved()
	e.assignAll(id)
	sigURL := fmt.Sprintf("%s/api/v1/mous/%d/signatures", e.url, id)

	chief := clientFrom(t, "127.0.0.1")
	chiefCSRF := e.signIn(chief, e.chief)
	super := clientFrom(t, "127.0.0.1")
	superCSRF := e.signIn(super, e.superintendent)

	attacker := clientFrom(t, "127.0.0.2")
	login := func(c *http.Client, email, pw string) answer {
		return postJSON(t, c, e.url+"/api/v1/session", "", map[string]string{"email": email, "password": pw})
	}
	for i := 1; i <= 5; i++ {
		if a := login(attacker, e.chief.email, "not the password at all"); a.status != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d %s", i, a.status, a.body)
		}
	}
	t.Run("SignInGuessingThrottled", func(t *testing.T) {
		for _, ip := range []string{"127.0.0.2", "127.0.0.3"} {
			a := login(clientFrom(t, ip), e.chief.email, "yet another wrong guess")
			if a.status != http.StatusTooManyRequests || a.code() != "too_many_attempts" || a.header.Get("Retry-After") == "" {
				t.Fatalf("guess from %s after five failures = %d %s (Retry-After %q), want 429 too_many_attempts",
					ip, a.status, a.body, a.header.Get("Retry-After"))
			}
		}
	})

	t.Run("SessionSigns", func(t *testing.T) {
		a := postJSON(t, chief, sigURL, chiefCSRF, map[string]any{"typed_name": e.chief.name, "consent": true, "password": signPassword})
		if a.status != http.StatusCreated {
			t.Fatalf("the chief signing after someone else's failures = %d %s, want 201", a.status, a.body)
		}
	})

	t.Run("CeremonyGuessingThrottled", func(t *testing.T) {
		before := e.signingRows()
		sign := func(pw string) answer {
			return postJSON(t, super, sigURL, superCSRF, map[string]any{"typed_name": e.superintendent.name, "consent": true, "password": pw})
		}
		for i := 1; i <= 5; i++ {
			if a := sign("not the password at all"); a.status != http.StatusForbidden || a.code() != "wrong_password" {
				t.Fatalf("wrong password %d at the ceremony = %d %s", i, a.status, a.body)
			}
		}
		a := sign(signPassword)
		if a.status != http.StatusTooManyRequests || a.code() != "too_many_attempts" || a.header.Get("Retry-After") == "" {
			t.Fatalf("after five wrong passwords at the ceremony = %d %s (Retry-After %q), want 429",
				a.status, a.body, a.header.Get("Retry-After"))
		}
		if after := e.signingRows(); !maps.Equal(after, before) {
			t.Fatalf("refused attempts changed rows: %v → %v", before, after)
		}
	})
}
