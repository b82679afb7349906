package auth

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
)

func TestHashSlots(t *testing.T) {
	const GiB = 1 << 30
	d := DefaultHasher()
	for _, tt := range []struct {
		name   string
		memory uint64
		cpus   int
		h      Hasher
		want   int
	}{
		{"TwoCoreServer", 22 * GiB, 2, d, 1},
		{"ManyCores", 64 * GiB, 16, d, 8},
		{"SmallContainer", GiB / 2, 16, d, 2},
		{"FloorOfOne", 100 << 20, 16, d, 1},
		{"OneCore", 8 * GiB, 1, d, 1},
		{"OneLane", 8 * GiB, 4, Hasher{Memory: 64 * 1024, Time: 3, Threads: 1}, 4},
		{"ZeroHasher", GiB, 2, Hasher{}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := HashSlots(tt.memory, tt.cpus, tt.h); got != tt.want {
				t.Fatalf("HashSlots(%d MiB, %d cores, %+v) = %d, want %d", tt.memory>>20, tt.cpus, tt.h, got, tt.want)
			}
		})
	}
}

func wantBusy(t *testing.T, err error) {
	t.Helper()
	e, ok := moudesk.AsError(err)
	if !ok || e.Kind != moudesk.KindUnavailable || e.Code != "busy" || !errors.Is(err, ErrHashBusy) {
		t.Fatalf("err = %v, want 503 busy", err)
	}
	if ra, ok := e.Data.(moudesk.RetryAfter); !ok || ra < 1 {
		t.Fatalf("busy error data = %#v, want a Retry-After", e.Data)
	}
}

// acquireAsync acquires kib in a goroutine, holds it briefly and reports
// the result.
func acquireAsync(g *hashGate, kib uint64) chan error {
	done := make(chan error, 1)
	go func() {
		release, err := g.acquire(kib)
		if err == nil {
			defer release()
			time.Sleep(10 * time.Millisecond)
		}
		done <- err
	}()
	return done
}

// mustAcquire acquires kib of g, failing t when it cannot.
func mustAcquire(t *testing.T, g *hashGate, kib uint64) (release func()) {
	t.Helper()
	release, err := g.acquire(kib)
	if err != nil {
		t.Fatal(err)
	}
	return release
}

func TestHashGate(t *testing.T) {
	t.Run("WaitsThenBusy", func(t *testing.T) {
		g := newHashGate(2, 50*time.Millisecond)
		r1, err1 := g.acquire(1)
		r2, err2 := g.acquire(1)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		start := time.Now()
		_, err := g.acquire(1)
		wantBusy(t, err)
		if waited := time.Since(start); waited < 50*time.Millisecond {
			t.Fatalf("refused after %v, want after the 50ms wait", waited)
		}
		r1()
		r1() // a second release gives nothing back twice
		if r, err := g.acquire(1); err != nil {
			t.Fatalf("after a release: %v", err)
		} else {
			r()
		}
		r2()
		if g.used != 0 || g.waiters.Len() != 0 {
			t.Fatalf("after every release: used %d, %d waiting", g.used, g.waiters.Len())
		}
	})
	t.Run("ReleaseAdmitsWaiter", func(t *testing.T) {
		g := newHashGate(1, 5*time.Second)
		release := mustAcquire(t, g, 1)
		done := acquireAsync(g, 1)
		time.Sleep(20 * time.Millisecond)
		release()
		if err := <-done; err != nil {
			t.Fatalf("waiter after a release: %v", err)
		}
	})
	t.Run("InOrder", func(t *testing.T) {
		// A dear computation waiting is not overtaken by cheap ones
		// arriving after it, so it cannot starve.
		g := newHashGate(4, 5*time.Second)
		release := mustAcquire(t, g, 3)
		dear := acquireAsync(g, 4)
		time.Sleep(20 * time.Millisecond)
		cheapDone := acquireAsync(g, 1)
		time.Sleep(20 * time.Millisecond)
		select {
		case err := <-cheapDone:
			t.Fatalf("a cheap computation overtook the waiting dear one (%v)", err)
		default:
		}
		release()
		if err := <-dear; err != nil {
			t.Fatal(err)
		}
		if err := <-cheapDone; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("DearerThanBudgetRunsAlone", func(t *testing.T) {
		g := newHashGate(2, time.Second)
		release := mustAcquire(t, g, 1<<20)
		if g.used != 2 {
			t.Fatalf("used %d of 2, want all", g.used)
		}
		release()
	})
	t.Run("Concurrent", func(t *testing.T) {
		g := newHashGate(3, 5*time.Second)
		var mu sync.Mutex
		running, peak := 0, 0
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				release, err := g.acquire(1)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				running++
				peak = max(peak, running)
				mu.Unlock()
				time.Sleep(time.Millisecond)
				mu.Lock()
				running--
				mu.Unlock()
				release()
			})
		}
		wg.Wait()
		if peak > 3 {
			t.Fatalf("%d ran at once, want at most 3", peak)
		}
	})
}

// TestPasswordHashingBusy: with the process's hashing taken, hashing,
// checking and the decoy check for unknown accounts all wait, then answer
// 503 busy rather than compute.
func TestPasswordHashingBusy(t *testing.T) {
	stored, err := cheap.Hash(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	g := newHashGate(uint64(cheap.Memory), 20*time.Millisecond)
	old := gate.Swap(g)
	t.Cleanup(func() { gate.Store(old) })
	release := mustAcquire(t, g, 1)
	defer release()
	_, err = cheap.Hash(goodPassword)
	wantBusy(t, err)
	ok, err := VerifyPassword(stored, goodPassword)
	if ok {
		t.Fatal("a busy check said yes")
	}
	wantBusy(t, err)
	wantBusy(t, cheap.SpendVerifyTime(goodPassword))
	release()
	if ok, err := VerifyPassword(stored, goodPassword); !ok || err != nil {
		t.Fatalf("after the release: %v, %v", ok, err)
	}
}
