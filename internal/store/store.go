// Package store holds all of Shieldwall's SQL, for SQLite and PostgreSQL.
// Every difference between the two lives in dialect.go.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/shieldwall/shieldwall"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Config says which database to open: a PostgreSQL URL when set, otherwise a SQLite file.
type Config struct {
	Path string // SQLite file
	URL  string // PostgreSQL URL (postgres://…)
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	d     dialect
	write *sql.DB // SQLite: one connection, so one writer; PostgreSQL: the pool
	read  *sql.DB // SQLite: a pool of readers (WAL lets them run beside the writer); PostgreSQL: the same pool
	// Now gives the time a transaction records; tests may replace it.
	Now func() time.Time

	stmts map[string]*sql.Stmt // hot statements prepared on the SQLite writer; read-only after Open and Migrate

	queued chan struct{} // see DeliveryQueued

	checkpoints *checkpointer // SQLite: copies the write-ahead log into the database (checkpoint.go)
}

// busyTimeout is how long a SQLite connection waits for a lock another holds.
const busyTimeout = 10 * time.Second

// Open opens the database without changing its schema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{Now: time.Now, queued: make(chan struct{}, 1)}
	if cfg.URL != "" {
		pc, err := pgx.ParseConfig(cfg.URL)
		if err != nil {
			return nil, shieldwall.Errorf(shieldwall.EINVALID, "the database URL is not valid: %v", err)
		}
		// Shieldwall's queries are short and many; on a small server,
		// starting parallel workers costs more than it saves (tens of ms
		// for a page of 50). A URL that sets it (?max_parallel_workers_per_gather=2) wins.
		if _, set := pc.RuntimeParams["max_parallel_workers_per_gather"]; !set {
			pc.RuntimeParams["max_parallel_workers_per_gather"] = "0"
		}
		db := stdlib.OpenDB(*pc)
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.d, s.write, s.read = postgresDialect, db, db
	} else {
		if cfg.Path == "" {
			return nil, shieldwall.Errorf(shieldwall.EINVALID, "no database given: set --db or --database-url")
		}
		// synchronous(FULL): an acknowledged write survives power loss, not only a crash.
		pragmas := fmt.Sprintf("_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)", busyTimeout.Milliseconds())
		path := (&url.URL{Path: cfg.Path}).EscapedPath()
		// _txlock=immediate takes the write lock at BEGIN, so a writer never
		// fails half-way when a reader's snapshot is older.
		w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		n := max(4, runtime.NumCPU()*2)
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		cp, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
		if err != nil {
			w.Close()
			r.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		cp.SetMaxOpenConns(1)
		s.d, s.write, s.read, s.checkpoints = sqliteDialect, w, r, newCheckpointer(cp)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write.PingContext(pingCtx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.d.name, err)
	}
	s.prepareHot(ctx)
	return s, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Close closes the database.
func (s *Store) Close() error {
	for _, st := range s.stmts {
		st.Close()
	}
	var err error
	if s.checkpoints != nil {
		err = s.checkpoints.close()
	}
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return err
	}
	return s.write.PingContext(ctx)
}

func (s *Store) provider() (*goose.Provider, error) {
	gd := goose.DialectSQLite3
	if s.d.name == "postgres" {
		gd = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrationFiles, "migrations/"+s.d.name)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(gd, s.write, sub, goose.WithDisableGlobalRegistry(true))
}

// SchemaVersion returns the database's schema version and the newest one this binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := s.provider()
	if err != nil {
		return 0, 0, fmt.Errorf("store: migrations: %w", err)
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, latest, fmt.Errorf("store: schema version: %w", err)
	}
	return current, latest, nil
}

// Migrate brings the schema up to date; each migration runs in its own transaction.
func (s *Store) Migrate(ctx context.Context) (applied []int64, err error) {
	p, err := s.provider()
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		if r.Error == nil {
			applied = append(applied, r.Source.Version)
		}
	}
	if err != nil {
		return applied, fmt.Errorf("store: migrate: %w", err)
	}
	if len(applied) > 0 {
		s.prepareHot(ctx) // the tables they write may only exist now
	}
	return applied, nil
}

// Empty reports whether the database has never been initialised: no
// schema version and no tables. A database whose version record was lost
// but whose tables exist is not empty; CheckSchema then refuses it.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	cur, _, err := s.SchemaVersion(ctx)
	if err != nil || cur != 0 {
		return false, err
	}
	var n int
	if err := s.write.QueryRowContext(ctx, "SELECT COUNT(*) FROM departments").Scan(&n); err != nil {
		return true, nil // no departments table: nothing was ever created
	}
	return false, nil
}

// CheckSchema returns an EUNAVAILABLE error that says what to run when the
// schema is not the one this binary was built for.
func (s *Store) CheckSchema(ctx context.Context) error {
	cur, latest, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case cur < latest:
		return shieldwall.Errorf(shieldwall.EUNAVAILABLE,
			"the database schema is at version %d but this binary needs %d: run `shieldwall migrate` with the same --db or --database-url, then start again", cur, latest)
	case cur > latest:
		return shieldwall.Errorf(shieldwall.EUNAVAILABLE,
			"the database schema is at version %d, newer than this binary knows (%d): run the newer shieldwall binary", cur, latest)
	}
	return nil
}

