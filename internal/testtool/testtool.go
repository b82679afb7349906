// Package testtool lets tests depend on outside programs (pdftotext, qpdf,
// pdfsig, chromium) honestly: on a developer machine without the program the
// test is skipped with a message saying what to install; in CI (CI=true) a
// missing program fails the test, so a green CI always means it really ran.
//
// It also holds what the tests of several packages share: the generated
// bench MOU (BenchMOU, WriteBenchMOU), a hand-driven Clock, a log Buffer
// and Do for one HTTP round trip.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of program name, skipping or failing tb when it is
// not installed. pkg names the Debian package that provides it.
func Need(tb testing.TB, name, pkg string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is required in CI but not installed (apt-get install -y %s)", name, pkg)
	}
	tb.Skipf("%s not installed; apt-get install -y %s to run this test", name, pkg)
	return ""
}
