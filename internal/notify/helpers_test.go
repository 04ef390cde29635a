package notify_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// clock is a controllable time source: tests move it, never sleep.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// useClock makes the store's transactions record the clock's time.
func useClock(st *store.Store, c *clock) { st.Now = c.Now }

func mustInTx(t testing.TB, st *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := st.InTx(t.Context(), fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// people is a small organisation: an administrator and three others.
type people struct {
	admin, alice, bob, carol shieldwall.User
}

func mustPeople(t testing.TB, st *store.Store) people {
	t.Helper()
	d := shieldwall.Department{ID: store.NewID(), Name: "Finance", Slug: "finance"}
	var p people
	mustInTx(t, st, func(tx *store.Tx) error {
		d.CreatedAt, d.UpdatedAt = tx.Now, tx.Now
		if err := tx.CreateDepartment(t.Context(), &d); err != nil {
			return err
		}
		for _, u := range []struct {
			to          *shieldwall.User
			email, name string
			role        shieldwall.Role
		}{{&p.admin, "admin@example.com", "Ada Admin", shieldwall.RoleAdmin}, {&p.alice, "alice@example.com", "Alice", shieldwall.RoleMember},
			{&p.bob, "bob@example.com", "Bob", shieldwall.RoleSecurity}, {&p.carol, "carol@example.com", "Carol", shieldwall.RoleSecurity}} {
			*u.to = shieldwall.User{ID: store.NewID(), Email: u.email, Name: u.name, Role: u.role, DepartmentID: d.ID, Active: true, CreatedAt: tx.Now, UpdatedAt: tx.Now}
			if err := tx.CreateUser(t.Context(), u.to, ""); err != nil {
				return err
			}
		}
		return nil
	})
	return p
}

// notifyUser writes one notification, as a service would, and returns it.
func notifyUser(t testing.TB, st *store.Store, n shieldwall.Notification) shieldwall.Notification {
	t.Helper()
	if n.Kind == "" {
		n.Kind = shieldwall.NotifyReportAnswered
	}
	if n.Title == "" {
		n.Title = "Security answered your report"
	}
	mustInTx(t, st, func(tx *store.Tx) error { return tx.AddNotification(t.Context(), &n) })
	return n
}

// received is one request a webhook receiver got.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is a real HTTP server on loopback that answers with whatever
// status the test sets and remembers what it got.
type receiver struct {
	*httptest.Server
	mu         sync.Mutex
	got        []received
	status     int
	retryAfter string
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{status: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{Header: req.Header.Clone(), Body: body})
		status, ra := r.status, r.retryAfter
		r.mu.Unlock()
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) answer(status int, retryAfter string) {
	r.mu.Lock()
	r.status, r.retryAfter = status, retryAfter
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// mailbox is a real SMTP server on loopback (go-smtp) that keeps every message.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []mailMsg
	// refuse, when set, is the error every RCPT gets.
	refuse *smtp.SMTPError
}

type mailMsg struct {
	From string
	To   []string
	Data []byte
}

func newMailbox(t testing.TB) *mailbox {
	m := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *mailbox) messages() []mailMsg {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMsg(nil), m.msgs...)
}

type mailSession struct {
	m   *mailbox
	cur mailMsg
}

func (s *mailSession) AuthMechanisms() []string { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = mailMsg{From: from}
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.mu.Lock()
	refuse := s.m.refuse
	s.m.mu.Unlock()
	if refuse != nil {
		return refuse
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s.cur.Data = b.Bytes()
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, s.cur)
	s.m.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

// header returns one header of a raw message, unfolded.
func header(raw []byte, name string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	head = strings.ReplaceAll(head, "\n ", " ")
	for _, line := range strings.Split(head, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func errField(err error) string { return shieldwall.ErrorField(err) }
