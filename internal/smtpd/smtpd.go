// Package smtpd is the phishing mailbox: an SMTP listener that takes the
// mails the organisation's mail server forwards to the report address
// ("report-phishing@…") and files each one as a report.
//
// It is meant for an internal relay, not for the internet: it offers no
// AUTH and no STARTTLS, so bind it to loopback or an internal interface
// (serve --smtp-addr 127.0.0.1:2525) and let only the mail server reach it. A message is answered 250 only after the report is durably
// stored; every failure gets an SMTP code that tells the relay whether to
// retry (4xx) or to bounce (5xx).
package smtpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/shieldwall/shieldwall"
)

// Defaults for the zero fields of Config.
const (
	// DefaultMaxMessageBytes is the size limit of one message; it equals
	// intake.MaxEmail, the largest mail intake stores.
	DefaultMaxMessageBytes = 25 << 20
	DefaultMaxRecipients   = 10
	// DefaultMaxConnections bounds memory: each connection may hold one
	// message of up to DefaultMaxMessageBytes while it is filed. A relay
	// queues and retries when the mailbox answers 421.
	DefaultMaxConnections = 8
	DefaultReadTimeout    = 2 * time.Minute
	DefaultWriteTimeout   = time.Minute
	// DefaultSubmitTimeout bounds the wait for a slot in the intake queue;
	// a message already queued is always waited for.
	DefaultSubmitTimeout = 2 * time.Minute
	// maxLineLength is far above RFC 5322's 998 characters: a reporter's
	// forward should not be refused over a long line of HTML.
	maxLineLength = 64 << 10
)

// Config configures the listener.
type Config struct {
	// Addr is the address to listen on, e.g. 127.0.0.1:2525. Use loopback or
	// an internal interface: the listener trusts whoever can connect.
	Addr string
	// Domain is the host name in the greeting; empty means the machine's.
	Domain string
	// MaxMessageBytes limits one message (default DefaultMaxMessageBytes).
	MaxMessageBytes int64
	// AllowedRecipients are the addresses reports are sent to
	// (report-phishing@example.com; a +tag is ignored). When empty, any
	// recipient at one of AcceptDomains is accepted; when both are empty,
	// any recipient is.
	AllowedRecipients []string
	// AcceptDomains are the recipient domains accepted when
	// AllowedRecipients is empty.
	AcceptDomains []string
	// MaxRecipients limits RCPT TO commands per message (default 10).
	MaxRecipients int
	// MaxConnections limits simultaneous connections (default 32); each may
	// hold a whole message in memory.
	MaxConnections int
	// ReadTimeout is how long the listener waits for the client, between
	// commands and between chunks of a message (default 2 minutes).
	ReadTimeout time.Duration
	// WriteTimeout bounds each answer (default 1 minute).
	WriteTimeout time.Duration
	// SubmitTimeout bounds the wait to hand a message to intake (default 2 minutes).
	SubmitTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Domain == "" {
		c.Domain, _ = os.Hostname()
		if c.Domain == "" {
			c.Domain = "shieldwall"
		}
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = DefaultMaxRecipients
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.SubmitTimeout <= 0 {
		c.SubmitTimeout = DefaultSubmitTimeout
	}
	return c
}

// SubmitFunc stores one reported message; envelopeFrom is the SMTP MAIL
// FROM address ("" for the null sender). It returns nil only once the
// report is durable. intake.Service.SubmitEmail is the real one.
type SubmitFunc func(ctx context.Context, raw []byte, envelopeFrom string) error

// Server is the phishing mailbox listener.
type Server struct {
	cfg     Config
	submit  SubmitFunc
	log     *slog.Logger
	smtp    *smtp.Server
	allowed map[string]bool
	domains map[string]bool

	// ctx ends with Close: submissions not yet queued are abandoned.
	ctx    context.Context
	cancel context.CancelFunc

	closing   atomic.Bool
	mu        sync.Mutex // guards conns and listeners, and orders closing with Serve
	conns     map[*conn]struct{}
	listeners []*listener
}

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("smtpd: server closed")

// SMTP answers; each says what went wrong and whether to retry.
var (
	errUnknownRecipient = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such mailbox here: this server only takes reports for its report address"}
	errShuttingDown = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2},
		Message: "Service shutting down, try again later"}
	errTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "The report cannot be stored right now; try again later"}
	errLongLine = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: fmt.Sprintf("A line of the message is longer than %d bytes", maxLineLength)}
)

func errTooLarge(max int64) *smtp.SMTPError {
	return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
		Message: fmt.Sprintf("The message is larger than the limit of %d bytes", max)}
}

