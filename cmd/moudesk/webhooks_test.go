package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/webhook"
)

// TestServeDeliversWebhooks runs the real serve command with its webhook
// worker: by default a webhook to 127.0.0.1 is refused (422 url_private)
// and one to serve itself always is; with --webhooks-allow-private the
// worker delivers an MOU's creation to a receiver on 127.0.0.1 that
// verifies the signature.
func TestServeDeliversWebhooks(t *testing.T) {
	db := filepath.Join(t.TempDir(), "moudesk.db")
	getenv := func(k string) string { return map[string]string{"MOUDESK_DB": db}[k] }
	cli := func(stdin string, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb); err != nil {
			t.Fatalf("moudesk %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return strings.TrimSpace(out.String())
	}
	const pw = "correct horse battery staple\n"
	cli("", "party", "add", "--slug", "pleasanton", "--name", "City of Pleasanton", "--kind", "city", "--body", "City Council")
	cli("", "party", "add", "--slug", "pusd", "--name", "Pleasanton Unified School District", "--kind", "district", "--body", "Board of Trustees")
	cli(pw, "user", "add", "--email", "it@city.example", "--name", "Ida", "--role", "admin", "--party", "pleasanton", "--password-stdin")
	cli(pw, "user", "add", "--email", "drafter@city.example", "--name", "Drew", "--role", "drafter", "--party", "pleasanton", "--password-stdin")
	admin := cli(pw, "token", "create", "--email", "it@city.example", "--label", "test", "--password-stdin")
	drafter := cli(pw, "token", "create", "--email", "drafter@city.example", "--label", "test", "--password-stdin")

	var mu sync.Mutex
	var secret string
	received := make(chan map[string]any, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		s := secret
		mu.Unlock()
		if err := webhook.Verify(s, r.Header.Get(webhook.SignatureHeader), body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		received <- p
	}))
	defer recv.Close()

	serve := func(flags ...string) (base string, stop func()) {
		t.Helper()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		ctx, cancel := context.WithCancel(context.Background())
		var logs syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"serve", "--addr", addr}, flags...), getenv, strings.NewReader(""), &logs, &logs)
		}()
		for i := 0; ; i++ {
			res, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				res.Body.Close()
				break
			}
			if i == 200 {
				cancel()
				t.Fatalf("serve never answered: %v\n%s", err, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		return "http://" + addr, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v\n%s", err, logs.String())
			}
		}
	}
	call := func(base, token, method, path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	code := func(out map[string]any) any {
		e, _ := out["error"].(map[string]any)
		return e["code"]
	}
	hook := map[string]any{"url": recv.URL + "/in", "events": []string{"mou.created"}}

	// Production default: no private addresses, never itself.
	base, stop := serve()
	if status, out := call(base, admin, "POST", "/api/v1/webhooks", hook); status != http.StatusUnprocessableEntity || code(out) != "url_private" {
		t.Fatalf("a loopback webhook by default = %d %v", status, out)
	}
	stop()

	base, stop = serve("--webhooks-allow-private", "--webhooks-interval", "50ms")
	defer stop()
	if status, out := call(base, admin, "POST", "/api/v1/webhooks", map[string]any{"url": base + "/api/v1/mous", "events": []string{"mou.created"}}); status != http.StatusUnprocessableEntity || code(out) != "url_self" {
		t.Fatalf("a webhook to serve itself = %d %v", status, out)
	}
	status, out := call(base, admin, "POST", "/api/v1/webhooks", hook)
	if status != http.StatusCreated {
		t.Fatalf("register = %d %v", status, out)
	}
	mu.Lock()
	secret, _ = out["secret"].(string)
	mu.Unlock()
	status, out = call(base, drafter, "POST", "/api/v1/mous", map[string]any{"title": "Pleasanton SRO MOU", "template": "sro-mou",
		"parties": map[string]string{"city": "pleasanton", "district": "pusd"}, "variables": shipped.Variables(t)})
	if status != http.StatusCreated {
		t.Fatalf("create MOU = %d %v", status, out)
	}
	select {
	case p := <-received:
		mou, _ := p["mou"].(map[string]any)
		if p["event"] != "mou.created" || mou["title"] != "Pleasanton SRO MOU" || !strings.HasPrefix(fmt.Sprint(mou["url"]), base+"/mous/") {
			t.Fatalf("delivered %v", p)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve's worker delivered nothing in 30s")
	}
}
