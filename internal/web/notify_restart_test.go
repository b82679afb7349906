package web_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mail/mailtest"
)

// buildMoudesk builds cmd/moudesk into the test's temporary folder.
func buildMoudesk(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "moudesk")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/moudesk/moudesk/cmd/moudesk").CombinedOutput(); err != nil {
		t.Fatalf("build moudesk: %v\n%s", err, out)
	}
	return bin
}

// servedProcess is `moudesk serve` running as a child process.
type servedProcess struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan error
}

// serveProcess starts the built binary's serve on db with args, in dir
// with its keys under dir (the same keys at every start), and waits until
// it answers.
func serveProcess(t *testing.T, bin, dir, db, addr string, args ...string) *servedProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--db", db, "serve", "--addr", addr}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MOUDESK_KEYS="+filepath.Join(dir, "keys"))
	p := &servedProcess{cmd: cmd, logs: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	for range 1200 {
		select {
		case err := <-p.done:
			t.Fatalf("moudesk serve exited before answering: %v\n%s", err, p.logs)
		default:
		}
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("moudesk serve never answered\n%s", p.logs)
	return nil
}

// kill ends the process with SIGKILL: no shutdown, no last write.
func (p *servedProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestPleasantonTurnMailsAcrossRestart is issue 18's done-when: in the
// Pleasanton replay each signatory receives exactly one "your turn"
// e-mail, in signing order, though `moudesk serve` is killed (SIGKILL)
// and started again between two signatures. The process up to signature
// runs in this test's server; the signing runs in the built binary on the
// same database (the SQLite file, or the PostgreSQL database of the
// suite's PostgreSQL run), mailing a real SMTP server on 127.0.0.1.
// The mail worker looks for due mail at start and then hourly, so its
// passes are exactly the two starts: the kill comes after the second
// signature recorded the next signatories' notices and before any pass
// could send them, and the restarted server must send those (never lost)
// and not the ones mailed before the kill (never twice).
func TestPleasantonTurnMailsAcrossRestart(t *testing.T) {
	e, id, _ := pleasantonToSignature(t)
	lines, byLine := e.assignAll(id)
	if len(lines) != 4 || lines[0].Order != 1 || lines[1].Order != 1 || lines[2].Order != 2 || lines[3].Order != 2 {
		t.Fatalf("Pleasanton's signature lines: %+v", lines)
	}
	smtp := mailtest.Start(t, mailtest.Options{})
	cfg := smtp.Config()
	bin := buildMoudesk(t)
	db, dir := e.db.Path(), t.TempDir()
	addr := freeAddr(t)
	args := []string{"--public-url", "https://moudesk.example.org", "--smtp-host", cfg.Host, "--smtp-port", strconv.Itoa(cfg.Port),
		"--smtp-tls", "none", "--smtp-from", cfg.From, "--mail-interval", "1h"}
	if cfg.Username != "" {
		args = append(args, "--smtp-user", cfg.Username, "--smtp-password", cfg.Password)
	}
	served := serveProcess(t, bin, dir, db, addr, args...)
	e.url = "http://" + addr

	// The first pass mails what the replay recorded (packets, feedback,
	// outcomes to record) and order 1's signatories, whose turn came when
	// their lines were assigned in the signature stage.
	smtp.WaitFor(t, 1, 2*time.Minute)
	e.waitMailed(byLine[lines[0].Line], byLine[lines[1].Line])
	e.signLine(id, byLine[lines[0].Line])
	e.signLine(id, byLine[lines[1].Line])
	// Order 2's notices are recorded, not mailed: the worker sleeps.
	served.kill(t)
	if got := turnMails(smtp.Messages()); len(got) != 2 {
		t.Fatalf("%d turn messages before the restart, want 2:\n%s", len(got), subjects(got))
	}

	served = serveProcess(t, bin, dir, db, addr, args...)
	e.waitMailed(byLine[lines[2].Line], byLine[lines[3].Line])
	e.signLine(id, byLine[lines[2].Line])
	e.signLine(id, byLine[lines[3].Line])
	e.at(id, "executed")

	// A last restart: nothing left to send, nothing sent again.
	served.kill(t)
	before := len(smtp.Messages())
	serveProcess(t, bin, dir, db, addr, args...)
	e.waitMailed()
	all := smtp.Messages()
	if len(all) != before {
		t.Errorf("the last restart sent %d messages again", len(all)-before)
	}
	seen := map[string]bool{}
	for _, m := range all {
		if seen[m.MessageID] {
			t.Errorf("Message-ID %s arrived twice: %q to %v", m.MessageID, m.Subject, m.To)
		}
		seen[m.MessageID] = true
	}
	got := turnMails(all)
	if len(got) != 4 {
		t.Fatalf("%d turn messages, want one per signatory:\n%s", len(got), subjects(got))
	}
	for i, l := range lines {
		s := byLine[l.Line]
		m := got[i]
		// Lines of equal order are told in the same pass, in either order.
		if i%2 == 1 && m.To[0] != s.email && got[i-1].To[0] == s.email {
			m = got[i-1]
		} else if i%2 == 0 && m.To[0] != s.email && got[i+1].To[0] == s.email {
			m = got[i+1]
		}
		if len(m.To) != 1 || m.To[0] != s.email || !strings.HasPrefix(m.Subject, "Your turn to sign: Pleasanton SRO MOU") {
			t.Errorf("message for line %d (%s): to %v, %q", l.Line, s.email, m.To, m.Subject)
		}
		if link := fmt.Sprintf("https://moudesk.example.org/mous/%d/sign", id); !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) {
			t.Errorf("message to %s lacks the link %s:\n%s", s.email, link, m.Text)
		}
	}
}

// turnMails are the "your turn" messages of ms, in arrival order.
func turnMails(ms []mailtest.Received) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range ms {
		if strings.HasPrefix(m.Subject, "Your turn to sign") {
			out = append(out, m)
		}
	}
	return out
}

// waitMailed waits until every "your turn" notice of the signatories is
// marked sent and no notice at all is queued or being sent: the worker's
// pass is over, so killing the server cuts no send in half.
func (e *seedEnv) waitMailed(signers ...signatory) {
	e.t.Helper()
	for range 2400 {
		done := true
		for _, s := range signers {
			var list noticeList
			e.call(s.token, "GET", "/api/v1/notifications", nil, http.StatusOK, &list)
			found := false
			for _, n := range list.Notifications {
				if n.Kind == desk.NoticeTurn {
					found = true
					done = done && n.Mail == desk.MailSent
				}
			}
			done = done && found
		}
		var sending int
		if err := e.db.QueryRowForTest(e.t.Context(), "SELECT count(*) FROM notifications WHERE mail_state IN ('sending', 'pending')").Scan(&sending); err != nil {
			e.t.Fatal(err)
		}
		if done && sending == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatal("the turn notices were never marked sent")
}

func subjects(ms []mailtest.Received) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%v %s %s\n", m.To, m.MessageID, m.Subject)
	}
	return b.String()
}
