package delivery

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter is the longest Retry-After that RetryAfter accepts. Nothing
// waits beyond the default retry budget anyway, and refusing larger values
// keeps a hostile or broken receiver from parking a message for years.
const MaxRetryAfter = 24 * time.Hour

// Backoff returns how long to wait after the given failed attempt (1 for the
// first try): a uniformly random duration in [0, min(max, base·2^(attempt-1))],
// the "full jitter" of AWS's backoff study, so that many messages failing
// together against one receiver do not come back together. rnd returns a
// value in [0, 1); nil means math/rand/v2.Float64. Out-of-range rnd values
// are clamped rather than trusted. Zero or negative base or max give zero.
func Backoff(attempt int, base, max time.Duration, rnd func() float64) time.Duration {
	if base <= 0 || max <= 0 {
		return 0
	}
	ceiling := base
	for i := 1; i < attempt && ceiling < max; i++ {
		if ceiling > math.MaxInt64/2 {
			ceiling = max
			break
		}
		ceiling *= 2
	}
	if ceiling > max {
		ceiling = max
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	r := rnd()
	switch {
	case !(r > 0): // also catches NaN
		return 0
	case r >= 1:
		return ceiling
	}
	return time.Duration(r * float64(ceiling))
}

// RetryAfter reads the Retry-After header of a response received at now,
// in either form RFC 9110 §10.2.3 allows: delay-seconds ("120") or an
// HTTP-date. A date already past gives (0, true): the receiver is ready.
// It answers false when the header is absent, malformed (signs, fractions,
// garbage) or longer than MaxRetryAfter, so the caller falls back on its
// own backoff.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil || secs > uint64(MaxRetryAfter/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	switch {
	case d <= 0:
		return 0, true
	case d > MaxRetryAfter:
		return 0, false
	}
	return d, true
}

// Action is what to do with a message after an attempt.
type Action int

// The four outcomes of an attempt. Every failing path ends in Retry,
// Disable or DeadLetter, so a message is never silently dropped.
const (
	Done       Action = iota + 1 // delivered (2xx); stop
	Retry                        // try again at Decision.At
	Disable                      // the receiver said 410 Gone: disable the endpoint and tell the administrator
	DeadLetter                   // give up on this message and keep it visible for a manual resend
)

// String returns the action's name, for logs and the deliveries page.
func (a Action) String() string {
	switch a {
	case Done:
		return "done"
	case Retry:
		return "retry"
	case Disable:
		return "disable"
	case DeadLetter:
		return "dead_letter"
	}
	return "action(" + strconv.Itoa(int(a)) + ")"
}

// Policy is the retry budget and schedule. Zero fields take the defaults of
// DefaultPolicy, so Policy{} is usable.
type Policy struct {
	MaxAttempts int            // attempts in all, the first included; default 12
	MaxAge      time.Duration  // no retry is scheduled later than this after the first try; default 24h
	BaseDelay   time.Duration  // backoff ceiling after the first failure; default 30s
	MaxDelay    time.Duration  // largest wait between two attempts, Retry-After included; default 4h
	Rand        func() float64 // jitter source in [0, 1); nil means math/rand/v2
}

// DefaultPolicy spreads twelve attempts over several hours (ceilings 30s,
// 1m, 2m … 4h), long enough to ride out a receiver's outage or a weekend
// deploy, while the 24-hour age limit keeps stale security alerts from
// arriving a day late.
var DefaultPolicy = Policy{
	MaxAttempts: 12,
	MaxAge:      24 * time.Hour,
	BaseDelay:   30 * time.Second,
	MaxDelay:    4 * time.Hour,
}

// withDefaults fills zero fields from DefaultPolicy.
func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultPolicy.MaxAttempts
	}
	if p.MaxAge <= 0 {
		p.MaxAge = DefaultPolicy.MaxAge
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultPolicy.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultPolicy.MaxDelay
	}
	return p
}

// Attempt describes one finished delivery attempt, as the worker saw it.
type Attempt struct {
	Number     int           // 1 for the first try
	FirstTry   time.Time     // when attempt 1 started; the age budget counts from here
	Now        time.Time     // when this attempt ended
	Status     int           // HTTP status; 0 for a network error or timeout (no response)
	RetryAfter time.Duration // from RetryAfter; 0 when absent or refused
}

// Decision is what Next tells the worker to do.
type Decision struct {
	Action Action
	At     time.Time // when to try again; set only for Retry
	Reason string    // short text for the deliveries page and logs
}

// Next decides what follows an attempt.
//
//   - 2xx: Done.
//   - 410 Gone: Disable; the receiver has said the endpoint is gone for good.
//   - no response, 408, 425, 429, 5xx (and nonsense statuses): Retry, unless
//     the budget is spent, then DeadLetter.
//   - 3xx and other 4xx: DeadLetter at once; the request will not improve
//     by repetition, and redirects are not followed so as not to let a
//     receiver point our worker at another host.
//
// The wait before a retry is the larger of the jittered backoff and the
// receiver's Retry-After, capped at MaxDelay: Retry-After is honoured but
// never makes us come back sooner than our backoff (a receiver answering
// "Retry-After: 0" under load would otherwise be hammered), and a request
// for longer than MaxDelay is shortened rather than obeyed, since a longer
// wait is more likely a misconfiguration than a need, and a premature try
// costs the receiver one more 503. The budget is spent when Number reaches
// MaxAttempts or when the retry would start more than MaxAge after FirstTry;
// the message is then dead-lettered now rather than scheduled past its end.
func Next(a Attempt, p Policy) Decision {
	p = p.withDefaults()
	switch s := a.Status; {
	case s >= 200 && s < 300:
		return Decision{Action: Done, Reason: statusReason(s)}
	case s == http.StatusGone:
		return Decision{Action: Disable, Reason: statusReason(s)}
	case !retryable(s):
		return Decision{Action: DeadLetter, Reason: statusReason(s) + ": not retryable"}
	}
	if a.Number >= p.MaxAttempts {
		return Decision{Action: DeadLetter, Reason: statusReason(a.Status) + ": after " + strconv.Itoa(a.Number) + " attempts"}
	}
	wait := max(Backoff(a.Number, p.BaseDelay, p.MaxDelay, p.Rand), a.RetryAfter)
	wait = min(wait, p.MaxDelay)
	at := a.Now.Add(wait)
	if at.Sub(a.FirstTry) > p.MaxAge {
		return Decision{Action: DeadLetter, Reason: statusReason(a.Status) + ": retry budget of " + p.MaxAge.String() + " spent"}
	}
	return Decision{Action: Retry, At: at, Reason: statusReason(a.Status)}
}

// retryable reports whether a failed status may succeed on a later try.
func retryable(status int) bool {
	switch {
	case status == 0, // no response
		status == http.StatusRequestTimeout,
		status == http.StatusTooEarly,
		status == http.StatusTooManyRequests,
		status >= 500,
		status < 200: // 1xx as final, or negative: not a real answer, treat as a fault
		return true
	}
	return false
}

// statusReason names a status for Decision.Reason.
func statusReason(status int) string {
	if status == 0 {
		return "no response"
	}
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return "status " + strconv.Itoa(status)
}