// Tx is one write transaction. Now is fixed when it begins, so every row a
// change writes carries the same time.
type Tx struct {
	tx    *sql.Tx
	d     dialect
	s     *Store
	Now   time.Time
	audit *auditHead // the chain's head as this transaction moved it; written at commit
	// queued: this transaction wrote deliveries; the worker is woken at commit.
	queued bool
	// escalationID, while set, marks the notifications written as steps of
	// that escalation (see EscalationStep).
	escalationID string
	// outbox caches webhooks and preferences for the deliveries this transaction queues.
	outbox *outboxCache
	// pending holds rows a batch transaction writes later, many per statement (batch.go).
	pending *pendingWrites
}

// Begin starts a write transaction.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	t := &Tx{tx: tx, d: s.d, s: s, Now: s.Now().UTC().Truncate(time.Microsecond)}
	if s.d.name == "postgres" {
		// Every change appends to the audit chain, whose head is one locked
		// row. Taking that lock first, always, gives all writers the same
		// lock order, so two changes can never deadlock (a campaign decided
		// while a report joins it, say). SQLite has one writer anyway.
		if err := t.loadAuditHead(ctx); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return t, nil
}

// Commit makes the change durable; only then may it be acknowledged.
func (tx *Tx) Commit() error {
	if tx.pending != nil {
		if err := tx.flushPending(context.Background()); err != nil {
			return err
		}
	}
	if err := tx.flushAuditHead(context.Background()); err != nil {
		return err
	}
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if c := tx.s.checkpoints; c != nil {
		c.committed()
	}
	if tx.queued {
		select {
		case tx.s.queued <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
	return nil
}

// Rollback abandons the change; it is safe to call after Commit.
func (tx *Tx) Rollback() { _ = tx.tx.Rollback() }

// InTx runs fn in one write transaction and commits when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.maintainLog()
	return nil
}

// maintainLog starts SQLite's write-ahead log over when it has grown long
// (see checkpoint.go). It runs after a commit, between transactions.
func (s *Store) maintainLog() {
	if s.checkpoints != nil {
		s.checkpoints.restartIfDue(s.write)
	}
}

// exec, queryRow and query first write the rows a batch deferred, so that
// statements see them and run in the order they were asked for.
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if tx.pending != nil && !tx.pending.empty() {
		if err := tx.flushPending(ctx); err != nil {
			return nil, err
		}
	}
	return tx.execNow(ctx, q, args...)
}

func (tx *Tx) execNow(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := tx.s.prepared(q); st != nil {
		return tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.d.rebind(q), args...)
}

// hotStatements are the writes of report intake and of the outbox (and the
// read of the audit chain's head that every write transaction makes),
// prepared once on SQLite's single writer connection so that each report
// skips parsing SQL. PostgreSQL's driver caches statements by itself.
var hotStatements = append([]string{sqlInsertReport, sqlInsertIndicator, sqlInsertAudit, sqlMoveAuditHead, sqliteDialect.lockAuditHead,
	sqlInsertNotification, sqlInsertDelivery}, multiRowStatementList()...)

// prepareHot prepares hotStatements. It runs at Open, while the writer
// connection is idle: preparing through the pool inside a transaction would
// wait for the very connection the transaction holds.
func (s *Store) prepareHot(ctx context.Context) {
	if s.d.name != "sqlite" {
		return
	}
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = map[string]*sql.Stmt{}
	for _, q := range hotStatements {
		// A statement on a table that does not exist yet (before migrating)
		// fails to prepare; it then simply runs unprepared.
		if st, err := s.write.PrepareContext(ctx, q); err == nil {
			s.stmts[q] = st
		}
	}
}

// prepared returns the prepared form of q, if it is a hot statement.
func (s *Store) prepared(q string) *sql.Stmt {
	return s.stmts[q]
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if tx.pending != nil && !tx.pending.empty() {
		_ = tx.flushPending(ctx) // a failure is kept, and Commit refuses
	}
	// A read snapshot (VerifyAudit) has no store: its statements are not
	// the writer's to prepare.
	if tx.s != nil {
		if st := tx.s.prepared(q); st != nil {
			return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
		}
	}
	return tx.tx.QueryRowContext(ctx, tx.d.rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if tx.pending != nil && !tx.pending.empty() {
		if err := tx.flushPending(ctx); err != nil {
			return nil, err
		}
	}
	return tx.tx.QueryContext(ctx, tx.d.rebind(q), args...)
}

// queryer is what both a read pool and a transaction can do; lookups take
// it so that a service may read inside its own transaction.
type queryer interface {
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// reader reads from the read pool.
type reader struct {
	db *sql.DB
	d  dialect
}

func (r reader) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return r.db.QueryRowContext(ctx, r.d.rebind(q), args...)
}

func (r reader) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.db.QueryContext(ctx, r.d.rebind(q), args...)
}

func (s *Store) r() reader { return reader{db: s.read, d: s.d} }

// NewID returns a new time-ordered, unguessable identifier (UUIDv7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// isUniqueViolation reports whether err is a unique-constraint failure in either database.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505")
}

// isForeignKeyViolation reports whether err is a foreign-key failure in either database.
func isForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "FOREIGN KEY constraint failed") || strings.Contains(m, "SQLSTATE 23503")
}
