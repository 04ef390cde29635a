package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestMain(m *testing.M) {
	// The commands read SHIELDWALL_* from the environment; the tests say
	// everything on the command line.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SHIELDWALL_") && !strings.HasPrefix(name, "SHIELDWALL_TEST_") {
			os.Unsetenv(name)
		}
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command in-process, as main does, with stdin as its input.
func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut strings.Builder
	code := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// want fails the test unless the command exited with code.
func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code = %d; want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

// database is one fresh, empty test database and the flags that name it.
type database struct {
	dialect string
	cfg     store.Config
	flags   []string
}

func newDatabase(t *testing.T, dialect string) database {
	t.Helper()
	cfg := testdb.Config(t, dialect)
	if cfg.URL != "" {
		return database{dialect, cfg, []string{"--database-url", cfg.URL}}
	}
	return database{dialect, cfg, []string{"--db", cfg.Path}}
}

// each runs fn once per dialect with a fresh, empty database.
func each(t *testing.T, fn func(t *testing.T, db database)) {
	t.Helper()
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, newDatabase(t, d)) })
	}
}

// args returns the command words, then the database flags, then more flags.
func (db database) args(cmd []string, more ...string) []string {
	out := append(append([]string(nil), cmd...), db.flags...)
	return append(out, more...)
}

// open opens the test database as the server would; it must be current.
func (db database) open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), db.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// raw opens a plain second connection, to do what the store never does.
func (db database) raw(t *testing.T) *sql.DB { return testdb.Raw(t, db.cfg) }

func TestHelp(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		r := runCmd(t, "", "--help").want(t, 0)
		for _, cmd := range []string{"serve", "migrate", "user add", "token create", "audit verify", "version", "--db", "--database-url"} {
			if !strings.Contains(r.stdout, cmd) {
				t.Errorf("--help does not mention %q:\n%s", cmd, r.stdout)
			}
		}
	})
	t.Run("NoArgumentsIsUsage", func(t *testing.T) {
		r := runCmd(t, "").want(t, 2)
		if !strings.Contains(r.stdout+r.stderr, "Usage") {
			t.Errorf("no arguments printed %q; want the usage", r.stdout+r.stderr)
		}
	})
	t.Run("ErrUnknownCommand", func(t *testing.T) {
		r := runCmd(t, "", "frobnicate").want(t, 2)
		if !strings.Contains(r.stderr, `"frobnicate"`) || !strings.Contains(r.stderr, "--help") {
			t.Errorf("stderr = %q; want it to name the command and point at --help", r.stderr)
		}
	})
	t.Run("ErrHalfACommand", func(t *testing.T) {
		for _, cmd := range []string{"user", "token", "audit"} {
			r := runCmd(t, "", cmd).want(t, 2)
			if !strings.Contains(r.stderr, cmd) {
				t.Errorf("%s alone: stderr = %q; want it to say what is missing", cmd, r.stderr)
			}
		}
		runCmd(t, "", "user", "remove").want(t, 2)
	})
	for cmd, flags := range map[string][]string{
		"serve":        {"-addr", "-db", "-database-url", "-demo", "-log-format", "-log-level"},
		"migrate":      {"-db", "-database-url"},
		"user add":     {"-email", "-name", "-department", "-role", "-password-stdin", "-db"},
		"token create": {"-email", "-name", "-db"},
		"audit verify": {"-db", "-database-url"},
	} {
		t.Run(strings.ReplaceAll(cmd, " ", "")+"Help", func(t *testing.T) {
			r := runCmd(t, "", append(strings.Fields(cmd), "--help")...).want(t, 0)
			help := r.stdout + r.stderr
			for _, f := range flags {
				if !strings.Contains(help, f+" ") && !strings.Contains(help, f+"\n") {
					t.Errorf("%s --help does not list %s:\n%s", cmd, f, help)
				}
			}
		})
	}
	t.Run("ErrUnknownFlag", func(t *testing.T) {
		r := runCmd(t, "", "migrate", "--frobnicate").want(t, 2)
		if !strings.Contains(r.stderr, "frobnicate") {
			t.Errorf("stderr = %q; want it to name the flag", r.stderr)
		}
	})
	t.Run("ErrStrayArgument", func(t *testing.T) {
		r := runCmd(t, "", "migrate", "--db", filepath.Join(t.TempDir(), "x.db"), "extra").want(t, 2)
		if !strings.Contains(r.stderr, `"extra"`) {
			t.Errorf("stderr = %q; want it to name the stray argument", r.stderr)
		}
	})
}

func TestEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Run("OK", func(t *testing.T) {
		t.Setenv("SHIELDWALL_DB", filepath.Join(dir, "from-env.db"))
		runCmd(t, "", "migrate").want(t, 0)
		if _, err := os.Stat(filepath.Join(dir, "from-env.db")); err != nil {
			t.Errorf("SHIELDWALL_DB was not used: %v", err)
		}
	})
	t.Run("FlagWins", func(t *testing.T) {
		t.Setenv("SHIELDWALL_DB", filepath.Join(dir, "env.db"))
		runCmd(t, "", "migrate", "--db", filepath.Join(dir, "flag.db")).want(t, 0)
		if _, err := os.Stat(filepath.Join(dir, "env.db")); err == nil {
			t.Errorf("the environment won over --db")
		}
	})
	t.Run("ErrBadValue", func(t *testing.T) {
		t.Setenv("SHIELDWALL_DEMO", "perhaps")
		r := runCmd(t, "", "serve", "--db", filepath.Join(dir, "x.db")).want(t, 1)
		if !strings.Contains(r.stderr, "SHIELDWALL_DEMO") {
			t.Errorf("stderr = %q; want it to name the variable", r.stderr)
		}
	})
	t.Run("ErrBadLogLevel", func(t *testing.T) {
		r := runCmd(t, "", "serve", "--db", filepath.Join(dir, "y.db"), "--log-level", "loud").want(t, 1)
		if !strings.Contains(r.stderr, "--log-level") {
			t.Errorf("stderr = %q; want it to name --log-level", r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "y.db")); err == nil {
			t.Errorf("a refused serve created its database")
		}
	})
}

func TestVersion(t *testing.T) {
	r := runCmd(t, "", "version").want(t, 0)
	if strings.TrimSpace(r.stdout) != server.Version {
		t.Errorf("version printed %q; want %q", r.stdout, server.Version)
	}
}

func TestMigrate(t *testing.T) {
	each(t, func(t *testing.T, db database) {
		r := runCmd(t, "", db.args([]string{"migrate"})...).want(t, 0)
		if !strings.Contains(r.stdout, "applied") {
			t.Errorf("first migrate printed %q; want it to say what it applied", r.stdout)
		}
		cur, latest, err := db.open(t).SchemaVersion(t.Context())
		if err != nil || cur != latest || cur < 1 {
			t.Fatalf("schema after migrate = %d of %d, %v; want current", cur, latest, err)
		}
		r = runCmd(t, "", db.args([]string{"migrate"})...).want(t, 0)
		if !strings.Contains(r.stdout, "up to date") {
			t.Errorf("second migrate printed %q; want it to say the schema is up to date", r.stdout)
		}
	})
}

