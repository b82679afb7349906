package auth

import (
	"bufio"
	"bytes"
	"container/list"
	"errors"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moudesk/moudesk"
)

// HashWait is how long a password hash or check waits for its turn before
// it is refused with 503 busy: long enough to ride out a burst of sign-ins
// (some 28 checks at the default cost on an idle two-core server), short
// enough that a client is told soon to come back.
const HashWait = 2 * time.Second

// ErrHashBusy is the cause of the 503 busy error returned when a password
// could not be hashed or checked within HashWait.
var ErrHashBusy = errors.New("password hashing at capacity")

// fallbackMemory is the memory assumed when the system does not say.
const fallbackMemory = 1 << 30

// HashSlots is how many argon2id computations of h may run at once in a
// process that may use memory bytes on cpus cores (runtime.GOMAXPROCS):
//
//	min(memory / (4 × h.Memory), cpus / h.Threads), and at least 1.
//
// Half the memory goes to hashing, and each computation counts twice,
// since the memory of a finished one lingers until the next garbage
// collection (GOGC=100). The cores bound it further: a computation keeps
// h.Threads cores busy, and more at once than the cores can run adds
// memory and latency but no throughput. On the two-core server with
// DefaultHasher (64 MiB, 2 lanes) that is 1: sixty-four sign-ins at once
// hold 64 MiB of argon2 memory, not 4 GiB.
func HashSlots(memory uint64, cpus int, h Hasher) int {
	if h.Memory == 0 || h.Threads == 0 {
		return 1
	}
	byMemory := memory / (4 * (uint64(h.Memory) << 10))
	byCPU := uint64(max(cpus, 1) / int(h.Threads))
	return int(max(min(byMemory, byCPU), 1))
}

// hashGate bounds the argon2id memory held at once in this process: a
// computation takes its memory cost (KiB) from a budget and gives it back
// when done; those that do not fit wait in arrival order, for at most
// wait. A computation dearer than the whole budget runs alone.
type hashGate struct {
	budget uint64 // KiB
	wait   time.Duration

	mu      sync.Mutex
	used    uint64
	waiters list.List // of *hashWaiter, oldest first
}

type hashWaiter struct {
	kib   uint64
	ready chan struct{} // closed when the waiter holds its memory
}

func newHashGate(budgetKiB uint64, wait time.Duration) *hashGate {
	return &hashGate{budget: max(budgetKiB, 1), wait: wait}
}

// gate is the process's hashGate, made at the first hash from the memory
// and cores the process has (see HashSlots); tests swap it.
var gate atomic.Pointer[hashGate]

func hashingGate() *hashGate {
	if g := gate.Load(); g != nil {
		return g
	}
	d := DefaultHasher()
	n := HashSlots(availableMemory(), runtime.GOMAXPROCS(0), d)
	gate.CompareAndSwap(nil, newHashGate(uint64(n)*uint64(d.Memory), HashWait))
	return gate.Load()
}

// HashConcurrency is how many argon2id computations at DefaultHasher's
// cost this process runs at once (HashSlots of its memory and cores).
func HashConcurrency() int {
	g := hashingGate()
	return int(max(g.budget/uint64(DefaultHasher().Memory), 1))
}

// acquire takes kib of the budget, waiting up to g.wait, and returns the
// function that gives it back; when the wait runs out the error is 503
// busy (cause ErrHashBusy) with a Retry-After.
func (g *hashGate) acquire(kib uint64) (release func(), err error) {
	kib = min(max(kib, 1), g.budget)
	g.mu.Lock()
	if g.waiters.Len() == 0 && g.used+kib <= g.budget {
		g.used += kib
		g.mu.Unlock()
		return g.releaser(kib), nil
	}
	w := &hashWaiter{kib: kib, ready: make(chan struct{})}
	e := g.waiters.PushBack(w)
	g.mu.Unlock()

	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case <-w.ready:
		return g.releaser(kib), nil
	case <-timer.C:
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-w.ready: // admitted as the wait ran out
		return g.releaser(kib), nil
	default:
	}
	g.waiters.Remove(e)
	// The one leaving may have been all that held smaller ones back.
	g.admit()
	return nil, &moudesk.Error{Kind: moudesk.KindUnavailable, Code: "busy",
		Message: "too many passwords are being checked right now; try again shortly",
		Data:    moudesk.RetryAfter(1), Cause: ErrHashBusy}
}

func (g *hashGate) releaser(kib uint64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.used -= kib
			g.admit()
		})
	}
}

// admit hands the budget to waiters in arrival order while the oldest
// fits; g.mu is held.
func (g *hashGate) admit() {
	for e := g.waiters.Front(); e != nil; e = g.waiters.Front() {
		w := e.Value.(*hashWaiter)
		if g.used+w.kib > g.budget {
			return
		}
		g.used += w.kib
		g.waiters.Remove(e)
		close(w.ready)
	}
}

// availableMemory is the memory this process may use, in bytes: the
// system's MemAvailable at the first hash, lowered to the cgroup's limit
// and to GOMEMLIMIT when they are set; fallbackMemory when none is known.
func availableMemory() uint64 {
	mem := uint64(math.MaxUint64)
	if kb, ok := memInfo("MemAvailable:"); ok {
		mem = kb << 10
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64); err == nil {
			mem = min(mem, n)
		}
	}
	if lim := debug.SetMemoryLimit(-1); lim > 0 && lim < math.MaxInt64 {
		mem = min(mem, uint64(lim))
	}
	if mem == math.MaxUint64 {
		return fallbackMemory
	}
	return mem
}

// memInfo reads the kB figure of field from /proc/meminfo.
func memInfo(field string) (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(field))
		if !ok {
			continue
		}
		num, _, _ := bytes.Cut(bytes.TrimSpace(rest), []byte(" "))
		n, err := strconv.ParseUint(string(num), 10, 64)
		return n, err == nil
	}
	return 0, false
}
