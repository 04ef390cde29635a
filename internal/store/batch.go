package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Batcher commits many small changes in one transaction (group commit), so
// that a busy intake pays for one durable commit per batch instead of one
// per change. When a change fails, the batch is rolled back and each change
// runs again in a transaction of its own: the faulty one fails alone, the
// others commit. A change may therefore run twice and must not depend on
// state its first run left behind outside the database.
// Do returns only after the change is durable.
//
// Within a batch, reports and audit events are not inserted one by one but
// deferred and written with a few multi-row INSERTs (see pendingWrites);
// under load a batch may wait up to maxLinger for the changes it expects
// (see loop).
type Batcher struct {
	s     *Store
	max   int
	queue chan *batchItem
	stop  chan struct{}
	done  sync.WaitGroup

	mu     sync.RWMutex
	closed bool

	pending   pendingWrites // reused by each batch; only the loop goroutine touches it
	maxLinger time.Duration // how long a batch may wait for changes expected to come

	batches, changes, busy, longest atomic.Int64 // see Stats
}

// BatchStats says how group commit has gone so far.
type BatchStats struct {
	Batches int64         // transactions committed (or tried)
	Changes int64         // changes they carried
	Busy    time.Duration // time the writer spent in transactions rather than waiting for changes
	Longest time.Duration // the longest transaction (a slow fsync, a restart of the write-ahead log)
}

// Stats returns counts since the batcher started.
func (b *Batcher) Stats() BatchStats {
	return BatchStats{Batches: b.batches.Load(), Changes: b.changes.Load(), Busy: time.Duration(b.busy.Load()), Longest: time.Duration(b.longest.Load())}
}

type batchItem struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *Tx) error
	errc chan error
}

// DefaultLinger bounds how long a batch waits for more changes under load;
// 0 never waits. Measured with `shieldwall bench intake --linger` (64
// clients on 2 cores, three interleaved runs each), 1 ms grew batches from
// about 6 to 17 reports, cut CPU per report from 245–269 µs to 183–218 µs
// and raised intake from 6,600–7,400 to 8,400–10,000 reports/s with a
// lower p99; 2 ms grew batches to 24 but gained less.
var DefaultLinger = time.Millisecond

// NewBatcher starts a batcher that commits up to max changes at a time.
func (s *Store) NewBatcher(max int) *Batcher {
	b := &Batcher{s: s, max: max, queue: make(chan *batchItem, max*4), stop: make(chan struct{}), maxLinger: DefaultLinger}
	b.done.Add(1)
	go b.loop()
	return b
}

// Do runs fn in the next batch and waits until the batch is committed. fn
// gets a context that is not cancelled with ctx: cancelling one query
// half-way must not disturb the transaction the other changes share.
func (b *Batcher) Do(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	it := &batchItem{ctx: ctx, fn: fn, errc: make(chan error, 1)}
	// The read lock keeps Close from stopping the loop while a change is
	// being queued, so nothing queued is ever left behind.
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return fmt.Errorf("store: batcher stopped")
	}
	select {
	case b.queue <- it:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the change may
	// already be committed, and the caller must not be told otherwise.
	return <-it.errc
}

// Close commits what is queued and stops the batcher; later changes fail.
func (b *Batcher) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	b.done.Wait()
}