func TestUserAdd(t *testing.T) {
	each(t, func(t *testing.T, db database) {
		add := []string{"user", "add"}
		t.Run("OKNewDepartmentPasswordStdin", func(t *testing.T) {
			r := runCmd(t, "a very long password\n", db.args(add, "--email", "Ada@Example.com", "--name", "Ada Lovelace",
				"--department", "Research & Development", "--role", "admin", "--password-stdin")...).want(t, 0)
			if !strings.Contains(r.stdout, "ada@example.com") || !strings.Contains(r.stdout, "Research & Development") || strings.Contains(r.stdout, "password") {
				t.Errorf("stdout = %q; want who was added where, and no password", r.stdout)
			}
			st := db.open(t)
			d, err := st.FindDepartment(t.Context(), "research-development")
			if err != nil || d.Name != "Research & Development" {
				t.Fatalf("department after user add = %+v, %v; want Research & Development", d, err)
			}
			u, err := st.FindUserByEmail(t.Context(), "ada@example.com")
			if err != nil || u.Role != shieldwall.RoleAdmin || u.DepartmentID != d.ID || !u.HasPassword {
				t.Fatalf("user = %+v, %v; want an admin in R&D with a password", u, err)
			}
			if _, err := accounts.New(st).SignIn(t.Context(), "ada@example.com", "a very long password", "test"); err != nil {
				t.Errorf("SignIn(password from stdin) = %v; want nil", err)
			}
		})
		t.Run("OKExistingDepartmentGeneratedPassword", func(t *testing.T) {
			st := db.open(t)
			_, before, _ := st.ListDepartments(t.Context(), shieldwall.DepartmentFilter{})
			r := runCmd(t, "", db.args(add, "--email", "grace@example.com", "--name", "Grace", "--department", "research-development")...).want(t, 0)
			m := regexp.MustCompile(`password \(shown only now\): (\S+)\n`).FindStringSubmatch(r.stdout)
			if m == nil || len(m[1]) < 12 {
				t.Fatalf("stdout = %q; want the generated password, at least 12 characters", r.stdout)
			}
			if _, after, _ := st.ListDepartments(t.Context(), shieldwall.DepartmentFilter{}); after != before {
				t.Errorf("departments = %d; want %d (the existing one is used)", after, before)
			}
			u, err := st.FindUserByEmail(t.Context(), "grace@example.com")
			if err != nil || u.Role != shieldwall.RoleMember || u.DepartmentName != "Research & Development" {
				t.Errorf("user = %+v, %v; want a member of R&D", u, err)
			}
			if _, err := accounts.New(st).SignIn(t.Context(), "grace@example.com", m[1], "test"); err != nil {
				t.Errorf("SignIn(generated password) = %v; want nil", err)
			}
		})
		for _, tc := range []struct {
			name, stdin string
			args        []string
			says        []string
		}{
			{"ErrBadRole", "", []string{"--email", "k@example.com", "--name", "K", "--department", "Royalty", "--role", "king"},
				[]string{"role", `"king"`, "admin, security, champion, member, auditor"}},
			{"ErrEmailRequired", "", []string{"--name", "K", "--department", "Royalty"}, []string{"email", "required"}},
			{"ErrNotAnEmail", "", []string{"--email", "k", "--name", "K", "--department", "Royalty"}, []string{"email", `"k"`}},
			{"ErrNameRequired", "", []string{"--email", "k@example.com", "--department", "Royalty"}, []string{"name", "required"}},
			{"ErrDepartmentRequired", "", []string{"--email", "k@example.com", "--name", "K"}, []string{"department", "required"}},
			{"ErrEmailTaken", "", []string{"--email", "ADA@example.com", "--name", "K", "--department", "Royalty"}, []string{"ada@example.com", "already exists"}},
			{"ErrEmptyStdin", "", []string{"--email", "k@example.com", "--name", "K", "--department", "Royalty", "--password-stdin"}, []string{"standard input is empty"}},
			{"ErrShortPassword", "short\n", []string{"--email", "k@example.com", "--name", "K", "--department", "Royalty", "--password-stdin"}, []string{"password", "12 characters"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := runCmd(t, tc.stdin, db.args(add, tc.args...)...).want(t, 1)
				for _, s := range tc.says {
					if !strings.Contains(r.stderr, s) {
						t.Errorf("stderr = %q; want it to say %q", r.stderr, s)
					}
				}
				if r.stdout != "" {
					t.Errorf("stdout = %q; want nothing on failure", r.stdout)
				}
				// Nothing half-written: the new department came with the person, and went with them.
				if _, err := db.open(t).FindDepartment(t.Context(), "royalty"); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
					t.Errorf("FindDepartment(royalty) = %v; want not found", err)
				}
			})
		}
	})
}

