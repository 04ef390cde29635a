package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/shieldwall/shieldwall"
)

// ContentSecurityPolicy allows nothing inline and nothing from elsewhere.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the headers every answer carries. Answers are not
// cached unless a handler says otherwise (static files do).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The values are shared by every answer: a slice of capacity one
		// cannot be changed through Add (it reallocates), and Set replaces it.
		for _, kv := range securityHeaders {
			h[kv.key] = kv.value
		}
		if r.TLS != nil {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

var securityHeaders = func() []struct {
	key   string
	value []string
} {
	var out []struct {
		key   string
		value []string
	}
	for _, kv := range [][2]string{
		{"Content-Security-Policy", ContentSecurityPolicy},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "same-origin"},
		{"X-Frame-Options", "DENY"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
		{"Cache-Control", "no-store"},
	} {
		out = append(out, struct {
			key   string
			value []string
		}{http.CanonicalHeaderKey(kv[0]), []string{kv[1]}[:1:1]})
	}
	return out
}()

var hsts = []string{"max-age=31536000"}[:1:1]

// CleanInput refuses a request whose path or query holds a NUL byte or
// invalid UTF-8: no handler could use them, and PostgreSQL would refuse
// them in a query with an error the client must not see.
func CleanInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, s := range []string{r.URL.Path, r.URL.RawQuery} {
			if !cleanText(s) {
				WriteProblem(w, r, shieldwall.Errorf(shieldwall.EINVALID, "The address holds characters that are not allowed."))
				return
			}
		}
		// Most requests have no query, and parsing even an empty one allocates.
		if r.URL.RawQuery != "" {
			if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
				for k, vs := range q {
					if !cleanText(k) {
						WriteProblem(w, r, shieldwall.Errorf(shieldwall.EINVALID, "The address holds characters that are not allowed."))
						return
					}
					for _, v := range vs {
						if !cleanText(v) {
							WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, k, "%s holds characters that are not allowed.", k))
							return
						}
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush for server-sent events.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Metrics holds the HTTP metrics.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series caches each pattern's and status's counter and histogram: a
	// label lookup hashes the values and takes a lock on every request.
	series sync.Map // seriesKey → *series
}

type seriesKey struct {
	pattern string
	status  int
}

type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// observe counts one request and its duration.
func (m *Metrics) observe(pattern string, status int, d time.Duration) {
	k := seriesKey{pattern, status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, &series{
			requests: m.requests.WithLabelValues(pattern, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(pattern),
		})
	}
	sr := v.(*series)
	sr.requests.Inc()
	sr.duration.Observe(d.Seconds())
}

// NewMetrics registers the HTTP metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shieldwall_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"pattern", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "shieldwall_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"pattern"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Observe logs and measures each request and turns a panic into a 500.
// It never logs the client's address, cookies or query string: anonymous
// reporters must not be traceable through the logs.
func Observe(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "method", r.Method, "pattern", r.Pattern, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					WriteProblem(sw, r, shieldwall.Errorf(shieldwall.EINTERNAL, "panic"))
				}
			}
			pattern := r.Pattern
			if pattern == "" {
				pattern = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			m.observe(pattern, status, d)
			level := slog.LevelDebug
			if status >= 500 {
				level = slog.LevelError
			}
			// Checked first: building the record's attributes costs
			// allocations even when the level is off, as it usually is.
			if log.Enabled(r.Context(), level) {
				log.Log(r.Context(), level, "request", "method", r.Method, "pattern", pattern, "status", status, "duration_ms", float64(d.Microseconds())/1000)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}
