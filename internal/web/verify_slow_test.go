package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/web"
)

// slowUpload starts a POST of a PDF to path on host from the loopback
// address ip and then sends one byte of it every 100 ms, as a client on a
// bad line or a hostile one would, until the test ends.
func slowUpload(t *testing.T, host, path, ip string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	const boundary = "slowslowslow"
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"+
		"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%%PDF-1.7\n",
		path, host, boundary, 1<<20, boundary)
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	})
	t.Cleanup(func() {
		close(stop)
		conn.Close()
		wg.Wait()
	})
}

// TestSlowUploadsDoNotHoldVerify: more slow uploads than there are check
// slots, from several addresses, dribble into the public verify endpoint
// and page; a whole file sent meanwhile is checked (200), not refused
// busy, because a slot is taken only once a file has arrived.
func TestSlowUploadsDoNotHoldVerify(t *testing.T) {
	_, url, _ := web.StartTestServer(t)
	host := strings.TrimPrefix(url, "http://")
	plain, err := render.PDF([]byte("# Unsigned\n\nNo signatures here.\n"), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	slots := 2 * runtime.GOMAXPROCS(0)
	for i := range slots + 2 {
		path := "/api/v1/verify"
		if i%2 == 1 {
			path = "/public/verify"
		}
		slowUpload(t, host, path, fmt.Sprintf("127.0.0.%d", 2+i/2))
	}
	// Let the server read their headers and start on their bodies.
	time.Sleep(time.Second)
	for _, path := range []string{"/api/v1/verify", "/public/verify"} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("file", "mou.pdf")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(plain.PDF)
		mw.Close()
		start := time.Now()
		res, err := http.Post(url+path, mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("POST %s while %d slow uploads dribble = %d after %v: %.300s", path, slots+2, res.StatusCode, time.Since(start), body)
		}
	}
}
