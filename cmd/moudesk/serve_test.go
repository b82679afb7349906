package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// syncBuffer lets the test read the log while the server writes it.
type syncBuffer = testtool.Buffer

// TestServeStartsAndStopsCleanly runs the real serve command: it creates
// the first admin, answers /healthz and the README's search, and returns
// without error when its context is cancelled (as on SIGTERM).
func TestServeStartsAndStopsCleanly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := filepath.Join(t.TempDir(), "data", "moudesk.db")
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		getenv := func(k string) string { return map[string]string{"MOUDESK_DB": db}[k] }
		done <- run(ctx, []string{"serve", "--addr", addr}, getenv, strings.NewReader(""), &logs, &logs)
	}()
	var res *http.Response
	for i := 0; i < 200; i++ {
		res, err = http.Get("http://" + addr + "/healthz")
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("server never answered: %v\n%s", err, logs.String())
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("healthz = %d", res.StatusCode)
	}
	res, err = http.Get("http://" + addr + "/api/v1/clauses?q=de-escalation")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	res.Body.Close()
	if !strings.Contains(body.String(), `"clauses":[{"slug":"de-escalation"`) {
		t.Fatalf("search did not list de-escalation first: %.300s", body.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v on shutdown", err)
	}
	out := logs.String()
	for _, want := range []string{"created the first administrator", "password=", "request_id=", "stopped cleanly"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	// No SMTP server configured: said once, and notifications stay in the
	// app.
	if n := strings.Count(out, "mail off: no --smtp-host"); n != 1 {
		t.Errorf("the log says mail is off %d times:\n%s", n, out)
	}
}

// TestServeRefusesBadMailConfig: a mail configuration serve cannot use
// stops it before it listens, naming the flag.
func TestServeRefusesBadMailConfig(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"TLSMode": {[]string{"--smtp-host", "relay.city.example", "--smtp-tls", "ssl", "--smtp-from", "moudesk@city.example"}, "--smtp-tls"},
		"Port":    {[]string{"--smtp-host", "relay.city.example", "--smtp-port", "99999", "--smtp-from", "moudesk@city.example"}, "--smtp-port"},
		"NoFrom":  {[]string{"--smtp-host", "relay.city.example"}, "--smtp-from"},
	} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "moudesk.db")
			getenv := func(k string) string { return map[string]string{"MOUDESK_DB": db}[k] }
			var logs syncBuffer
			err := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...), getenv, strings.NewReader(""), &logs, &logs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("serve %v: %v, want an error naming %s", tc.args, err, tc.want)
			}
		})
	}
}