// New returns a listener that hands each accepted message to submit.
func New(cfg Config, submit SubmitFunc, log *slog.Logger) *Server {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, submit: submit, log: log, allowed: map[string]bool{}, domains: map[string]bool{},
		conns: map[*conn]struct{}{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, a := range cfg.AllowedRecipients {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			s.allowed[a] = true
		}
	}
	for _, d := range cfg.AcceptDomains {
		if d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@"); d != "" {
			s.domains[d] = true
		}
	}
	be := smtp.BackendFunc(s.newSession)
	s.smtp = smtp.NewServer(be)
	s.smtp.Addr = cfg.Addr
	s.smtp.Domain = cfg.Domain
	// go-smtp stops reading at exactly MaxMessageBytes, before the end
	// marker, so a message of exactly the limit would be refused: give it
	// one byte of room and check the limit in Data.
	s.smtp.MaxMessageBytes = cfg.MaxMessageBytes + 1
	s.smtp.MaxRecipients = cfg.MaxRecipients
	s.smtp.MaxLineLength = maxLineLength
	s.smtp.ReadTimeout = cfg.ReadTimeout
	s.smtp.WriteTimeout = cfg.WriteTimeout
	s.smtp.ErrorLog = logAdapter{log}
	// The message is stored as bytes, whatever its encoding: refusing a
	// relay's SMTPUTF8 would bounce a colleague's report for nothing.
	s.smtp.EnableSMTPUTF8 = true
	return s
}

// ListenAndServe listens on cfg.Addr and serves until Close or Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtpd: listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Close or Shutdown, then returns
// ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	l := &listener{Listener: ln, s: s}
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	err := s.smtp.Serve(l)
	if err == nil || s.closing.Load() {
		return ErrServerClosed
	}
	return err
}

// stop marks the server closing and closes its listeners; wakeIdle also
// interrupts the reads of idle connections.
func (s *Server) stop(wakeIdle bool) {
	s.mu.Lock()
	s.closing.Store(true)
	lns := s.listeners
	if wakeIdle {
		for c := range s.conns {
			c.wake()
		}
	}
	s.mu.Unlock()
	// Closed here too, not only by go-smtp: a Serve that had not yet
	// handed its listener to go-smtp would otherwise accept forever.
	for _, l := range lns {
		_ = l.Close()
	}
}

// Shutdown stops accepting connections, lets messages being received or
// stored finish, answers idle connections 421 and closes them, and waits
// until all are gone or ctx ends (then it closes what is left).
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop(true)
	err := s.smtp.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		_ = s.smtp.Close()
	}
	s.cancel()
	return err
}

// Close closes the listener and every connection at once. A message cut
// off has not been answered 250, so the relay sends it again.
func (s *Server) Close() error {
	s.stop(false)
	s.cancel()
	err := s.smtp.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// accepts reports whether rcpt is an address this mailbox takes.
func (s *Server) accepts(rcpt string) bool {
	if len(s.allowed) == 0 && len(s.domains) == 0 {
		return true
	}
	addr := strings.ToLower(strings.TrimSpace(rcpt))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return false
	}
	local, domain := addr[:at], addr[at+1:]
	if len(s.allowed) > 0 {
		// report-phishing+outlook@ is report-phishing@ with a tag.
		if plus := strings.IndexByte(local, '+'); plus > 0 && s.allowed[local[:plus]+"@"+domain] {
			return true
		}
		return s.allowed[addr]
	}
	return s.domains[domain]
}

// answer turns the outcome of submit into the SMTP reply.
func (s *Server) answer(err error, size int, took time.Duration) error {
	if err == nil {
		s.log.Info("smtp: report received", "bytes", size, "duration_ms", took.Milliseconds())
		return nil
	}
	switch shieldwall.ErrorCode(err) {
	case shieldwall.ETOOLARGE:
		s.log.Info("smtp: message refused: too large", "bytes", size)
		return errTooLarge(s.cfg.MaxMessageBytes)
	case shieldwall.EINVALID:
		// Sending the same bytes again cannot help: bounce, and say why.
		s.log.Warn("smtp: message refused: it cannot be stored", "bytes", size, "reason", shieldwall.ErrorMessage(err))
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message: "The message cannot be stored as a report: " + oneLine(shieldwall.ErrorMessage(err))}
	}
	// The database is down, busy or shutting down: the relay keeps the
	// message and tries again later, so nothing is lost.
	s.log.Error("smtp: report not stored; the relay will retry", "bytes", size, "err", err)
	return errTemporary
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	if s.closing.Load() {
		return nil, errShuttingDown
	}
	own, _ := c.Conn().(*conn)
	return &session{s: s, c: own}, nil
}

