// Command shieldwall is the one binary: it serves the product and manages
// its database, people, tokens and audit chain from the command line.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/audit"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/demo"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/mailtriage"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/playbook"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/smtpd"
	"github.com/shieldwall/shieldwall/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Shieldwall — the security workspace the whole organisation shares.

Usage:
  shieldwall serve         run the web application and API
  shieldwall migrate       bring the database schema up to date
  shieldwall user add      add a person (and their department if it is new)
  shieldwall token create  create an API token and print it
  shieldwall audit verify  check the audit chain; exit 1 at the first broken event
  shieldwall bench intake  measure report intake beside a bare net/http baseline
  shieldwall bench cases   measure case pages, lists and live timelines on 100,000 cases
  shieldwall version       print the version

Every command takes --db FILE (SQLite, the default: shieldwall.db) or
--database-url URL (PostgreSQL). Flags may also be set in the environment as
SHIELDWALL_<FLAG>, for example SHIELDWALL_DATABASE_URL, or in a settings file
given with --config FILE ("name = value" lines); flags win over the
environment, which wins over the file.
Run 'shieldwall COMMAND --help' for the flags of a command.
`

// run is the whole program; tests call it like main does.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, rest := args[0], args[1:]
	// Two-word commands: user add, token create, audit verify.
	switch cmd {
	case "user", "token", "audit", "bench":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			fmt.Fprintf(stderr, "shieldwall %s: say what to do (see shieldwall --help)\n", cmd)
			return 2
		}
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "serve", "bench intake", "bench cases":
		// The benchmarks measure the server as it runs, collector included.
		server.TuneGC()
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, rest, stdout, stderr)
	case "user add":
		err = cmdUserAdd(ctx, rest, stdin, stdout, stderr)
	case "token create":
		err = cmdTokenCreate(ctx, rest, stdout, stderr)
	case "audit verify":
		err = cmdAuditVerify(ctx, rest, stdout, stderr)
	case "bench intake":
		err = cmdBenchIntake(ctx, rest, stdout, stderr)
	case "bench cases":
		err = cmdBenchCases(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, server.Version)
		return 0
	default:
		fmt.Fprintf(stderr, "shieldwall: unknown command %q (see shieldwall --help)\n", cmd)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	var brk *audit.BreakError
	if errors.As(err, &brk) {
		fmt.Fprintf(stderr, "audit chain BROKEN at seq %d: %s\n", brk.Seq, brk.Reason)
		fmt.Fprintln(stdout, brk.Seq)
		return 1
	}
	fmt.Fprintf(stderr, "shieldwall %s: %s\n", cmd, describe(err))
	return 1
}

// errUsage means the flags were wrong; flag has already said how.
var errUsage = errors.New("usage")

// describe turns an error into a sentence for the operator.
func describe(err error) string {
	var e *shieldwall.Error
	if errors.As(err, &e) {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return err.Error()
}

// flags is a FlagSet whose flags fall back to SHIELDWALL_* environment variables.
type flags struct {
	*flag.FlagSet
	db, databaseURL *string
}

func newFlags(name, summary string, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: shieldwall %s [flags]\n\n%s\n\nFlags (each also read from SHIELDWALL_<NAME>, e.g. SHIELDWALL_DATABASE_URL):\n", name, summary)
		fs.PrintDefaults()
	}
	f := &flags{FlagSet: fs}
	f.db = f.String("db", "shieldwall.db", "SQLite database file (used when --database-url is empty)")
	f.databaseURL = f.String("database-url", "", "PostgreSQL URL, e.g. postgres://user:pass@host:5432/shieldwall (overrides --db)")
	f.String("config", "", "`file` of settings, one \"name = value\" per line with the flag names (the environment and flags win over it)")
	return f
}

// maxConfigFile bounds a settings file; real ones are a few hundred bytes.
const maxConfigFile = 1 << 20

// readConfig reads a settings file: "name = value" lines, # comments.
func readConfig(path string) (map[string]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(fh, maxConfigFile))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want name = value", path, n)
		}
		out[strings.TrimSpace(name)] = strings.Trim(strings.TrimSpace(value), `"`)
	}
	return out, sc.Err()
}