var tokenLine = regexp.MustCompile(`^swt_[A-Za-z0-9_-]{43}\n$`)

func TestTokenCreate(t *testing.T) {
	each(t, func(t *testing.T, db database) {
		runCmd(t, "a very long password\n", db.args([]string{"user", "add"}, "--email", "siem@example.com", "--name", "SIEM",
			"--department", "Security", "--role", "auditor", "--password-stdin")...).want(t, 0)

		t.Run("OK", func(t *testing.T) {
			r := runCmd(t, "", db.args([]string{"token", "create"}, "--email", "SIEM@example.com", "--name", "SIEM export")...).want(t, 0)
			if !tokenLine.MatchString(r.stdout) {
				t.Fatalf("stdout = %q; want exactly one line holding the token", r.stdout)
			}
			token := strings.TrimSpace(r.stdout)
			// The token works against the real server.
			st := db.open(t)
			ts := httptest.NewServer(server.New(st, slog.New(slog.DiscardHandler)).Handler)
			defer ts.Close()
			req, _ := http.NewRequestWithContext(t.Context(), "GET", ts.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var me shieldwall.User
			if err := json.NewDecoder(res.Body).Decode(&me); err != nil || res.StatusCode != 200 || me.Email != "siem@example.com" {
				t.Errorf("GET /api/v1/me with the printed token = %d %+v, %v; want 200 siem@example.com", res.StatusCode, me, err)
			}
			// Stored under a hash only.
			rows, err := db.raw(t).QueryContext(t.Context(), "SELECT name, token_hash FROM api_tokens")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var name, hash string
				if err := rows.Scan(&name, &hash); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(name+hash, strings.TrimPrefix(token, "swt_")) {
					t.Errorf("api_tokens row %q holds the token in clear", name)
				}
			}
		})
		t.Run("ErrUnknownEmail", func(t *testing.T) {
			r := runCmd(t, "", db.args([]string{"token", "create"}, "--email", "nobody@example.com")...).want(t, 1)
			if r.stdout != "" || !strings.Contains(r.stderr, "nobody@example.com") {
				t.Errorf("stdout = %q, stderr = %q; want nothing on stdout and the email named on stderr", r.stdout, r.stderr)
			}
		})
	})
}

func TestAuditVerify(t *testing.T) {
	each(t, func(t *testing.T, db database) {
		for _, email := range []string{"a@example.com", "b@example.com"} {
			runCmd(t, "a very long password\n", db.args([]string{"user", "add"}, "--email", email, "--name", "X", "--department", "Ops", "--password-stdin")...).want(t, 0)
		}
		runCmd(t, "", db.args([]string{"token", "create"}, "--email", "a@example.com")...).want(t, 0)

		t.Run("OK", func(t *testing.T) {
			r := runCmd(t, "", db.args([]string{"audit", "verify"})...).want(t, 0)
			// Ops, a, b, the token.
			if !strings.Contains(r.stdout, "intact") || !strings.Contains(r.stdout, "4 events") {
				t.Errorf("stdout = %q; want the chain intact with 4 events", r.stdout)
			}
		})
		t.Run("ErrTampered", func(t *testing.T) {
			if _, err := db.raw(t).ExecContext(t.Context(), "UPDATE audit_events SET summary = 'x' WHERE seq = 2"); err != nil {
				t.Fatal(err)
			}
			r := runCmd(t, "", db.args([]string{"audit", "verify"})...).want(t, 1)
			if r.stdout != "2\n" {
				t.Errorf("stdout = %q; want the first broken sequence number, 2", r.stdout)
			}
			if !strings.Contains(r.stderr, "seq 2") {
				t.Errorf("stderr = %q; want it to say where and why", r.stderr)
			}
		})
	})
}

