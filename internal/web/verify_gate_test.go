package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// gateServer serves POST /up through g, answering 200 with the file's size
// once it holds a check slot, after hold (if any) is closed.
func gateServer(t *testing.T, g *verifyGate, hold chan struct{}) string {
	t.Helper()
	e := gin.New()
	e.POST("/up", func(c *gin.Context) {
		data, release, err := g.receive(c)
		if err != nil {
			e, _ := clientError(err)
			if d, ok := e.Data.(moudesk.RetryAfter); ok {
				c.Header("Retry-After", fmt.Sprint(int(d)))
			}
			c.JSON(statusOf[e.Kind], gin.H{"error": gin.H{"code": e.Code}})
			return
		}
		defer release()
		if hold != nil {
			<-hold
		}
		c.JSON(http.StatusOK, gin.H{"size": len(data)})
	})
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return ts.URL
}

type gateAnswer struct {
	status     int
	code       string
	retryAfter string
}

// upload posts a small file to url from the loopback address ip.
func upload(t *testing.T, url, ip string) gateAnswer {
	t.Helper()
	a, err := tryUpload(url, ip)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func tryUpload(url, ip string) (gateAnswer, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "a.pdf")
	fw.Write([]byte("%PDF-1.7 small"))
	mw.Close()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Post(url+"/up", mw.FormDataContentType(), &buf)
	if err != nil {
		return gateAnswer{}, err
	}
	defer res.Body.Close()
	var v struct{ Error struct{ Code string } }
	raw, _ := io.ReadAll(res.Body)
	json.Unmarshal(raw, &v)
	return gateAnswer{res.StatusCode, v.Error.Code, res.Header.Get("Retry-After")}, nil
}

// dribble starts an upload to url from ip that sends its headers and the
// start of the file, then one byte every 50 ms until it is closed.
func dribble(t *testing.T, url, ip string) net.Conn {
	t.Helper()
	host := strings.TrimPrefix(url, "http://")
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /up HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n"+
		"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%%PDF", host, 1<<20)
	go func() {
		for {
			time.Sleep(50 * time.Millisecond)
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	return conn
}

func TestVerifyGate(t *testing.T) {
	t.Run("PerAddress", func(t *testing.T) {
		g := newVerifyGate(4) // two uploads in flight per address
		url := gateServer(t, g, nil)
		dribble(t, url, "127.0.0.2")
		dribble(t, url, "127.0.0.2")
		time.Sleep(300 * time.Millisecond)
		a := upload(t, url, "127.0.0.2")
		if a.status != http.StatusTooManyRequests || a.code != "too_many_uploads" || a.retryAfter == "" {
			t.Fatalf("a third upload from one address = %+v, want 429 too_many_uploads with Retry-After", a)
		}
		if a := upload(t, url, "127.0.0.3"); a.status != http.StatusOK {
			t.Fatalf("an upload from another address = %+v, want 200", a)
		}
	})
	t.Run("ReadDeadline", func(t *testing.T) {
		g := newVerifyGate(2)
		g.readTimeout = 300 * time.Millisecond
		url := gateServer(t, g, nil)
		conn := dribble(t, url, "127.0.0.4")
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		start := time.Now()
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to a slow upload: %v", err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "upload_timeout") {
			t.Fatalf("slow upload = %d %s, want 400 upload_timeout", res.StatusCode, body)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("a slow upload was cut off after %v, want about 300ms", took)
		}
		// Its place is given back.
		if a := upload(t, url, "127.0.0.4"); a.status != http.StatusOK {
			t.Fatalf("after the slow upload = %+v, want 200", a)
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.inFlight) != 0 {
			t.Fatalf("in flight after every upload ended: %v", g.inFlight)
		}
	})
	t.Run("BusyAfterWait", func(t *testing.T) {
		g := newVerifyGate(2)
		g.slotWait = 100 * time.Millisecond
		hold := make(chan struct{})
		url := gateServer(t, g, hold)
		done := make(chan gateAnswer, 2)
		for _, ip := range []string{"127.0.0.5", "127.0.0.6"} {
			go func() {
				a, err := tryUpload(url, ip)
				if err != nil {
					a.code = err.Error()
				}
				done <- a
			}()
		}
		for len(g.slots) < 2 {
			time.Sleep(10 * time.Millisecond)
		}
		a := upload(t, url, "127.0.0.7")
		if a.status != http.StatusServiceUnavailable || a.code != "busy" || a.retryAfter == "" {
			t.Fatalf("with every slot checking = %+v, want 503 busy with Retry-After", a)
		}
		close(hold)
		for range 2 {
			if a := <-done; a.status != http.StatusOK {
				t.Fatalf("held upload = %+v", a)
			}
		}
	})
}

func TestClientNet(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":              "203.0.113.9",
		"::ffff:203.0.113.9":       "203.0.113.9",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":     "2001:db8:1:2::/64",
		"not an address":           "not an address",
		"2001:db8:1:3:3:4:5:6%eth": "2001:db8:1:3::/64",
	} {
		if got := clientNet(in); got != want {
			t.Errorf("clientNet(%q) = %q, want %q", in, got, want)
		}
	}
}