func (b *Batcher) loop() {
	defer b.done.Done()
	batch := make([]*batchItem, 0, b.max)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	last := 0 // the size of the previous batch
	for {
		select {
		case it := <-b.queue:
			batch = append(batch[:0], it)
		case <-b.stop:
			// Drain what was queued before stopping.
			for {
				select {
				case it := <-b.queue:
					b.commit([]*batchItem{it})
				default:
					return
				}
			}
		}
		// Take whatever else is already waiting, without waiting for more:
		// under light load a change commits at once, under heavy load the
		// batch grows while the previous commit is on its way to disk.
	fill:
		for len(batch) < b.max {
			select {
			case it := <-b.queue:
				batch = append(batch, it)
			default:
				break fill
			}
		}
		// Under load the same changes come round again and again: each
		// client whose change just committed sends its next one. Waiting a
		// moment for as many as the last batch carried spares a commit
		// (an fsync and the pages written around it, about 250 µs of CPU)
		// for every batch it merges. A lone client never waits (its last
		// batch held one change), and the wait is bounded by maxLinger (off
		// by default, see DefaultLinger).
		if n := min(last, b.max); len(batch) < n && b.maxLinger > 0 {
			linger.Reset(b.maxLinger)
		wait:
			for len(batch) < n {
				select {
				case it := <-b.queue:
					batch = append(batch, it)
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		last = len(batch)
		start := time.Now()
		b.commit(batch)
		b.s.maintainLog() // after the changes are acknowledged
		took := int64(time.Since(start))
		b.busy.Add(took)
		if took > b.longest.Load() {
			b.longest.Store(took) // only this goroutine writes it
		}
		b.batches.Add(1)
		b.changes.Add(int64(len(batch)))
	}
}

func (b *Batcher) commit(batch []*batchItem) {
	errs := make([]error, len(batch))
	err := b.inTx(func(tx *Tx) error {
		for i, it := range batch {
			if err := it.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			if err := it.fn(context.WithoutCancel(it.ctx), tx); err != nil {
				if len(batch) == 1 {
					errs[i] = err // its own failure, not the batch's
				}
				return err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		// Something failed: the whole batch rolled back. Run each change in a
		// transaction of its own, so that only the faulty one fails.
		// Failures are rare (input is validated before it is queued), so the
		// common path pays for no savepoints.
		for i, it := range batch {
			if errs[i] != nil {
				continue
			}
			errs[i] = b.inTx(func(tx *Tx) error {
				return it.fn(context.WithoutCancel(it.ctx), tx)
			})
		}
		err = nil
	}
	for i, it := range batch {
		if err != nil && errs[i] == nil { // the commit itself failed
			errs[i] = fmt.Errorf("store: batch commit: %w", err)
		}
		it.errc <- errs[i]
	}
}

// inTx runs fn in a transaction that defers the rows every change in a
// batch writes (reports and audit events) and writes each kind with a few
// multi-row INSERTs at the end (see pendingWrites).
func (b *Batcher) inTx(fn func(tx *Tx) error) error {
	ctx := context.Background()
	tx, err := b.s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Nearly every change appends to the audit chain: read its head now,
	// before any row is deferred, so that the read does not write the
	// first change's rows on their own.
	if tx.audit == nil {
		if err := tx.loadAuditHead(ctx); err != nil {
			return err
		}
	}
	b.pending.reset()
	tx.pending = &b.pending
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// pendingWrites holds the rows a batch transaction has yet to write. A
// statement costs more than the row it inserts: binding, stepping and
// resetting a prepared statement, and on SQLite each INSERT into reports
// builds temporary lookup tables for the IN lists of its CHECK
// constraints. One statement for many rows pays those once. The rows are
// written before any other statement of the transaction runs (see
// Tx.exec), so everything the transaction reads sees them, and at the
// latest at commit; only the batch's own transactions defer.
type pendingWrites struct {
	reports []any // sqlReportColumns values per report
	audit   []any // sqlAuditColumns values per event
	err     error // a deferred write failed: the transaction must not commit
	now     any   // the transaction's time as the database takes it, formatted once
}

func (p *pendingWrites) reset() {
	clear(p.reports) // drop references to the last batch's strings
	clear(p.audit)
	p.reports, p.audit, p.err, p.now = p.reports[:0], p.audit[:0], nil, nil
}

// timeArg is t as a query argument. Nearly every time a batch writes is
// the transaction's own, so that one is formatted once per batch.
func (tx *Tx) timeArg(t time.Time) any {
	if tx.pending == nil || !t.Equal(tx.Now) {
		return at(t)
	}
	if tx.pending.now == nil {
		v, _ := at(tx.Now).Value()
		tx.pending.now = v
	}
	return tx.pending.now
}

func (p *pendingWrites) empty() bool { return len(p.reports) == 0 && len(p.audit) == 0 }

// multiRowSizes are the row counts of the prepared multi-row INSERTs. A
// batch of n rows is written largest first, so it takes at most a few
// statements: 37 rows are 32 + 4 + 1.
var multiRowSizes = []int{128, 32, 8, 4, 2, 1}

const (
	sqlInsertReportHead = `INSERT INTO reports (id, kind, title, description, details, status, source, reporter_id,
		anonymous, department_id, campaign_id, simulation, verdict_level, verdict_score, verdict, resolution, created_at, updated_at) VALUES `
	sqlReportColumns   = 18
	sqlInsertAuditHead = `INSERT INTO audit_events
		(seq, created_at, actor_id, actor_label, action, object_type, object_id, summary, prev_hash, hash) VALUES `
	sqlAuditColumns = 10
)

// multiRowInsert is an INSERT of rows rows of cols values each.
func multiRowInsert(head string, cols, rows int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	var sb strings.Builder
	sb.WriteString(head)
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(row)
	}
	return sb.String()
}

// multiRowStatements holds the multi-row INSERTs by table and size; they
// are hot statements, prepared once on SQLite's writer.
var multiRowStatements = func() map[string]map[int]string {
	m := map[string]map[int]string{"reports": {}, "audit_events": {}}
	for _, n := range multiRowSizes {
		m["reports"][n] = multiRowInsert(sqlInsertReportHead, sqlReportColumns, n)
		m["audit_events"][n] = multiRowInsert(sqlInsertAuditHead, sqlAuditColumns, n)
	}
	return m
}()

func multiRowStatementList() []string {
	var out []string
	for _, byN := range multiRowStatements {
		for _, q := range byN {
			out = append(out, q)
		}
	}
	return out
}

// flushPending writes the deferred rows: reports first, then audit events.
func (tx *Tx) flushPending(ctx context.Context) error {
	p := tx.pending
	if p.err != nil {
		return p.err
	}
	if err := tx.insertRows(ctx, "reports", sqlReportColumns, p.reports); err != nil {
		p.err = fmt.Errorf("store: create report: %w", err)
		return p.err
	}
	if err := tx.insertRows(ctx, "audit_events", sqlAuditColumns, p.audit); err != nil {
		p.err = fmt.Errorf("store: append audit event: %w", err)
		return p.err
	}
	p.reports, p.audit = p.reports[:0], p.audit[:0]
	return nil
}

// insertRows inserts the rows in vals (cols values each) into table.
func (tx *Tx) insertRows(ctx context.Context, table string, cols int, vals []any) error {
	for len(vals) > 0 {
		rows := len(vals) / cols
		for _, n := range multiRowSizes {
			if n <= rows {
				rows = n
				break
			}
		}
		if _, err := tx.execNow(ctx, multiRowStatements[table][rows], vals[:rows*cols]...); err != nil {
			return err
		}
		vals = vals[rows*cols:]
	}
	return nil
}
