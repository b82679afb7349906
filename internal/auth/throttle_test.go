package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// newFakeClock is a hand-driven clock for the throttle.
func newFakeClock() *testtool.Clock {
	return testtool.NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
}

func mustAllow(t *testing.T, th *Throttle, account, addr string) {
	t.Helper()
	if ok, ra := th.Allow(account, addr); !ok {
		t.Fatalf("Allow(%q, %q) refused (retry after %v), want allowed", account, addr, ra)
	}
}

func mustRefuse(t *testing.T, th *Throttle, account, addr string) time.Duration {
	t.Helper()
	ok, ra := th.Allow(account, addr)
	if ok {
		t.Fatalf("Allow(%q, %q) allowed, want refused", account, addr)
	}
	if ra < time.Second {
		t.Fatalf("retryAfter = %v, want at least 1s", ra)
	}
	return ra
}

func TestThrottleSixthAttemptRefused(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(LoginLimit, LoginWindow, clk.Now)
	for range 5 {
		mustAllow(t, th, "ada@city.gov", "203.0.113.9")
		th.Fail("ada@city.gov", "203.0.113.9")
		clk.Advance(time.Second) // failures at 0s..4s
	}
	// Now 5s: the first failure (0s) leaves the window at 60s.
	if ra := mustRefuse(t, th, "ada@city.gov", "203.0.113.9"); ra != 55*time.Second {
		t.Errorf("retryAfter = %v, want 55s", ra)
	}
}

func TestThrottleWindowExpiry(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(5, time.Minute, clk.Now)
	for range 5 {
		th.Fail("ada@city.gov", "203.0.113.9")
	}
	mustRefuse(t, th, "ada@city.gov", "203.0.113.9")
	clk.Advance(59 * time.Second)
	if ra := mustRefuse(t, th, "ada@city.gov", "203.0.113.9"); ra != time.Second {
		t.Errorf("retryAfter = %v, want 1s", ra)
	}
	clk.Advance(time.Second)
	mustAllow(t, th, "ada@city.gov", "203.0.113.9")
	if n := th.tracked(); n != 0 {
		t.Errorf("tracked %d keys after all failures expired, want 0", n)
	}
}

func TestThrottleSlidingWindow(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(5, time.Minute, clk.Now)
	for range 4 {
		th.Fail("ada@city.gov", "")
	}
	clk.Advance(50 * time.Second)
	th.Fail("ada@city.gov", "")
	mustRefuse(t, th, "ada@city.gov", "")
	clk.Advance(10 * time.Second) // the first four leave the window
	mustAllow(t, th, "ada@city.gov", "")
	th.Fail("ada@city.gov", "") // 2 live failures now
	mustAllow(t, th, "ada@city.gov", "")
}

func TestThrottleAccountAcrossAddresses(t *testing.T) {
	th := NewThrottle(5, time.Minute, newFakeClock().Now)
	for i := range 5 {
		th.Fail("ada@city.gov", fmt.Sprintf("198.51.100.%d", i))
	}
	mustRefuse(t, th, "ada@city.gov", "198.51.100.200")
	mustRefuse(t, th, "ADA@City.gov ", "198.51.100.201") // same account, other spelling
	mustAllow(t, th, "grace@district.org", "198.51.100.200")
}

func TestThrottleAddressAcrossAccounts(t *testing.T) {
	th := NewThrottle(5, time.Minute, newFakeClock().Now)
	for i := range 5 {
		th.Fail(fmt.Sprintf("user%d@city.gov", i), "203.0.113.9")
	}
	mustRefuse(t, th, "new@city.gov", "203.0.113.9")
	mustAllow(t, th, "new@city.gov", "203.0.113.10")
}

func TestThrottleSucceedResetsAccountOnly(t *testing.T) {
	th := NewThrottle(5, time.Minute, newFakeClock().Now)
	for range 4 {
		th.Fail("ada@city.gov", "203.0.113.9")
	}
	th.Succeed("ada@city.gov", "203.0.113.9")
	for range 4 {
		th.Fail("ada@city.gov", "198.51.100.1")
	}
	mustAllow(t, th, "ada@city.gov", "198.51.100.2") // account count restarted: 4
	th.Fail("mallory@city.gov", "203.0.113.9")       // address count kept: 5
	mustRefuse(t, th, "grace@district.org", "203.0.113.9")
}

func TestThrottleBoundedKeys(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(5, time.Minute, clk.Now)
	th.maxKeys = 10
	for range 5 {
		th.Fail("victim@city.gov", "")
	}
	for i := range 100 {
		clk.Advance(time.Millisecond)
		th.Fail(fmt.Sprintf("spray%d@city.gov", i), "")
		if n := th.tracked(); n > 10 {
			t.Fatalf("tracked %d keys, cap is 10", n)
		}
	}
	// The oldest key was evicted first.
	mustAllow(t, th, "victim@city.gov", "")
	// A hostile, huge account name costs one key like any other.
	huge := string(make([]byte, 1<<20))
	th.Fail(huge, "")
	if n := th.tracked(); n > 10 {
		t.Fatalf("tracked %d keys, cap is 10", n)
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle(5, time.Minute, time.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				acct := fmt.Sprintf("u%d@x", i%7)
				addr := fmt.Sprintf("10.0.0.%d", g)
				th.Allow(acct, addr)
				th.Fail(acct, addr)
				if i%13 == 0 {
					th.Succeed(acct, addr)
				}
			}
		})
	}
	wg.Wait()
	if n := th.tracked(); n > 15 {
		t.Errorf("tracked %d keys, want at most 7 accounts + 8 addresses", n)
	}
}

func TestThrottleEmptyNamesNotTracked(t *testing.T) {
	th := NewThrottle(1, time.Minute, newFakeClock().Now)
	th.Fail("", "")
	mustAllow(t, th, "", "")
	if n := th.tracked(); n != 0 {
		t.Errorf("tracked %d keys for empty names", n)
	}
}

// TestThrottleRecheckApart: sign-in failures for an account, from any
// address, do not count against re-entering its password, and re-check
// failures count per account and address.
func TestThrottleRecheckApart(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(LoginLimit, LoginWindow, clk.Now)
	for range 10 {
		th.Fail("ada@city.gov", "198.51.100.7")
	}
	mustRefuse(t, th, "ada@city.gov", "203.0.113.9")
	if ok, _ := th.AllowRecheck("ada@city.gov", "203.0.113.9"); !ok {
		t.Fatal("sign-in failures stopped the account's password re-check")
	}
	for range 5 {
		th.FailRecheck("Ada@City.gov", "203.0.113.9")
	}
	if ok, ra := th.AllowRecheck("ada@city.gov", "203.0.113.9"); ok || ra < time.Second {
		t.Fatalf("sixth re-check = %v (retry after %v), want refused", ok, ra)
	}
	if ok, _ := th.AllowRecheck("ada@city.gov", "192.0.2.1"); !ok {
		t.Fatal("re-check failures from one address stopped another")
	}
	th.SucceedRecheck("ada@city.gov", "203.0.113.9")
	if ok, _ := th.AllowRecheck("ada@city.gov", "203.0.113.9"); !ok {
		t.Fatal("a right password did not clear the re-check failures")
	}
	if ok, _ := th.AllowRecheck("", "203.0.113.9"); !ok {
		t.Fatal("an empty account is throttled")
	}
}