// session is one SMTP connection's state.
type session struct {
	s    *Server
	c    *conn // nil only if go-smtp ever hands over a connection it did not get from our listener
	from string
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !ss.s.accepts(to) {
		// The mailbox's own address, not a person's: safe to log when debugging a relay.
		ss.s.log.Debug("smtp: recipient refused", "rcpt", to)
		return errUnknownRecipient
	}
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.setBusy(true) // cleared by Reset, after the answer is written
	start := time.Now()
	raw, err := io.ReadAll(r)
	switch {
	case errors.Is(err, smtp.ErrDataTooLarge) || int64(len(raw)) > ss.s.cfg.MaxMessageBytes:
		ss.s.log.Info("smtp: message refused: too large", "bytes", len(raw))
		return errTooLarge(ss.s.cfg.MaxMessageBytes)
	case errors.Is(err, smtp.ErrTooLongLine):
		return errLongLine
	case err != nil:
		return err // the connection broke; nothing to answer
	}
	ctx, cancel := context.WithTimeout(ss.s.ctx, ss.s.cfg.SubmitTimeout)
	defer cancel()
	return ss.s.answer(ss.s.submit(ctx, raw, ss.from), len(raw), time.Since(start))
}

func (ss *session) Reset() {
	ss.from = ""
	ss.setBusy(false)
}

func (ss *session) Logout() error {
	ss.setBusy(false)
	return nil
}

func (ss *session) setBusy(b bool) {
	if ss.c != nil {
		ss.c.busy.Store(b)
	}
}

// listener counts connections and wraps each so that Shutdown can reach it.
type listener struct {
	net.Listener
	s    *Server
	once sync.Once
}

// Close closes the listener once; later calls return nil.
func (l *listener) Close() error {
	err := error(nil)
	l.once.Do(func() { err = l.Listener.Close() })
	return err
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		c := &conn{Conn: nc, s: l.s}
		l.s.mu.Lock()
		full := len(l.s.conns) >= l.s.cfg.MaxConnections
		if !full {
			l.s.conns[c] = struct{}{}
		}
		l.s.mu.Unlock()
		if full {
			_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = fmt.Fprintf(nc, "421 4.7.0 %s Too many connections, try again later\r\n", l.s.cfg.Domain)
			nc.Close()
			continue
		}
		return c, nil
	}
}

// conn is one client connection. While the server shuts down, a read on an
// idle connection answers 421 and ends it; a connection in the middle of a
// message (busy) is left to finish.
type conn struct {
	net.Conn
	s      *Server
	busy   atomic.Bool
	closed atomic.Bool
}

// aLongTimeAgo is a read deadline that wakes a blocked read at once.
var aLongTimeAgo = time.Unix(1, 0)

// wake interrupts a read blocked on an idle connection.
func (c *conn) wake() { _ = c.Conn.SetReadDeadline(aLongTimeAgo) }

func (c *conn) Read(b []byte) (int, error) {
	for {
		busy := c.busy.Load()
		if c.s.closing.Load() && !busy {
			// Runs on the connection's own goroutine, which is the only
			// writer, so the line cannot interleave with another answer.
			_ = c.Conn.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			_, _ = fmt.Fprintf(c.Conn, "%d %d.%d.%d %s %s\r\n", errShuttingDown.Code, errShuttingDown.EnhancedCode[0],
				errShuttingDown.EnhancedCode[1], errShuttingDown.EnhancedCode[2], c.s.cfg.Domain, errShuttingDown.Message)
			return 0, io.EOF
		}
		if busy {
			// Inside a message ReadTimeout is the longest silence, not the
			// longest message; this also undoes wake if it came too late.
			_ = c.Conn.SetReadDeadline(time.Now().Add(c.s.cfg.ReadTimeout))
		}
		n, err := c.Conn.Read(b)
		var ne net.Error
		if n == 0 && errors.As(err, &ne) && ne.Timeout() && c.s.closing.Load() {
			continue // woken by Shutdown: answer 421 or go on with the message
		}
		return n, err
	}
}

func (c *conn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.mu.Unlock()
	}
	return c.Conn.Close()
}

// logAdapter sends go-smtp's own error log to slog.
type logAdapter struct{ log *slog.Logger }

func (l logAdapter) Printf(format string, v ...any) {
	l.log.Warn("smtp: " + strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (l logAdapter) Println(v ...any) {
	l.log.Warn("smtp: " + strings.TrimSpace(fmt.Sprintln(v...)))
}
