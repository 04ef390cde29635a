// Package server assembles Shieldwall's HTTP handler from its parts and
// runs it: database, schema check, first-run set-up, graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/api"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/mailtriage"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/playbook"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/response"
	"github.com/shieldwall/shieldwall/internal/smtpd"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/web"
)

// Version is the build's version, set with -ldflags "-X ...server.Version=…".
var Version = "dev"

// Server is the assembled application.
type Server struct {
	Store    *store.Store
	Accounts *accounts.Service
	Intake   *intake.Service
	Response *response.Service
	Router   *httpx.Router
	Registry *prometheus.Registry
	// Handler is the Router wrapped in the middleware every request passes.
	Handler http.Handler
}

// Option changes how New assembles the application.
type Option func(*options)

type options struct {
	playbooks []*playbook.Playbook
	holidays  []clocks.Date
	triage    mailtriage.Options
	noBatch   bool
	noStore   bool
	proxies   []netip.Prefix
}

// WithTrustedProxies names the reverse proxies whose X-Forwarded-For and
// X-Forwarded-Proto headers are believed.
func WithTrustedProxies(p []netip.Prefix) Option { return func(o *options) { o.proxies = p } }

// WithPlaybooks sets the playbooks cases follow: the built-in library plus
// any loaded from the configured folder.
func WithPlaybooks(p []*playbook.Playbook) Option { return func(o *options) { o.playbooks = p } }

// WithHolidays sets extra non-business days for clocks counted in business days.
func WithHolidays(d []clocks.Date) Option { return func(o *options) { o.holidays = d } }

// WithTriage sets the organisation's email-triage settings: its own
// domains, and how its phishing simulations are recognised.
func WithTriage(t mailtriage.Options) Option { return func(o *options) { o.triage = t } }

// WithNoBatch commits every report on its own; the intake benchmark's naive run.
func WithNoBatch(noBatch bool) Option { return func(o *options) { o.noBatch = noBatch } }

// WithNoStore answers reports without storing them: only the intake
// benchmark's diagnostic run uses it (see intake.Config.NoStore).
func WithNoStore(noStore bool) Option { return func(o *options) { o.noStore = noStore } }

// New assembles the application over an open, current store. Close it to
// flush what is queued.
func New(st *store.Store, log *slog.Logger, opts ...Option) *Server {
	var o options
	for _, f := range opts {
		f(&o)
	}
	s := &Server{Store: st, Accounts: accounts.New(st), Registry: prometheus.NewRegistry()}
	s.Intake = intake.New(st, intake.Config{Triage: o.triage, NoBatch: o.noBatch, NoStore: o.noStore})
	s.Response = response.New(st, response.Config{Playbooks: o.playbooks, Holidays: o.holidays})
	s.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "shieldwall_build_info", Help: "Build version and database dialect."}, []string{"version", "dialect"})
	info.WithLabelValues(Version, st.Dialect()).Set(1)
	s.Registry.MustRegister(info)
	metrics := httpx.NewMetrics(s.Registry)

	s.Router = httpx.NewRouter(s.Accounts)
	s.Router.Raw("GET /healthz", policy.Public, http.HandlerFunc(s.handleHealthz))
	s.Router.Raw("GET /readyz", policy.Public, http.HandlerFunc(s.handleReadyz))
	s.Router.Raw("GET /metrics", policy.Metrics, promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	api.Register(s.Router, s.Accounts, s.Intake, s.Response)
	web.Register(s.Router, s.Accounts, s.Intake, s.Response)

	// Cross-origin protection refuses unsafe requests that a browser marks
	// as coming from another site; the CSRF token in httpx is the second lock.
	cop := http.NewCrossOriginProtection()
	s.Handler = httpx.Observe(log, metrics, httpx.TrustProxies(o.proxies, httpx.SecurityHeaders(httpx.CleanInput(cop.Handler(s.Router)))))
	return s
}

