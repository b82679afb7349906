package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// Public verification takes files from anyone, so it is admitted in steps
// that keep one client from holding what others need:
//   - one client address (an IPv6 /64) may have half the check slots' worth
//     of uploads in flight, being received or checked; more are 429
//     too_many_uploads;
//   - the file must arrive within verifyReadTimeout, or the upload is
//     refused (400 upload_timeout) and its connection dropped;
//   - only then is a check slot taken, waiting up to verifySlotWait for
//     one (503 busy with Retry-After past it).
//
// A slow sender so holds a connection and its address's place for at
// most verifyReadTimeout, and never a check slot.
const (
	// verifyReadTimeout is 2.5 MB/s for the largest file (MaxVerifyBytes);
	// signed MOUs are well under a megabyte.
	verifyReadTimeout = 10 * time.Second
	verifySlotWait    = 2 * time.Second
)

var errUploadTimeout = &moudesk.Error{Kind: moudesk.KindInvalid, Code: "upload_timeout", Field: "file",
	Message: fmt.Sprintf("the file did not arrive within %s; send it again over a faster connection", verifyReadTimeout)}

// verifyGate admits public verifications: the check slots, each check
// taking seconds of CPU on a hostile file, and the uploads in flight per
// client address. The JSON API and the verify page share one.
type verifyGate struct {
	slots       chan struct{}
	perAddr     int
	readTimeout time.Duration
	slotWait    time.Duration

	mu       sync.Mutex
	inFlight map[string]int // by clientNet; entries at zero are deleted
}

// newVerifyGate is a gate of n check slots.
func newVerifyGate(n int) *verifyGate {
	n = max(n, 1)
	return &verifyGate{slots: make(chan struct{}, n), perAddr: max(n/2, 1),
		readTimeout: verifyReadTimeout, slotWait: verifySlotWait, inFlight: map[string]int{}}
}

// receive admits an upload from c's client, reads the multipart field
// "file" within the read deadline, then takes a check slot. release gives
// back the slot and the client's place; on error nothing is held.
func (g *verifyGate) receive(c *gin.Context) (data []byte, release func(), err error) {
	leave, err := g.enter(clientNet(c.ClientIP()))
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			leave()
		}
	}()
	// The server's read timeout (a minute) is for any request; a public
	// upload gets far less. Not every writer can set one (a test
	// recorder), and then the server's stands.
	rc := http.NewResponseController(c.Writer)
	if err := rc.SetReadDeadline(time.Now().Add(g.readTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return nil, nil, err
	}
	data, err = readUpload(c, "file", MaxVerifyBytes)
	if err != nil {
		return nil, nil, err
	}
	// The file is in: lift the deadline, or the server's watch for the
	// client going away would time out mid-check and cancel it.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return nil, nil, err
	}
	free, err := g.slot(c.Request.Context())
	if err != nil {
		return nil, nil, err
	}
	return data, func() { free(); leave() }, nil
}

// enter counts one more upload in flight from client, or refuses with 429
// when it has perAddr already.
func (g *verifyGate) enter(client string) (leave func(), err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inFlight[client] >= g.perAddr {
		return nil, &moudesk.Error{Kind: moudesk.KindTooMany, Code: "too_many_uploads",
			Message: fmt.Sprintf("you are already sending or checking %d files; wait for them to finish", g.perAddr),
			Data:    moudesk.RetryAfter(1)}
	}
	g.inFlight[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.inFlight[client]--; g.inFlight[client] <= 0 {
				delete(g.inFlight, client)
			}
		})
	}, nil
}

// slot takes a check slot, waiting up to slotWait, or refuses with 503
// busy and a Retry-After.
func (g *verifyGate) slot(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
	}
	timer := time.NewTimer(g.slotWait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil, &moudesk.Error{Kind: moudesk.KindUnavailable, Code: "busy",
		Message: "too many files are being checked right now; try again shortly", Data: moudesk.RetryAfter(1)}
}

// clientNet is what the per-address limit counts: the address itself for
// IPv4, its /64 for IPv6, where one client commonly holds a whole /64.
func clientNet(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// isTimeout reports a read that failed because its deadline passed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
