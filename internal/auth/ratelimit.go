package auth

import (
	"sync"
	"time"
)

// Limiter counts failures per key in memory and refuses a key that failed
// too often within the window. The count decays as the window slides, so a
// legitimate user is never locked out for longer than the window.
type Limiter struct {
	mu       sync.Mutex
	max      int
	window   time.Duration
	failures map[string][]time.Time
	swept    time.Time // when stale keys were last swept
	now      func() time.Time
}

// NewLimiter allows max failures per key within window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, failures: map[string][]time.Time{}, now: time.Now}
}

// Allowed reports whether key may try now, and if not, when it may try again.
func (l *Limiter) Allowed(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	recent := l.prune(key, now)
	if len(recent) < l.max {
		return true, 0
	}
	return false, recent[0].Add(l.window).Sub(now)
}

// Fail records a failed attempt for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.failures[key] = append(l.prune(key, now), now)
	// Bound memory under a spray of distinct keys (IPv6 makes that cheap):
	// sweep stale keys at most once per tenth of a window, and if a sweep
	// leaves too many, start over. Account and address limits live in
	// separate limiters, so a flood of addresses cannot reset account limits.
	if len(l.failures) > maxKeys && now.Sub(l.swept) > l.window/10 {
		l.swept = now
		for k := range l.failures {
			l.prune(k, now)
		}
		if len(l.failures) > maxKeys {
			l.failures = map[string][]time.Time{}
		}
	}
}

// maxKeys bounds the keys a limiter remembers.
const maxKeys = 100_000

// Reset forgets key's failures (after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	ts := l.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = ts
	return ts
}