// Close commits queued reports; call it after the HTTP server has stopped.
func (s *Server) Close() { s.Intake.Close() }

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		httpx.WriteProblem(w, r, shieldwall.Errorf(shieldwall.EUNAVAILABLE, "The database does not answer."))
		return
	}
	if err := s.Store.CheckSchema(ctx); err != nil {
		if shieldwall.ErrorCode(err) != shieldwall.EUNAVAILABLE {
			err = shieldwall.Errorf(shieldwall.EUNAVAILABLE, "The database schema cannot be read.")
		}
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": s.Store.Dialect()})
}

// every runs fn now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Config is what `shieldwall serve` needs.
type Config struct {
	Addr  string
	Store store.Config
	// Demo loads the demo organisation into an empty database.
	Demo bool
	// Triage holds the organisation's own domains and simulation markers.
	Triage mailtriage.Options
	// TrustedProxies are the reverse proxies in front (see WithTrustedProxies).
	TrustedProxies []netip.Prefix
	// Playbooks are the playbooks cases follow; nil means the built-in library.
	Playbooks []*playbook.Playbook
	// Holidays are extra non-business days for clocks counted in business days.
	Holidays []clocks.Date
	// SMTP configures the phishing mailbox; an empty SMTP.Addr runs none.
	SMTP smtpd.Config
	// Notify configures delivery of notifications beyond in-app.
	Notify NotifyConfig
	// Seed fills an empty database with demo data and returns what to print; set by cmd to avoid an import cycle.
	Seed func(ctx context.Context, s *Server) (string, error)
}

// NotifyConfig is the delivery worker's part of Config.
type NotifyConfig struct {
	// PublicURL is where people reach Shieldwall, for links in emails and
	// webhooks; default the listening address.
	PublicURL string
	// SMTP is the outgoing mail server; an empty Host sends no email (email
	// deliveries are then marked skipped, visibly).
	SMTP notify.SMTPConfig
	// Retry is the retry budget and backoff; zero fields take the defaults.
	Retry delivery.Policy
	// Lease is how long a claimed delivery stays with this process.
	Lease time.Duration
	// OnEscalate is told of each escalation step, inside its transaction.
	OnEscalate notify.EscalationHook
}

