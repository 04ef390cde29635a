package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite appends every commit to its write-ahead log; a checkpoint copies
// the log back into the database file and syncs it. Left to itself SQLite
// checkpoints inside the commit that crosses 1,000 pages, so that one
// commit, and every report waiting on it, stalls for the whole copy. The
// writer therefore never checkpoints on its own (wal_autocheckpoint(0)); a
// checkpointer beside it copies the log on its own connection, without
// blocking the writer or the readers.
//
// Such a passive checkpoint cannot start the log over: the writer rewinds
// it only when it finds everything copied, which a busy writer rarely
// does, so under steady writes the log would only grow. When it has grown
// past walRestartFrames, the writer, between two transactions, runs a
// restarting checkpoint itself: being the only writer, it waits for no
// other, and it copies only what the last passive checkpoint left.

// checkpointEvery bounds how often the checkpointer runs while writes go on.
const checkpointEvery = 200 * time.Millisecond

// walRestartFrames is the log's length, in pages, past which the writer
// starts it over: 64 MiB of 4 KiB pages. A variable for tests.
var walRestartFrames = 16384

// checkpointer runs checkpoints for a SQLite store.
type checkpointer struct {
	db         *sql.DB       // its own connection
	wrote      chan struct{} // a commit happened since the last checkpoint
	restartDue atomic.Bool   // the log is long: the writer should start it over
	restarts   atomic.Int64  // how often it has; tests read it
	stop       chan struct{}
	done       sync.WaitGroup
	closeOnce  sync.Once
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, wrote: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c
}

// committed tells the checkpointer the log has grown; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.wrote <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.done.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.wrote:
		}
		// An error needs no handling here: a checkpoint that could not
		// run leaves the log longer, and the next one copies it.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if _, frames, err := checkpoint(ctx, c.db, "PASSIVE"); err == nil && frames > walRestartFrames {
			c.restartDue.Store(true)
		}
		cancel()
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// restartWait bounds how long starting the log over may hold up the
// writer while readers finish with the old log: a reader that takes
// longer (a large export) makes the restart wait for a later commit,
// rather than every write wait for the reader.
const restartWait = 20 * time.Millisecond

// restartIfDue runs on the writer's connection between transactions, once
// their changes are acknowledged: when the log has grown long, it copies
// the rest and makes the next commit write the log from its start.
func (c *checkpointer) restartIfDue(w *sql.DB) {
	if !c.restartDue.CompareAndSwap(true, false) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := w.Conn(ctx) // the writer's one connection, for the three statements together
	if err != nil {
		c.restartDue.Store(true)
		return
	}
	defer conn.Close()
	busy := true
	_, err = conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds()))
	if err == nil {
		busy, _, err = checkpoint(ctx, conn, "RESTART")
	}
	if _, rerr := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds())); rerr != nil {
		// The writer must not keep the short timeout: drop the connection,
		// and database/sql opens a fresh one with the DSN's settings.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if err != nil || busy {
		c.restartDue.Store(true) // a reader held on: try again after a later commit
		return
	}
	c.restarts.Add(1)
}

// checkpoint runs one checkpoint in mode on db (the pool or one of its
// connections). It returns whether it had to stop short, kept out by a
// reader or writer, and the log's length in pages.
func checkpoint(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, mode string) (busy bool, frames int, err error) {
	var copied int
	err = db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied)
	return busy, frames, err
}

// close stops the checkpointer; SQLite checkpoints what is left when the
// last connection closes. Closing twice is harmless, as for the store.
func (c *checkpointer) close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.stop)
		c.done.Wait()
		err = c.db.Close()
	})
	return err
}