// TestOutOfDateSchema: every command that needs the current schema refuses
// an older one and says which command fixes it.
func TestOutOfDateSchema(t *testing.T) {
	each(t, func(t *testing.T, db database) {
		runCmd(t, "", db.args([]string{"migrate"})...).want(t, 0)
		runCmd(t, "a very long password\n", db.args([]string{"user", "add"}, "--email", "a@example.com", "--name", "A", "--department", "Ops", "--password-stdin")...).want(t, 0)
		// goose records each applied version in goose_db_version: forget the newest.
		if _, err := db.raw(t).ExecContext(t.Context(), "DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)"); err != nil {
			t.Fatal(err)
		}
		t.Run("OpenStore", func(t *testing.T) {
			st, err := server.OpenStore(t.Context(), db.cfg, slog.New(slog.DiscardHandler))
			if err == nil {
				st.Close()
				t.Fatal("OpenStore(old schema) = nil; want a refusal")
			}
			if !strings.Contains(err.Error(), "shieldwall migrate") {
				t.Errorf("OpenStore(old schema) = %v; want it to say `shieldwall migrate`", err)
			}
		})
		for _, tc := range []struct {
			name        string
			words, more []string
		}{
			{"AuditVerify", []string{"audit", "verify"}, nil},
			{"TokenCreate", []string{"token", "create"}, []string{"--email", "a@example.com"}},
			{"Serve", []string{"serve"}, []string{"--addr", "127.0.0.1:0"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cmd := append(append([]string(nil), tc.words...), tc.more...)
				// serve would run until ctx ends if it accepted the schema.
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				log := slog.Default()
				defer slog.SetDefault(log) // serve sets the default logger
				var out, errOut strings.Builder
				code := run(ctx, db.args(tc.words, tc.more...), strings.NewReader(""), &out, &errOut)
				if code != 1 || !strings.Contains(errOut.String(), "shieldwall migrate") {
					t.Errorf("%s on an old schema = exit %d, stderr %q; want 1 and a pointer to `shieldwall migrate`", strings.Join(cmd, " "), code, errOut.String())
				}
				if out.String() != "" {
					t.Errorf("stdout = %q; want nothing", out.String())
				}
			})
		}
	})
}

// binDir holds the binary built for the end-to-end test.
var binDir string

// buildBinary builds shieldwall once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "shieldwall-bin-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "shieldwall")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", errors.New("go build: " + err.Error() + "\n" + string(out))
	}
	return bin, nil
})

// process is a running `shieldwall serve`.
type process struct {
	cmd    *exec.Cmd
	url    string
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan error
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve starts the binary and waits until it says where it listens.
func serve(t *testing.T, db database, more ...string) *process {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, db.args([]string{"serve"}, append([]string{"--addr", "127.0.0.1:0"}, more...)...)...)
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	// stdout is what the operator must see (demo accounts, the set-up
	// link); it is written before the server logs that it is serving.
	outDone := make(chan struct{})
	go func() {
		io.Copy(p.stdout, stdout)
		close(outDone)
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderrPipe)
		re := regexp.MustCompile(`url=(http://\S+)`)
		for sc.Scan() {
			line := sc.Text()
			p.stderr.Write([]byte(line + "\n"))
			if m := re.FindStringSubmatch(line); m != nil && strings.Contains(line, "serving") {
				urlc <- m[1]
			}
		}
	}()
	go func() {
		<-outDone
		p.done <- cmd.Wait()
	}()
	select {
	case p.url = <-urlc:
		t.Logf("%s serve started in %v", db.dialect, time.Since(start).Round(time.Millisecond))
	case err := <-p.done:
		t.Fatalf("serve exited before serving: %v\nstderr: %s", err, p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start within 60 s\nstderr: %s", p.stderr.String())
	}
	return p
}

// eventually polls cond for up to two seconds: a child's output reaches the
// test through a pipe, a little after the child wrote it.
func eventually(cond func() bool) {
	for deadline := time.Now().Add(2 * time.Second); !cond() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// get fetches a path from the running server.
func (p *process) get(t *testing.T, path, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", p.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// stop sends SIGTERM and waits for a graceful exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v; want exit status 0\nstderr: %s", err, p.stderr.String())
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("serve took %v to stop; want a prompt graceful shutdown", d)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop within 20 s of SIGTERM\nstderr: %s", p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "shutting down") {
		t.Errorf("stderr = %q; want it to log the shutdown", p.stderr.String())
	}
}