// OpenStore opens the database for serving: an empty database is
// initialised, an out-of-date one is refused with the command that fixes it.
func OpenStore(ctx context.Context, cfg store.Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	empty, err := st.Empty(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if empty {
		// A brand-new database has nothing to upgrade: creating the schema is set-up, not migration.
		if _, err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, err
		}
		log.Info("initialised a new database", "dialect", st.Dialect())
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// Run serves until ctx ends, then shuts down gracefully. It writes what an
// operator must see (demo passwords, the set-up link) to out.
func Run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	start := time.Now()
	st, err := OpenStore(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	defer st.Close()
	s := New(st, log, WithTriage(cfg.Triage), WithTrustedProxies(cfg.TrustedProxies), WithPlaybooks(cfg.Playbooks), WithHolidays(cfg.Holidays))
	defer s.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := "http://" + ln.Addr().String()

	needsSetup, err := s.Accounts.NeedsSetup(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	if needsSetup && cfg.Demo && cfg.Seed != nil {
		msg, err := cfg.Seed(ctx, s)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load demo organisation: %w", err)
		}
		fmt.Fprint(out, msg)
		needsSetup = false
	} else if cfg.Demo {
		log.Info("the database already has people; the demo organisation is loaded only into an empty database")
	}
	if needsSetup {
		token, err := s.Accounts.StartSetup(ctx)
		if err != nil {
			ln.Close()
			return err
		}
		fmt.Fprintf(out, "\nNobody has an account yet. Open this one-time link to create the administrator:\n\n    %s/setup?token=%s\n\n", base, token)
	}

	srv := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      0, // server-sent events stay open; handlers bound their own work
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(s.Response.Hub().CloseAll)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	// Clocks and due tasks escalate from a sweep every minute; a claim in
	// the database keeps replicas from escalating the same thing twice.
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go every(sweepCtx, time.Minute, func(ctx context.Context) {
		if _, err := s.Response.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Error("escalation sweep failed", "err", err)
		}
	})
	// Evidence that expired or expires within 30 days reminds its owner
	// department, each item once, however many replicas run this.
	go every(sweepCtx, time.Hour, func(ctx context.Context) {
		if _, err := govern.New(st).RemindExpiringEvidence(ctx, shieldwall.SystemActor("evidence reminders")); err != nil && ctx.Err() == nil {
			log.Error("evidence reminders failed", "err", err)
		}
	})
	// On PostgreSQL, timeline entries written by other replicas reach this one's live pages.
	go s.Response.Listen(sweepCtx, nil, func(err error) {
		log.Warn("listening for other replicas' timeline entries failed; retrying", "err", err)
	})

	var mailbox *smtpd.Server
	if cfg.SMTP.Addr != "" {
		mln, err := net.Listen("tcp", cfg.SMTP.Addr)
		if err != nil {
			srv.Close()
			return fmt.Errorf("listen for SMTP on %s: %w", cfg.SMTP.Addr, err)
		}
		mailbox = smtpd.New(cfg.SMTP, s.submitEmail(log), log)
		// Runs before the deferred s.Close: no message is handed to intake
		// after its queue has been flushed.
		defer mailbox.Close()
		go func() {
			if err := mailbox.Serve(mln); !errors.Is(err, smtpd.ErrServerClosed) {
				errc <- fmt.Errorf("smtp: %w", err)
			}
		}()
		log.Info("the phishing mailbox is listening", "smtp", mln.Addr().String())
	}
	var mailer notify.Mailer
	if cfg.Notify.SMTP.Host != "" {
		m, err := notify.NewSMTPMailer(cfg.Notify.SMTP)
		if err != nil {
			srv.Close()
			return err
		}
		mailer = m
		// Never the password: only where mail goes and as whom.
		log.Info("notification email is on", "smtp_host", cfg.Notify.SMTP.Host, "smtp_tls", cfg.Notify.SMTP.TLS, "smtp_user", cfg.Notify.SMTP.User, "from", cfg.Notify.SMTP.From)
	} else {
		log.Info("notification email is off (no --smtp-out-host): email deliveries are marked skipped")
	}
	public := cfg.Notify.PublicURL
	if public == "" {
		public = base
	}
	// Escalations of a case's messages go on the case timeline.
	onEscalate := cfg.Notify.OnEscalate
	if onEscalate == nil {
		onEscalate = s.Response.OnEscalate
	}
	worker := notify.NewWorker(st, notify.WorkerConfig{Policy: cfg.Notify.Retry, Lease: cfg.Notify.Lease, Mailer: mailer,
		BaseURL: public, Log: log, OnEscalate: onEscalate})
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		_ = worker.Run(workerCtx)
	}()
	// Runs before the store closes: sends in flight are recorded first.
	defer func() { stopWorker(); <-workerDone }()

	log.Info("shieldwall is serving", "url", base, "database", st.Dialect(), "version", Version, "startup_ms", time.Since(start).Milliseconds())

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) && serveErr == nil {
		serveErr = fmt.Errorf("shutdown: %w", err)
	}
	if mailbox != nil {
		// Messages being received are finished and stored; idle relays get 421.
		if err := mailbox.Shutdown(shutdownCtx); err != nil && serveErr == nil {
			serveErr = fmt.Errorf("smtp shutdown: %w", err)
		}
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// submitEmail hands a message from the phishing mailbox to intake.
func (s *Server) submitEmail(log *slog.Logger) smtpd.SubmitFunc {
	return func(ctx context.Context, raw []byte, envelopeFrom string) error {
		r, err := s.Intake.SubmitEmail(ctx, raw, envelopeFrom)
		if err == nil {
			log.Debug("smtp: report stored", "report", r.ID, "campaign", r.CampaignID, "simulation", r.Simulation)
		}
		return err
	}
}
