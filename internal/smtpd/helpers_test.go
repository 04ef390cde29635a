package smtpd_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/mailtriage"
	"github.com/shieldwall/shieldwall/internal/smtpd"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// cli is the operator who sets up each test's people.
var cli = shieldwall.SystemActor("test")

// triageOptions are the organisation's settings in these tests.
var triageOptions = mailtriage.Options{OwnDomains: []string{"acmecorp.com"}}

// env is a real intake service over a real database with the phishing
// mailbox listening on loopback in front of it.
type env struct {
	dialect string
	cfg     store.Config
	st      *store.Store
	intake  *intake.Service
	acc     *accounts.Service
	addr    string
	mailbox *smtpd.Server
	log     *syncBuffer
	// security decides campaigns.
	security shieldwall.Actor
}

// each runs fn once per database dialect with a fresh mailbox.
func each(t *testing.T, cfg smtpd.Config, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, newEnv(t, d, cfg)) })
	}
}

func newEnv(t *testing.T, dialect string, cfg smtpd.Config) *env {
	t.Helper()
	dbcfg := testdb.Config(t, dialect)
	st := openStore(t, dbcfg)
	e := &env{dialect: dialect, cfg: dbcfg, st: st, acc: accounts.New(st), log: &syncBuffer{}}
	e.intake = intake.New(st, intake.Config{Triage: triageOptions})
	t.Cleanup(e.intake.Close) // after the mailbox has closed: cleanups run last-registered first
	e.mailbox, e.addr = startMailbox(t, cfg, e.intake, e.log)
	sec := e.mustUser(t, "sec@acmecorp.com", "Sec Analyst", shieldwall.RoleSecurity, "Security")
	e.security = actorOf(sec)
	return e
}

// openStore opens and migrates the database at cfg and closes it when the test ends.
func openStore(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// startMailbox serves the mailbox on a loopback port in front of svc.
func startMailbox(t *testing.T, cfg smtpd.Config, svc *intake.Service, logw *syncBuffer) (*smtpd.Server, string) {
	t.Helper()
	if cfg.Domain == "" {
		cfg.Domain = "mailbox.test"
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := smtpd.New(cfg, func(ctx context.Context, raw []byte, from string) error {
		_, err := svc.SubmitEmail(ctx, raw, from)
		return err
	}, log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != smtpd.ErrServerClosed {
			t.Errorf("Serve() = %v; want ErrServerClosed", err)
		}
	})
	return srv, ln.Addr().String()
}

func (e *env) mustUser(t *testing.T, email, name string, role shieldwall.Role, dept string) shieldwall.User {
	t.Helper()
	u, err := e.acc.CreateUser(context.Background(), cli, shieldwall.UserInput{Email: email, Name: name, Role: role, Department: dept},
		accounts.CreateUserOptions{CreateDepartment: true})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func actorOf(u shieldwall.User) shieldwall.Actor {
	return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
}

// reports lists every report, newest first, as the security team sees them.
func (e *env) reports(t *testing.T) []shieldwall.Report {
	t.Helper()
	items, _, err := e.intake.List(context.Background(), e.security, shieldwall.ReportFilter{Page: shieldwall.Page{Limit: 100}})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return items
}

// full returns a report with its indicators, files and messages.
func (e *env) full(t *testing.T, id string) shieldwall.Report {
	t.Helper()
	r, err := e.intake.Get(context.Background(), e.security, id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return r
}

// reply is one SMTP answer.
type reply struct {
	code int
	msg  string
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.code, r.msg) }

// client speaks SMTP line by line, so that every answer can be checked.
type client struct {
	t    *testing.T
	conn net.Conn
	tp   *textproto.Conn
}

// dial connects and reads the greeting.
func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	_ = nc.SetDeadline(time.Now().Add(60 * time.Second))
	c := &client{t: t, conn: nc, tp: textproto.NewConn(nc)}
	t.Cleanup(func() { c.tp.Close() })
	if r := c.read(); r.code != 220 {
		t.Fatalf("greeting = %v; want 220", r)
	}
	return c
}

func (c *client) read() reply {
	c.t.Helper()
	code, msg, err := c.tp.ReadResponse(0)
	if err != nil && code == 0 {
		c.t.Fatalf("read answer: %v", err)
	}
	return reply{code, msg}
}

// cmd sends one command line and returns the answer.
func (c *client) cmd(format string, args ...any) reply {
	c.t.Helper()
	if err := c.tp.PrintfLine(format, args...); err != nil {
		c.t.Fatalf("send %q: %v", fmt.Sprintf(format, args...), err)
	}
	return c.read()
}

// quit says goodbye if the connection is still open.
func (c *client) quit() {
	if c.tp.PrintfLine("QUIT") == nil {
		_, _, _ = c.tp.ReadResponse(0)
	}
}

// data sends DATA and the message, dot-stuffed, and returns the final answer.
func (c *client) data(raw []byte) reply {
	c.t.Helper()
	if r := c.cmd("DATA"); r.code != 354 {
		return r
	}
	w := c.tp.DotWriter()
	if _, err := w.Write(raw); err != nil {
		c.t.Fatalf("write message: %v", err)
	}
	if err := w.Close(); err != nil {
		c.t.Fatalf("end message: %v", err)
	}
	return c.read()
}

// send delivers one message and returns the first answer that is not a
// success, or the answer to the message.
func send(t *testing.T, addr, from string, to []string, raw []byte) reply {
	t.Helper()
	c := dial(t, addr)
	defer c.quit()
	if r := c.cmd("EHLO relay.acmecorp.com"); r.code != 250 {
		return r
	}
	if r := c.cmd("MAIL FROM:<%s>", from); r.code != 250 {
		return r
	}
	for _, rc := range to {
		if r := c.cmd("RCPT TO:<%s>", rc); r.code != 250 {
			return r
		}
	}
	return c.data(raw)
}

// mustSend delivers one message and fails unless it is answered 250.
func mustSend(t *testing.T, addr, from string, raw []byte) {
	t.Helper()
	if r := send(t, addr, from, []string{reportAddress}, raw); r.code != 250 {
		t.Fatalf("delivery from %s answered %v; want 250", from, r)
	}
}

const reportAddress = "report-phishing@acmecorp.com"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "mailtriage", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// crlf gives a message the line endings it has after an SMTP transfer.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// forward wraps an original message the way "forward as attachment" does.
func forward(from, note string, original []byte) []byte {
	return []byte(strings.Join([]string{
		"From: " + from,
		"To: " + reportAddress,
		"Subject: FW: suspicious",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="fwd-boundary"`,
		"",
		"--fwd-boundary",
		"Content-Type: text/plain; charset=utf-8",
		"",
		note,
		"",
		"--fwd-boundary",
		"Content-Type: message/rfc822",
		`Content-Disposition: attachment; filename="original.eml"`,
		"",
		strings.TrimRight(string(crlf(original)), "\r\n"),
		"",
		"--fwd-boundary--",
		"",
	}, "\r\n"))
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer = testdb.LogBuffer
