package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/teststore"
)

// Two `moudesk serve` started at the same moment on a new PostgreSQL
// database with one keys folder: both serve (one migrates, one creates the
// first administrator, the other finds it), and they share one CA.
func TestTwoServesStartTogether(t *testing.T) {
	if !teststore.OnPostgres() {
		t.Skipf("%s is not set: no PostgreSQL for two instances to share", teststore.PostgresEnv)
	}
	dsn := teststore.PostgresDB(t)
	keys := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	addrs := make([]string, 2)
	logs := make([]*syncBuffer, 2)
	for i := range addrs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = ln.Addr().String()
		ln.Close()
		logs[i] = &syncBuffer{}
		env := map[string]string{"MOUDESK_DB": dsn, "MOUDESK_KEYS": keys, "MOUDESK_ADMIN_PASSWORD": "two-instances-admin-password"}
		go func() {
			done <- run(ctx, []string{"serve", "--addr", addrs[i]}, func(k string) string { return env[k] }, strings.NewReader(""), logs[i], logs[i])
		}()
	}
	stopped := false
	t.Cleanup(func() {
		cancel()
		if !stopped {
			<-done
			<-done
		}
	})
	for i, addr := range addrs {
		deadline := time.Now().Add(60 * time.Second)
		for {
			select {
			case err := <-done:
				stopped = true
				cancel()
				t.Fatalf("an instance stopped while starting: %v\n%s\n%s", err, logs[0], logs[1])
			default:
			}
			res, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				res.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %d did not serve within 60 s\n%s", i+1, logs[i])
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	entries, err := os.ReadDir(keys)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if _, err := os.Stat(filepath.Join(keys, "ca.pem")); err != nil {
		t.Fatalf("no CA in the shared keys folder (%s): %v", strings.Join(names, " "), err)
	}
	out := fmt.Sprint(logs[0], logs[1])
	if n := strings.Count(out, "created a certificate authority"); n != 1 {
		t.Fatalf("the CA was created %d times\n%s", n, out)
	}
}
