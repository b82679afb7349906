package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/auth"
)

const (
	parallelLogins = 64
	maxPeakRSS     = 512 << 20
)

// TestLoginPeakRSS builds the real moudesk binary (without the race
// detector, whose shadow memory would be measured too), runs `moudesk
// serve` with the production password cost, sends 64 sign-ins at once,
// and reads the server's peak resident memory (VmHWM). Each argon2id
// check holds 64 MiB; run all at once they took the server past 1 GB.
// Bounded (auth.HashSlots), the peak stays under 512 MiB, and the
// sign-ins that wait too long get 503 busy with a Retry-After.
func TestLoginPeakRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read a process's peak memory")
	}
	bin := filepath.Join(t.TempDir(), "moudesk")
	build := exec.Command("go", "build", "-o", bin, "github.com/moudesk/moudesk/cmd/moudesk")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build moudesk: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const password = "a long enough admin password"
	var logs syncBuffer
	child := exec.Command(bin, "serve", "--addr", addr)
	child.Env = append(os.Environ(),
		"MOUDESK_DB="+filepath.Join(t.TempDir(), "moudesk.db"), "MOUDESK_ADMIN_PASSWORD="+password)
	child.Stdout, child.Stderr = &logs, &logs
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	defer func() {
		child.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			child.Process.Kill()
			<-exited
		}
	}()
	base := "http://" + addr
	for i := 0; ; i++ {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the server exited: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if i > 1200 {
			t.Fatalf("the server never answered\n%s", logs.String())
		}
	}
	before := peakRSS(t, child.Process.Pid)

	body, _ := json.Marshal(map[string]string{"email": "admin@moudesk.local", "password": password})
	type result struct {
		status     int
		code       string
		retryAfter string
		err        error
	}
	results := make([]result, parallelLogins)
	start := make(chan struct{})
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: parallelLogins}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	began := time.Now()
	for i := range results {
		wg.Go(func() {
			<-start
			res, err := client.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
			if err != nil {
				results[i].err = err
				return
			}
			defer res.Body.Close()
			var v struct{ Error struct{ Code string } }
			raw, _ := io.ReadAll(res.Body)
			json.Unmarshal(raw, &v)
			results[i] = result{status: res.StatusCode, code: v.Error.Code, retryAfter: res.Header.Get("Retry-After")}
		})
	}
	close(start)
	wg.Wait()
	took := time.Since(began)
	peak := peakRSS(t, child.Process.Pid)

	counts := map[int]int{}
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("sign-in %d: %v", i, r.err)
		case r.status == http.StatusOK:
		case r.status == http.StatusServiceUnavailable && r.code == "busy" && r.retryAfter != "":
		default:
			t.Errorf("sign-in %d = %d %q (Retry-After %q), want 200 or 503 busy with Retry-After", i, r.status, r.code, r.retryAfter)
		}
		counts[r.status]++
	}
	t.Logf("%d sign-ins at once in %v: %d signed in, %d busy; server peak RSS %d MiB (%d MiB before); %d argon2id at once (GOMAXPROCS %d)",
		parallelLogins, took.Round(time.Millisecond), counts[http.StatusOK], counts[http.StatusServiceUnavailable],
		peak>>20, before>>20, auth.HashConcurrency(), runtime.GOMAXPROCS(0))
	if counts[http.StatusOK] == 0 {
		t.Errorf("no sign-in succeeded")
	}
	if peak >= maxPeakRSS {
		t.Errorf("peak RSS %d MiB with %d sign-ins at once, want under %d MiB", peak>>20, parallelLogins, maxPeakRSS>>20)
	}
}

// peakRSS is the peak resident set size of process pid, in bytes.
func peakRSS(t *testing.T, pid int) uint64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}
