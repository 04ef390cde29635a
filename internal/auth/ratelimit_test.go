package auth

import (
	"fmt"
	"testing"
	"time"
)

// clock is a settable time source for a Limiter.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newTestLimiter(max int, window time.Duration) (*Limiter, *clock) {
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := NewLimiter(max, window)
	l.now = c.now
	return l, c
}

func TestLimiter(t *testing.T) {
	const window = 15 * time.Minute
	t.Run("AllowedBelowMax", func(t *testing.T) {
		l, _ := newTestLimiter(3, window)
		for i := range 2 {
			l.Fail("k")
			if ok, wait := l.Allowed("k"); !ok || wait != 0 {
				t.Fatalf("after %d failures Allowed() = %v, %v; want true, 0", i+1, ok, wait)
			}
		}
	})
	t.Run("ErrRefusedAtMax", func(t *testing.T) {
		l, c := newTestLimiter(3, window)
		for range 3 {
			l.Fail("k")
			c.advance(time.Minute)
		}
		// The first failure was 3 minutes ago: it leaves the window in 12.
		ok, wait := l.Allowed("k")
		if ok || wait != 12*time.Minute {
			t.Errorf("Allowed() = %v, %v; want false, 12m0s", ok, wait)
		}
	})
	t.Run("AllowedAgainAfterWindow", func(t *testing.T) {
		l, c := newTestLimiter(3, window)
		for range 3 {
			l.Fail("k")
		}
		if ok, _ := l.Allowed("k"); ok {
			t.Fatal("Allowed() = true at max failures; want false")
		}
		c.advance(window - time.Second)
		if ok, _ := l.Allowed("k"); ok {
			t.Errorf("Allowed() = true a second before the window ends; want false")
		}
		c.advance(time.Second)
		if ok, wait := l.Allowed("k"); !ok || wait != 0 {
			t.Errorf("Allowed() = %v, %v once the window has passed; want true, 0 (nobody is locked out for good)", ok, wait)
		}
	})
	t.Run("SlidingWindow", func(t *testing.T) {
		// Failures decay one by one: after the oldest leaves the window one
		// more attempt is allowed, not a whole new batch.
		l, c := newTestLimiter(3, window)
		for range 3 {
			l.Fail("k")
			c.advance(5 * time.Minute)
		}
		// t=15m: the first failure (t=0) has left the window; two remain.
		if ok, _ := l.Allowed("k"); !ok {
			t.Fatalf("Allowed() = false with 2 failures in the window; want true")
		}
		l.Fail("k")
		if ok, wait := l.Allowed("k"); ok || wait != 5*time.Minute {
			t.Errorf("Allowed() = %v, %v; want false, 5m0s (until the failure at t=5m leaves)", ok, wait)
		}
	})
	t.Run("RefusedAttemptsDoNotExtendTheLock", func(t *testing.T) {
		// A caller that keeps asking while refused must not push the end of
		// the lock further away: only Fail counts.
		l, c := newTestLimiter(2, window)
		l.Fail("k")
		l.Fail("k")
		for range 10 {
			c.advance(time.Minute)
			l.Allowed("k")
		}
		c.advance(window - 10*time.Minute)
		if ok, _ := l.Allowed("k"); !ok {
			t.Errorf("Allowed() = false a full window after the last failure; want true")
		}
	})
	t.Run("ResetForgets", func(t *testing.T) {
		l, _ := newTestLimiter(2, window)
		l.Fail("k")
		l.Fail("k")
		l.Reset("k")
		if ok, _ := l.Allowed("k"); !ok {
			t.Errorf("Allowed() = false after Reset; want true")
		}
	})
	t.Run("KeysAreIndependent", func(t *testing.T) {
		l, _ := newTestLimiter(2, window)
		l.Fail("account:a@example.com")
		l.Fail("account:a@example.com")
		if ok, _ := l.Allowed("account:b@example.com"); !ok {
			t.Errorf("Allowed(b) = false after a's failures; want true")
		}
		if ok, _ := l.Allowed("account:a@example.com"); ok {
			t.Errorf("Allowed(a) = true after 2 failures with max 2; want false")
		}
	})
	t.Run("StaleKeysAreDropped", func(t *testing.T) {
		// A spray of distinct keys must not grow memory without bound.
		l, c := newTestLimiter(2, window)
		for i := range 100_001 {
			l.Fail(fmt.Sprint("client:", i))
		}
		c.advance(window)
		l.Fail("client:last")
		if n := len(l.failures); n != 1 {
			t.Errorf("keys kept = %d after every other key went stale; want 1", n)
		}
	})
	t.Run("AllowedPrunesItsKey", func(t *testing.T) {
		l, c := newTestLimiter(2, window)
		l.Fail("k")
		c.advance(window)
		l.Allowed("k")
		if _, ok := l.failures["k"]; ok {
			t.Errorf("a key whose failures all left the window is still kept")
		}
	})
}