// configPath finds --config on the command line, or SHIELDWALL_CONFIG.
func configPath(args []string) string {
	for i, a := range args {
		switch {
		case a == "--config" || a == "-config":
			if i+1 < len(args) {
				return args[i+1]
			}
		case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config="):
			return a[strings.Index(a, "=")+1:]
		}
	}
	return os.Getenv("SHIELDWALL_CONFIG")
}

// parse reads the settings file, then the environment, then the command
// line: each wins over the one before.
func (f *flags) parse(args []string) error {
	if path := configPath(args); path != "" {
		settings, err := readConfig(path)
		if err != nil {
			return shieldwall.Errorf(shieldwall.EINVALID, "settings file: %v", err)
		}
		for name, v := range settings {
			fl := f.Lookup(name)
			if fl == nil || name == "config" {
				return shieldwall.Errorf(shieldwall.EINVALID, "settings file %s: %q is not a setting of this command", path, name)
			}
			if err := fl.Value.Set(v); err != nil {
				return shieldwall.Errorf(shieldwall.EINVALID, "settings file %s: %s: %v", path, name, err)
			}
		}
	}
	var envErr error
	f.VisitAll(func(fl *flag.Flag) {
		env := "SHIELDWALL_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if r, ok := fl.Value.(resetter); ok {
				r.reset() // the environment's list replaces the file's
			}
			if err := fl.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s: %w", env, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	// A list given on the command line wins over the environment's, as every other flag does.
	cleared := map[string]bool{}
	for _, a := range args {
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		if fl := f.Lookup(name); fl != nil && !cleared[name] && strings.HasPrefix(a, "-") {
			if r, ok := fl.Value.(resetter); ok {
				r.reset()
				cleared[name] = true
			}
		}
	}
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if f.NArg() > 0 {
		fmt.Fprintf(f.Output(), "unexpected argument %q\n", f.Arg(0))
		f.Usage()
		return errUsage
	}
	return nil
}

func (f *flags) storeConfig() store.Config {
	return store.Config{Path: *f.db, URL: *f.databaseURL}
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "--log-level must be debug, info, warn or error")
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, shieldwall.Errorf(shieldwall.EINVALID, "--log-format must be text or json")
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("serve", "Run the web application and the API. An empty database is initialised;\nwithout --demo, a one-time set-up link for the first administrator is printed.", stderr)
	addr := f.String("addr", "127.0.0.1:8080", "address to listen on")
	withDemo := f.Bool("demo", false, "load the demo organisation into an empty database and print its sign-in accounts")
	logFormat := f.String("log-format", "text", "log format: text or json")
	logLevel := f.String("log-level", "info", "log level: debug, info, warn or error")
	smtpAddr := f.String("smtp-addr", "", "`address` of the phishing mailbox's SMTP listener, e.g. 127.0.0.1:2525 (empty: none);\nit has no authentication: use loopback or an internal interface only your mail server reaches")
	smtpDomain := f.String("smtp-domain", "", "`host` name the SMTP listener greets with (default: this machine's)")
	var smtpRecipients, ownDomains, simHeaders, simDomains listFlag
	f.Var(&smtpRecipients, "smtp-recipient", "`address` the mailbox accepts, e.g. report-phishing@example.com (repeat or comma-separate; empty: any)")
	f.Var(&ownDomains, "own-domains", "the organisation's own email `domains`, for spotting look-alike senders (comma-separated; --demo: northwind.example)")
	f.Var(&simHeaders, "simulation-headers", "`headers` that mark your own phishing tests, \"Name\" or \"Name: value\" (comma-separated). X-Gophish-Contact counts\n"+
		"with any value until you pin yours (\"X-Gophish-Contact: tests@example.com\"): a simulation is closed with thanks, so pin it\n"+
		"lest an attacker copy the header")
	f.Var(&simDomains, "simulation-domains", "sender `domains` of your phishing-test service (comma-separated)")
	playbookDir := f.String("playbooks", "", "`folder` of extra playbook YAML files (id.yaml; one with a built-in id replaces it); all are validated at start")
	var holidays listFlag
	f.Var(&holidays, "holidays", "extra non-business `dates` (YYYY-MM-DD, comma-separated) for clocks counted in business days")
	var proxies listFlag
	f.Var(&proxies, "trusted-proxy", "reverse proxy `addresses` or CIDRs whose X-Forwarded-For/-Proto are believed, e.g. 10.0.0.0/8\n(comma-separated; set it when TLS ends at a proxy, so cookies stay Secure)")
	publicURL := f.String("public-url", "", "`address` people reach Shieldwall at, for links in emails and webhooks, e.g. https://shieldwall.example.com (default: http://ADDR)")
	smtpOutHost := f.String("smtp-out-host", "", "outgoing mail server `host` for notification emails (empty: no email; the phishing mailbox is --smtp-addr)")
	smtpOutPort := f.Int("smtp-out-port", 0, "outgoing mail server `port` (default 587 for starttls, 465 for tls, 25 for none)")
	smtpOutTLS := f.String("smtp-out-tls", "starttls", "outgoing mail TLS `mode`: none, starttls or tls")
	smtpOutUser := f.String("smtp-out-user", "", "outgoing mail `user` name (empty: no authentication)")
	smtpOutPasswordFile := f.String("smtp-out-password-file", "", "`file` holding the outgoing mail password (or set SHIELDWALL_SMTP_OUT_PASSWORD); never a flag value")
	smtpOutFrom := f.String("smtp-out-from", "", "`address` notification emails come from, e.g. \"Shieldwall <security@example.com>\"")
	retryBase := f.Duration("delivery-retry-base", 0, "backoff ceiling after a delivery's first failure (default 30s); doubles up to --delivery-retry-max")
	retryMax := f.Duration("delivery-retry-max", 0, "longest wait between two delivery attempts (default 4h)")
	maxAttempts := f.Int("delivery-max-attempts", 0, "attempts per message before it is dead-lettered (default 12)")
	lease := f.Duration("delivery-lease", 0, "how long a claimed delivery stays with this process before another may take it over (default 2m)")
	if err := f.parse(args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	slog.SetDefault(log)
	smtpOut := notify.SMTPConfig{Host: *smtpOutHost, Port: *smtpOutPort, TLS: *smtpOutTLS, User: *smtpOutUser, From: *smtpOutFrom,
		Password: os.Getenv("SHIELDWALL_SMTP_OUT_PASSWORD")}
	if *smtpOutPasswordFile != "" {
		b, err := os.ReadFile(*smtpOutPasswordFile)
		if err != nil {
			return shieldwall.Errorf(shieldwall.EINVALID, "--smtp-out-password-file: %v", err)
		}
		smtpOut.Password = strings.TrimRight(string(b), "\r\n")
	}
	if smtpOut.Host != "" {
		if _, err := notify.NewSMTPMailer(smtpOut); err != nil {
			return shieldwall.Errorf(shieldwall.EINVALID, "--%s: %s", shieldwall.ErrorField(err), shieldwall.ErrorMessage(err))
		}
	}
	trusted, err := httpx.ParsePrefixes(proxies)
	if err != nil {
		return shieldwall.Errorf(shieldwall.EINVALID, "--trusted-proxy: %v", err)
	}
	playbooks := playbook.Library()
	if *playbookDir != "" {
		if playbooks, err = playbook.LoadDir(*playbookDir); err != nil {
			return shieldwall.Errorf(shieldwall.EINVALID, "--playbooks: %v", err)
		}
	}
	days, err := parseDates(holidays)
	if err != nil {
		return shieldwall.Errorf(shieldwall.EINVALID, "--holidays: %v", err)
	}
	triage := mailtriage.Options{OwnDomains: ownDomains, SimulationHeaders: simHeaders, SimulationDomains: simDomains}
	if *withDemo && len(triage.OwnDomains) == 0 {
		triage.OwnDomains = []string{demo.Domain}
	}
	return server.Run(ctx, server.Config{
		Addr: *addr, Store: f.storeConfig(), Demo: *withDemo, Triage: triage, TrustedProxies: trusted, Playbooks: playbooks, Holidays: days,
		SMTP: smtpd.Config{Addr: *smtpAddr, Domain: *smtpDomain, AllowedRecipients: smtpRecipients},
		Notify: server.NotifyConfig{PublicURL: *publicURL, SMTP: smtpOut, Lease: *lease,
			Retry: delivery.Policy{BaseDelay: *retryBase, MaxDelay: *retryMax, MaxAttempts: *maxAttempts}},
		Seed: func(ctx context.Context, s *server.Server) (string, error) {
			return demo.Load(ctx, s.Accounts, s.Intake, s.Response)
		},
	}, log, stdout)
}

// parseDates reads YYYY-MM-DD dates.
func parseDates(values []string) ([]clocks.Date, error) {
	var out []clocks.Date
	for _, v := range values {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", v)
		}
		out = append(out, clocks.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()})
	}
	return out, nil
}

