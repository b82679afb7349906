package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
)

func TestSignVerify(t *testing.T) {
	now := time.Unix(1764892800, 0)
	body := []byte(`{"id":42,"event":"meeting.scheduled"}`)
	h := Header("whsec_test", now, body)
	if !strings.HasPrefix(h, "t=1764892800,v1=") {
		t.Fatalf("header %q", h)
	}
	if err := Verify("whsec_test", h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("own signature: %v", err)
	}
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
		want           error
	}{
		"WrongSecret":  {"whsec_other", h, body, now, ErrSignature},
		"ChangedBody":  {"whsec_test", h, []byte(`{"id":43,"event":"meeting.scheduled"}`), now, ErrSignature},
		"Replayed":     {"whsec_test", h, body, now.Add(time.Hour), ErrTimestamp},
		"NoHeader":     {"whsec_test", "", body, now, ErrNoSignature},
		"NoTimestamp":  {"whsec_test", "v1=" + Sign("whsec_test", now.Unix(), body), body, now, ErrNoSignature},
		"NewTimestamp": {"whsec_test", strings.Replace(h, "t=1764892800", "t=1764892900", 1), body, now, ErrSignature},
	} {
		if err := Verify(c.secret, c.header, c.body, c.at, 5*time.Minute); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	// A receiver mid-rotation accepts either of two signatures.
	two := h + ",v1=" + Sign("whsec_old", now.Unix(), body)
	if err := Verify("whsec_old", two, body, now, time.Minute); err != nil {
		t.Errorf("second v1: %v", err)
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::6810:85e5": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fc00::1": false, "::ffff:127.0.0.1": false,
		"::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "224.0.0.1": false, "198.18.0.1": false, "240.0.0.1": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	prod := Policy{Self: []string{"127.0.0.1:8080", "moudesk.example.org:443"}}
	dev := Policy{AllowPrivate: true, Self: []string{":8080"}}
	for _, c := range []struct {
		p    Policy
		url  string
		code string // "" for accepted
	}{
		{prod, "https://93.184.215.14/hook", ""},
		{prod, "https://moudesk.example.org/api/v1/mous", "url_self"},
		{prod, "https://MOUDESK.example.org:443/x", "url_self"},
		{prod, "http://127.0.0.1:8080/", "url_self"},
		{prod, "http://127.0.0.1:9000/", "url_private"},
		{prod, "http://localhost:9000/", "url_private"},
		{prod, "http://[fd00::1]/", "url_private"},
		{prod, "http://169.254.169.254/latest/meta-data/", "url_private"},
		{prod, "gopher://93.184.215.14/", "url_scheme"},
		{prod, "https://93.184.215.14:notaport/", "invalid_url"},
		{prod, "https://" + strings.Repeat("a", MaxURL) + ".org/", "too_long"},
		{prod, "https://host.invalid/", "url_unresolvable"},
		{dev, "http://127.0.0.1:9000/", ""},
		{dev, "http://localhost:8080/", "url_self"},
		{dev, "http://127.0.0.1:8080/", "url_self"},
	} {
		_, err := c.p.CheckURL(ctx, c.url, "requested.example.org:80")
		var me *moudesk.Error
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s refused: %v", c.url, err)
		case c.code != "" && (!errors.As(err, &me) || me.Code != c.code || me.Field != "url"):
			t.Errorf("%s: %v, want %s on field url", c.url, err, c.code)
		}
	}
	if _, err := (Policy{AllowPrivate: true}).CheckURL(ctx, "http://requested.example.org/x", "requested.example.org:80"); err == nil {
		t.Error("the host a request came in on is this server")
	}
}

// TestSenderChecksAtConnect sends to a real receiver on 127.0.0.1: with
// private addresses allowed it arrives signed; under the production
// policy the dialer refuses the address when connecting, so a name that
// passed CheckURL and then resolves to a private address (DNS
// rebinding) reaches nothing. A redirect is an answer, not followed.
func TestSenderChecksAtConnect(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get(SignatureHeader))
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "http://169.254.169.254/", http.StatusFound)
			return
		}
		w.Write([]byte(strings.Repeat("x", 5000)))
	}))
	defer srv.Close()
	req := Request{URL: srv.URL + "/in", Secret: "whsec_t", Event: "mou.created", ID: 1, Body: []byte(`{}`), Now: time.Now()}
	res := NewSender(Policy{AllowPrivate: true}).Send(context.Background(), req)
	if !res.OK() || len(res.Excerpt) != excerptBytes || len(got) != 1 || !strings.HasPrefix(got[0], "t=") {
		t.Fatalf("dev send: %+v, headers %q", res, got)
	}
	res = NewSender(Policy{}).Send(context.Background(), req)
	if res.Status != 0 || !strings.Contains(res.Err, "private or local address") || len(got) != 1 {
		t.Fatalf("production send to loopback: %+v (receiver hit %d times)", res, len(got))
	}
	localhost := req
	localhost.URL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/in"
	if res := NewSender(Policy{}).Send(context.Background(), localhost); res.Status != 0 || len(got) != 1 {
		t.Fatalf("production send to a name resolving to loopback: %+v", res)
	}
	self := NewSender(Policy{AllowPrivate: true, Self: []string{strings.TrimPrefix(srv.URL, "http://")}})
	if res := self.Send(context.Background(), req); res.Status != 0 || !strings.Contains(res.Err, "this server") {
		t.Fatalf("send to self: %+v", res)
	}
	moved := req
	moved.URL = srv.URL + "/moved"
	if res := NewSender(Policy{AllowPrivate: true}).Send(context.Background(), moved); res.Status != http.StatusFound || res.OK() {
		t.Fatalf("redirect: %+v", res)
	}
}
