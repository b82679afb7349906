package load

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// moudeskBin is the real moudesk binary, built once for the package's
// tests: the load run and the crash test drive it as a child process.
var moudeskBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "moudesk-load-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	moudeskBin = filepath.Join(dir, "moudesk")
	build := exec.Command("go", "build", "-o", moudeskBin, "github.com/moudesk/moudesk/cmd/moudesk")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build moudesk:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// readSources reads every file of the module below root. go test caches
// a passing result keyed by the test binary and the files the test read;
// this package's tests run a moudesk binary built from the whole module,
// so reading it all makes any change there run them again instead of
// replaying a pass from the cache. Files count only once tests run (not in
// TestMain), so startServer reads them.
func readSources(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		_, err = os.ReadFile(path)
		return err
	})
}

// server is one moudesk serve child process.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan error
	logs *testtool.Buffer
}

var (
	sourcesOnce sync.Once
	sourcesErr  error
)

var listening = regexp.MustCompile(`msg="moudesk listening" addr=(http://[0-9.:]+)`)

// startServer runs `moudesk serve` on db at a free port and waits until it
// says where it listens. The process is killed when the test ends.
func startServer(t *testing.T, db string) *server {
	t.Helper()
	sourcesOnce.Do(func() { sourcesErr = readSources("../..") })
	if sourcesErr != nil {
		t.Fatal(sourcesErr)
	}
	cmd := exec.Command(moudeskBin, "--db", db, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "MOUDESK_ADMIN_PASSWORD=load-test-admin-password")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1), logs: &testtool.Buffer{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			if !strings.Contains(line, `msg=request`) {
				fmt.Fprintln(s.logs, line)
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() { s.kill() })
	select {
	case s.url = <-found:
	case err := <-s.done:
		t.Fatalf("moudesk serve exited before listening: %v\n%s", err, s.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("moudesk serve did not listen within 30s\n%s", s.logs)
	}
	return s
}

// kill sends SIGKILL, as a crash or the OOM killer would, and waits for
// the process to be gone.
func (s *server) kill() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
}

// provision creates the run's parties and accounts with the operator
// commands, as an operator would before loading.
func provision(t *testing.T, db string) Identities {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := Provision(ctx, moudeskBin, db)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
