package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// built holds the moudesk binary the tests that run the real command build
// once per test process (without -race, so start-up is what users get).
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// builtCLI returns the path of a freshly built moudesk binary.
func builtCLI(tb testing.TB) string {
	tb.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "moudesk-cli-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "moudesk")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, "github.com/moudesk/moudesk/cmd/moudesk").CombinedOutput()
	})
	if built.err != nil {
		tb.Fatalf("build moudesk: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// runCLI runs the built binary and returns its stdout, stderr and exit
// status.
func runCLI(tb testing.TB, args ...string) (stdout, stderr string, code int) {
	tb.Helper()
	cmd := exec.Command(builtCLI(tb), args...)
	cmd.Env = append(os.Environ(), "MOUDESK_DB="+filepath.Join(tb.TempDir(), "moudesk.db"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("run moudesk %v: %v", args, err)
	}
	return out.String(), errb.String(), 0
}