// listFlag is a list flag that may be repeated and takes comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	return nil
}

// resetter is a flag whose command-line value replaces, not extends, the one
// from the environment.
type resetter interface{ reset() }

func (l *listFlag) reset() { *l = nil }

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("migrate", "Bring the database schema up to date. Each step runs in its own transaction.", stderr)
	if err := f.parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, f.storeConfig())
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	cur, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "schema is up to date (version %d)\n", cur)
	} else {
		fmt.Fprintf(stdout, "applied %d migration(s); schema is at version %d\n", len(applied), cur)
	}
	return nil
}

// openCurrent opens a database whose schema is current, for the management commands.
func openCurrent(ctx context.Context, f *flags) (*store.Store, error) {
	st, err := store.Open(ctx, f.storeConfig())
	if err != nil {
		return nil, err
	}
	if empty, err := st.Empty(ctx); err != nil {
		st.Close()
		return nil, err
	} else if empty {
		if _, err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func cmdUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	f := newFlags("user add", "Add a person. Their department is created when it does not exist yet.\nWithout --password-stdin a random password is generated and printed once.", stderr)
	email := f.String("email", "", "email address (required)")
	name := f.String("name", "", "full name (required)")
	title := f.String("title", "", "job title")
	dept := f.String("department", "", "department name, slug or id (required; created if new)")
	role := f.String("role", "member", "role: admin, security, champion, member or auditor")
	pwStdin := f.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := f.parse(args); err != nil {
		return err
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(io.LimitReader(stdin, auth.MaxPasswordLength+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return shieldwall.Errorf(shieldwall.EINVALID, "--password-stdin was given but standard input is empty")
		}
	} else {
		password = auth.NewSecret("")[:24]
	}
	st, err := openCurrent(ctx, f)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := accounts.New(st).CreateUser(ctx, shieldwall.SystemActor("cli"), shieldwall.UserInput{
		Email: *email, Name: *name, Title: *title, Department: *dept, Role: shieldwall.Role(*role), Password: password,
	}, accounts.CreateUserOptions{CreateDepartment: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s), %s in %s, id %s\n", u.Email, u.Name, u.Role, u.DepartmentName, u.ID)
	if !*pwStdin {
		fmt.Fprintf(stdout, "password (shown only now): %s\n", password)
	}
	return nil
}

func cmdTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("token create", "Create an API token for a person and print only the token on standard output.\nUse it as: Authorization: Bearer <token>.", stderr)
	email := f.String("email", "", "the person's email address (required)")
	name := f.String("name", "", "what the token is for, e.g. \"SIEM export\"")
	if err := f.parse(args); err != nil {
		return err
	}
	st, err := openCurrent(ctx, f)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, _, err := accounts.New(st).CreateToken(ctx, shieldwall.SystemActor("cli"), *email, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func cmdAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("audit verify", "Check the audit chain from the first event to the last. Exit status 0 when it is\nintact; 1 otherwise, printing the first broken sequence number on standard output.", stderr)
	if err := f.parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, f.storeConfig())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	n, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit chain intact: %d events\n", n)
	return nil
}
