package delivery

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixed returns a jitter source that always answers r, so schedules are exact.
func fixed(r float64) func() float64 { return func() float64 { return r } }

func TestBackoff(t *testing.T) {
	const base, maxd = time.Second, time.Minute
	tests := []struct {
		name    string
		attempt int
		base    time.Duration
		max     time.Duration
		r       float64
		want    time.Duration
	}{
		{"FirstFull", 1, base, maxd, 1, base},
		{"FirstHalf", 1, base, maxd, 0.5, 500 * time.Millisecond},
		{"Doubles", 3, base, maxd, 0.999999, time.Duration(0.999999 * float64(4*time.Second))},
		{"JitterLowerBound", 5, base, maxd, 0, 0},
		{"Capped", 7, base, maxd, 1, maxd}, // 64s ceiling capped at 60s
		{"CappedHalf", 50, base, maxd, 0.5, 30 * time.Second},
		{"NoOverflow", math.MaxInt, base, maxd, 1, maxd},
		{"NoOverflowHugeMax", 200, time.Hour, time.Duration(math.MaxInt64), 1, time.Duration(math.MaxInt64)},
		{"ZeroAttemptIsFirst", 0, base, maxd, 1, base},
		{"MaxBelowBase", 1, time.Hour, maxd, 1, maxd},
		{"ZeroBase", 3, 0, maxd, 1, 0},
		{"NegativeRandClamped", 3, base, maxd, -3, 0},
		{"NaNRandClamped", 3, base, maxd, math.NaN(), 0},
		{"LargeRandClamped", 3, base, maxd, 7, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Backoff(tt.attempt, tt.base, tt.max, fixed(tt.r)); got != tt.want {
				t.Errorf("Backoff(%d, %v, %v, %v) = %v; want %v", tt.attempt, tt.base, tt.max, tt.r, got, tt.want)
			}
		})
	}

	t.Run("RealRandWithinBounds", func(t *testing.T) {
		for attempt := 1; attempt <= 12; attempt++ {
			ceiling := min(base<<(attempt-1), maxd)
			for range 200 {
				if got := Backoff(attempt, base, maxd, nil); got < 0 || got > ceiling {
					t.Fatalf("Backoff(%d) = %v; want within [0, %v]", attempt, got, ceiling)
				}
			}
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string // "" leaves the header out
		want   time.Duration
		wantOK bool
	}{
		{"Absent", "", 0, false},
		{"Seconds", "120", 2 * time.Minute, true},
		{"SecondsPadded", "  30 ", 30 * time.Second, true},
		{"Zero", "0", 0, true},
		{"AtCap", strconv.Itoa(int(MaxRetryAfter / time.Second)), MaxRetryAfter, true},
		{"ErrOverCap", strconv.Itoa(int(MaxRetryAfter/time.Second) + 1), 0, false},
		{"ErrOverflow", "99999999999999999999999", 0, false},
		{"ErrNegative", "-5", 0, false},
		{"ErrPlusSign", "+5", 0, false},
		{"ErrFraction", "1.5", 0, false},
		{"ErrGarbage", "soon", 0, false},
		{"DateIMF", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"DateRFC850", now.Add(time.Hour).Format(time.RFC850), time.Hour, true},
		{"DateANSIC", now.Add(time.Hour).Format(time.ANSIC), time.Hour, true},
		{"DateInPast", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"DateNow", now.Format(http.TimeFormat), 0, true},
		{"ErrDateTooFar", now.Add(MaxRetryAfter + time.Second).Format(http.TimeFormat), 0, false},
		{"ErrDateMalformed", "Sun, 32 Mar 2026 12:00:00 GMT", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Retry-After", tt.header)
			}
			got, ok := RetryAfter(h, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"", "0", "120", "-1", "1.5", "86401", "99999999999999999999",
		now.Format(http.TimeFormat), now.Add(-time.Hour).Format(time.RFC850), now.Add(time.Hour).Format(time.ANSIC)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{"Retry-After": {s}}
		d, ok := RetryAfter(h, now)
		if d < 0 || d > MaxRetryAfter {
			t.Fatalf("RetryAfter(%q) = %v, %v; want within [0, %v]", s, d, ok, MaxRetryAfter)
		}
		if !ok && d != 0 {
			t.Fatalf("RetryAfter(%q) = %v, false; want 0 when refused", s, d)
		}
		if v := strings.TrimSpace(s); ok && isDigits(v) {
			n, _ := strconv.ParseUint(v, 10, 64)
			if time.Duration(n)*time.Second != d {
				t.Fatalf("RetryAfter(%q) = %v; want %ds", s, d, n)
			}
		}
	})
}

func TestNext(t *testing.T) {
	first := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	p := Policy{MaxAttempts: 10, MaxAge: 24 * time.Hour, BaseDelay: 10 * time.Second, MaxDelay: time.Hour, Rand: fixed(1)}
	half := p
	half.Rand = fixed(0.5)
	zero := p
	zero.Rand = fixed(0)
	long := p
	long.MaxAttempts = 20

	tests := []struct {
		name   string
		a      Attempt
		p      Policy
		want   Action
		wantAt time.Time
	}{
		{name: "Done200", a: Attempt{Number: 1, Status: 200}, p: p, want: Done},
		{name: "Done204AfterRetries", a: Attempt{Number: 9, Status: 204}, p: p, want: Done},
		{name: "DisableGone", a: Attempt{Number: 1, Status: 410}, p: p, want: Disable},
		{name: "DisableGoneEvenWithBudgetSpent", a: Attempt{Number: 10, Status: 410}, p: p, want: Disable},
		{name: "DeadLetterBadRequest", a: Attempt{Number: 1, Status: 400}, p: p, want: DeadLetter},
		{name: "DeadLetterUnauthorized", a: Attempt{Number: 1, Status: 401}, p: p, want: DeadLetter},
		{name: "DeadLetterNotFound", a: Attempt{Number: 1, Status: 404}, p: p, want: DeadLetter},
		{name: "DeadLetterRedirect", a: Attempt{Number: 1, Status: 302}, p: p, want: DeadLetter},
		{name: "Retry500", a: Attempt{Number: 1, Status: 500}, p: p, want: Retry, wantAt: first.Add(10 * time.Second)},
		{name: "Retry503ThirdAttempt", a: Attempt{Number: 3, Status: 503}, p: p, want: Retry, wantAt: first.Add(40 * time.Second)},
		{name: "RetryNetworkError", a: Attempt{Number: 2, Status: 0}, p: half, want: Retry, wantAt: first.Add(10 * time.Second)},
		{name: "Retry408", a: Attempt{Number: 1, Status: 408}, p: p, want: Retry, wantAt: first.Add(10 * time.Second)},
		{name: "Retry425", a: Attempt{Number: 1, Status: 425}, p: p, want: Retry, wantAt: first.Add(10 * time.Second)},
		{name: "Retry429", a: Attempt{Number: 1, Status: 429}, p: p, want: Retry, wantAt: first.Add(10 * time.Second)},
		{name: "RetryNonsenseStatus", a: Attempt{Number: 1, Status: 799}, p: p, want: Retry, wantAt: first.Add(10 * time.Second)},
		{name: "RetryBackoffNinth", a: Attempt{Number: 9, Status: 500}, p: p, want: Retry, wantAt: first.Add(2560 * time.Second)},
		{name: "RetryBackoffCapped", a: Attempt{Number: 12, Status: 500}, p: long, want: Retry, wantAt: first.Add(time.Hour)},
		{name: "RetryJitterZero", a: Attempt{Number: 5, Status: 500}, p: zero, want: Retry, wantAt: first},
		{name: "RetryAfterLongerThanBackoffWins", a: Attempt{Number: 1, Status: 429, RetryAfter: 5 * time.Minute}, p: p, want: Retry, wantAt: first.Add(5 * time.Minute)},
		{name: "RetryAfterShorterThanBackoffIgnored", a: Attempt{Number: 3, Status: 503, RetryAfter: time.Second}, p: p, want: Retry, wantAt: first.Add(40 * time.Second)},
		{name: "RetryAfterLongerThanMaxCapped", a: Attempt{Number: 1, Status: 503, RetryAfter: 6 * time.Hour}, p: p, want: Retry, wantAt: first.Add(time.Hour)},
		{name: "RetryAfterPastDateUsesBackoff", a: Attempt{Number: 2, Status: 503, RetryAfter: 0}, p: half, want: Retry, wantAt: first.Add(10 * time.Second)},
		{name: "RetryLastInBudget", a: Attempt{Number: 9, Status: 500}, p: half, want: Retry, wantAt: first.Add(1280 * time.Second)},
		{name: "DeadLetterAttemptsSpent", a: Attempt{Number: 10, Status: 500}, p: p, want: DeadLetter},
		{name: "DeadLetterAttemptsOverspent", a: Attempt{Number: 11, Status: 0}, p: p, want: DeadLetter},
		{name: "DeadLetterAgeSpent", a: Attempt{Number: 4, Status: 500, Now: first.Add(23*time.Hour + 59*time.Minute)}, p: p, want: DeadLetter},
		{name: "RetryJustInsideAge", a: Attempt{Number: 1, Status: 500, Now: first.Add(24*time.Hour - 10*time.Second)}, p: p, want: Retry, wantAt: first.Add(24 * time.Hour)},
		{name: "DeadLetterRetryAfterPastAge", a: Attempt{Number: 2, Status: 429, Now: first.Add(23*time.Hour + 30*time.Minute), RetryAfter: 90 * time.Minute}, p: p, want: DeadLetter},
		{name: "ZeroPolicyUsesDefaults", a: Attempt{Number: 12, Status: 500}, p: Policy{}, want: DeadLetter},
		{name: "ZeroPolicyRetries", a: Attempt{Number: 1, Status: 500}, p: Policy{Rand: fixed(1)}, want: Retry, wantAt: first.Add(30 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			a.FirstTry = first
			if a.Now.IsZero() {
				a.Now = first
			}
			got := Next(a, tt.p)
			if got.Action != tt.want || !got.At.Equal(tt.wantAt) {
				t.Errorf("Next(%+v) = %v at %v (%s); want %v at %v", tt.a, got.Action, got.At, got.Reason, tt.want, tt.wantAt)
			}
			if got.Reason == "" {
				t.Errorf("Next(%+v).Reason is empty; want a reason", tt.a)
			}
		})
	}
}

func TestActionString(t *testing.T) {
	for a, want := range map[Action]string{Done: "done", Retry: "retry", Disable: "disable", DeadLetter: "dead_letter", 0: "action(0)"} {
		if got := a.String(); got != want {
			t.Errorf("Action(%d).String() = %q; want %q", int(a), got, want)
		}
	}
}
