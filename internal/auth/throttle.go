package auth

import (
	"container/list"
	"crypto/sha256"
	"strings"
	"sync"
	"time"
)

// Login throttling defaults: after LoginLimit failures within LoginWindow
// the next attempt is refused until the oldest of them ages out.
const (
	LoginLimit  = 5
	LoginWindow = time.Minute
)

// defaultMaxKeys bounds how many accounts and addresses a Throttle tracks,
// so a flood of distinct e-mail addresses cannot exhaust memory. At the cap
// the key whose last failure is oldest is forgotten first. Each key costs
// about limit timestamps plus a fixed ~150 bytes.
const defaultMaxKeys = 100_000

// Throttle refuses login attempts for an account, and separately for a
// client address, that failed too often recently. Counting per account
// stops guessing one password from many addresses; counting per address
// stops one address spraying many accounts.
//
// Re-entering the password of an account one is already signed in to (the
// signing ceremony's check) is counted apart, per account and address
// together (AllowRecheck): only a holder of a session of that account
// reaches that check, so nobody else's failures, at sign-in or from
// another address, can stop the signatory there, while the session's own
// wrong passwords are still throttled. It is safe for concurrent use.
type Throttle struct {
	limit   int
	window  time.Duration
	now     func() time.Time
	maxKeys int

	mu    sync.Mutex
	keys  map[throttleKey]*list.Element // element value: *failures
	order *list.List                    // front: most recent failure
}

// throttleKey is a SHA-256 of the kind and the name, so a hostile,
// megabyte-long "e-mail address" costs the same 32 bytes as any other.
type throttleKey [sha256.Size]byte

// failures holds the most recent failure times of one key, oldest first,
// never more than limit of them: older ones cannot matter.
type failures struct {
	key   throttleKey
	times []time.Time
}

// NewThrottle returns a Throttle that refuses an attempt once limit failures
// have happened within window. now is the clock (time.Now in production, a
// fake in tests); limit < 1 is treated as 1.
func NewThrottle(limit int, window time.Duration, now func() time.Time) *Throttle {
	if limit < 1 {
		limit = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Throttle{
		limit:   limit,
		window:  window,
		now:     now,
		maxKeys: defaultMaxKeys,
		keys:    make(map[throttleKey]*list.Element),
		order:   list.New(),
	}
}

// Account names are compared case-insensitively (they are e-mail
// addresses); addresses exactly. An empty name is not tracked.
func accountKey(account string) (throttleKey, bool) {
	a := strings.ToLower(strings.TrimSpace(account))
	return sha256.Sum256([]byte("account\x00" + a)), a != ""
}

func addrKey(addr string) (throttleKey, bool) {
	return sha256.Sum256([]byte("addr\x00" + addr)), addr != ""
}

// recheckKey is the key of the password re-check of account from addr; it
// shares nothing with accountKey and addrKey, so sign-in failures never
// count against it.
func recheckKey(account, addr string) (throttleKey, bool) {
	a := strings.ToLower(strings.TrimSpace(account))
	return sha256.Sum256([]byte("recheck\x00" + a + "\x00" + addr)), a != ""
}

// Allow reports whether a login attempt for account from addr may proceed.
// When it may not, retryAfter is how long until it may (for a Retry-After
// header); it is always at least one second when ok is false.
func (t *Throttle) Allow(account, addr string) (ok bool, retryAfter time.Duration) {
	return t.allow(t.keysFor(account, addr))
}

// Fail records a failed attempt for account and for addr.
func (t *Throttle) Fail(account, addr string) {
	t.fail(t.keysFor(account, addr))
}

// Succeed forgets the failures of account after a successful login. The
// address keeps its count: otherwise an attacker holding one valid account
// could log into it between guesses to reset their address's counter.
func (t *Throttle) Succeed(account, addr string) {
	if k, ok := accountKey(account); ok {
		t.forget(k)
	}
}

// AllowRecheck is Allow for re-entering the password of account, signed in
// already, from addr. Only failures recorded by FailRecheck for the same
// account and address count; sign-in failures do not.
func (t *Throttle) AllowRecheck(account, addr string) (ok bool, retryAfter time.Duration) {
	k, tracked := recheckKey(account, addr)
	if !tracked {
		return true, 0
	}
	return t.allow([]throttleKey{k})
}

// FailRecheck records a wrong password re-entered for account from addr.
func (t *Throttle) FailRecheck(account, addr string) {
	if k, ok := recheckKey(account, addr); ok {
		t.fail([]throttleKey{k})
	}
}

// SucceedRecheck forgets the re-check failures of account from addr.
func (t *Throttle) SucceedRecheck(account, addr string) {
	if k, ok := recheckKey(account, addr); ok {
		t.forget(k)
	}
}

func (t *Throttle) allow(ks []throttleKey) (ok bool, retryAfter time.Duration) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	for _, k := range ks {
		if d := t.wait(k, now); d > retryAfter {
			retryAfter = d
		}
	}
	if retryAfter <= 0 {
		return true, 0
	}
	return false, max(retryAfter, time.Second)
}

func (t *Throttle) fail(ks []throttleKey) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	for _, k := range ks {
		t.record(k, now)
	}
}

func (t *Throttle) forget(k throttleKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, found := t.keys[k]; found {
		t.order.Remove(e)
		delete(t.keys, k)
	}
}

func (t *Throttle) keysFor(account, addr string) []throttleKey {
	ks := make([]throttleKey, 0, 2)
	if k, ok := accountKey(account); ok {
		ks = append(ks, k)
	}
	if k, ok := addrKey(addr); ok {
		ks = append(ks, k)
	}
	return ks
}

// expired reports whether a failure at ts no longer counts at now.
func (t *Throttle) expired(ts, now time.Time) bool {
	return now.Sub(ts) >= t.window
}

// wait returns how long key k must wait at now; 0 or less means not at all.
func (t *Throttle) wait(k throttleKey, now time.Time) time.Duration {
	e, ok := t.keys[k]
	if !ok {
		return 0
	}
	f := e.Value.(*failures)
	live := 0
	for _, ts := range f.times {
		if !t.expired(ts, now) {
			live++
		}
	}
	if live < t.limit {
		return 0
	}
	// f.times holds exactly limit live failures; the attempt is allowed
	// again when the oldest of them leaves the window.
	return f.times[0].Add(t.window).Sub(now)
}

func (t *Throttle) record(k throttleKey, now time.Time) {
	if e, ok := t.keys[k]; ok {
		f := e.Value.(*failures)
		f.times = append(f.times, now)
		if len(f.times) > t.limit {
			f.times = append(f.times[:0], f.times[len(f.times)-t.limit:]...)
		}
		t.order.MoveToFront(e)
		return
	}
	for len(t.keys) >= t.maxKeys {
		t.removeOldest()
	}
	f := &failures{key: k, times: make([]time.Time, 1, t.limit)}
	f.times[0] = now
	t.keys[k] = t.order.PushFront(f)
}

// prune drops keys whose latest failure has left the window. Keys are
// ordered by latest failure, so only the back of the list needs looking at.
func (t *Throttle) prune(now time.Time) {
	for e := t.order.Back(); e != nil; e = t.order.Back() {
		f := e.Value.(*failures)
		if !t.expired(f.times[len(f.times)-1], now) {
			return
		}
		t.removeOldest()
	}
}

func (t *Throttle) removeOldest() {
	e := t.order.Back()
	if e == nil {
		return
	}
	t.order.Remove(e)
	delete(t.keys, e.Value.(*failures).key)
}

// tracked reports how many keys are held; tests use it to check the bound.
func (t *Throttle) tracked() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}