var demoAccount = regexp.MustCompile(`(?m)^\s+(admin|auditor|member)\s+(\S+@\S+)\s+(\S+)\s+\(`)

func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	each(t, func(t *testing.T, db database) {
		t.Run("Demo", func(t *testing.T) {
			p := serve(t, db, "--demo")
			for _, tc := range []struct{ path, contentType, body string }{
				{"/healthz", "text/plain", "ok"},
				{"/readyz", "application/json", `"status":"ready"`},
				{"/metrics", "text/plain", `shieldwall_build_info{dialect="` + db.dialect + `"`},
				{"/api/openapi.json", "application/json", `"openapi"`},
			} {
				res, body := p.get(t, tc.path, "")
				if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), tc.contentType) || !strings.Contains(body, tc.body) {
					t.Errorf("GET %s = %d %s %.200q; want 200 %s containing %q", tc.path, res.StatusCode, res.Header.Get("Content-Type"), body, tc.contentType, tc.body)
				}
			}
			var m [][]string
			eventually(func() bool {
				m = demoAccount.FindAllStringSubmatch(p.stdout.String(), -1)
				return len(m) > 0
			})
			var admin []string
			for _, a := range m {
				if a[1] == "admin" {
					admin = a
				}
			}
			p.stop(t)
			if admin == nil {
				t.Fatalf("stdout has no admin sign-in account:\n%s", p.stdout.String())
			}
			st := db.open(t)
			if _, err := accounts.New(st).SignIn(t.Context(), admin[2], admin[3], "test"); err != nil {
				t.Errorf("SignIn(printed demo admin %s) = %v; want nil", admin[2], err)
			}
			r := runCmd(t, "", db.args([]string{"audit", "verify"})...).want(t, 0)
			if !strings.Contains(r.stdout, "intact") {
				t.Errorf("audit verify after the demo = %q; want intact", r.stdout)
			}
		})
		t.Run("SetupLink", func(t *testing.T) {
			db := newDatabase(t, db.dialect)
			p := serve(t, db)
			token := ""
			eventually(func() bool {
				if m := regexp.MustCompile(`/setup\?token=(\S+)`).FindStringSubmatch(p.stdout.String()); m != nil {
					token = m[1]
				}
				return token != ""
			})
			res, body := p.get(t, "/api/v1/me", "")
			if res.StatusCode != 401 || !strings.Contains(body, `"code":"unauthorized"`) {
				t.Errorf("GET /api/v1/me without a token = %d %s; want 401 unauthorized", res.StatusCode, body)
			}
			p.stop(t)
			if token == "" {
				t.Fatalf("stdout has no set-up link:\n%s", p.stdout.String())
			}
			if !accounts.New(db.open(t)).SetupTokenValid(t.Context(), token) {
				t.Errorf("the printed set-up token is not valid")
			}
		})
	})
}

func TestServeRefusesBadPlaybooksAndHolidays(t *testing.T) {
	dir := t.TempDir()
	// A playbook file that names a role no task can use: the start is refused with the file and field named.
	bad := "id: broken\nname: Broken\nroles:\n  - id: it-containment\n    name: IT\n    department: IT\ntasks:\n  - id: t\n    role: nobody\n    title: x\n    due: 1h\n"
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "s.db")
	log := slog.Default()
	defer slog.SetDefault(log) // serve sets the default logger
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--playbooks", dir}, "broken.yaml: tasks[0].role"},
		{[]string{"--playbooks", filepath.Join(dir, "missing")}, "--playbooks"},
		{[]string{"--holidays", "2026-12-25,25/12/2026"}, `"25/12/2026" is not a date`},
	} {
		r := runCmd(t, "", append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.flags...)...).want(t, 1)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("serve %v: stderr %q; want it to name %q", tc.flags, r.stderr, tc.want)
		}
	}
}
