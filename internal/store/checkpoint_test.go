package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
)

// TestCheckpointerKeepsLogShort writes without pause and checks that no
// commit checkpoints by itself, that the log is started over once it
// passes walRestartFrames, so that it stays short, and that nothing
// written is lost.
func TestCheckpointerKeepsLogShort(t *testing.T) {
	defer func(n int) { walRestartFrames = n }(walRestartFrames)
	walRestartFrames = 64
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	s, err := Open(ctx, Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var auto int
	if err := s.write.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Errorf("the writer checkpoints every %d pages itself; want 0 (the checkpointer does it)", auto)
	}

	// Each transaction writes a few pages; without restarts, 6,000 of
	// them leave a log of some 18,000 pages (70 MiB).
	const commits = 6000
	var longest int64
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; i < commits || int(s.checkpoints.restarts.Load()) < 2; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("after %d commits the checkpointer has restarted the log %d times; want at least 2", i, int(s.checkpoints.restarts.Load()))
		}
		err := s.InTx(ctx, func(tx *Tx) error {
			return tx.AppendAudit(ctx, shieldwall.SystemActor("test"), "test.write", "test", NewID(), "a write among many")
		})
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			longest = max(longest, fi.Size())
		}
	}
	// The log may grow by what is written during one checkpointEvery
	// beyond walRestartFrames; 8,000 pages is far more than that.
	if limit := int64(8000 * 4096); longest > limit {
		t.Errorf("the log reached %d bytes; want it kept under %d", longest, limit)
	}
	if testing.Verbose() {
		t.Logf("longest log: %d pages", longest/4096)
	}
	var written int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM audit_events WHERE action = 'test.write'").Scan(&written); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var after int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM audit_events WHERE action = 'test.write'").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != written || written < commits {
		t.Errorf("%d writes before reopening, %d after; want the same, at least %d", written, after, commits)
	}
}

// TestLogRestartWaitsForNoReader checks that a reader still on the old log
// defers starting it over instead of holding up the writer, that the
// writer gets its usual lock timeout back, and that the restart happens
// once the reader is done.
func TestLogRestartWaitsForNoReader(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: filepath.Join(t.TempDir(), "reader.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	write := func() {
		t.Helper()
		if err := s.InTx(ctx, func(tx *Tx) error {
			return tx.AppendAudit(ctx, shieldwall.SystemActor("test"), "test.write", "test", NewID(), "a write")
		}); err != nil {
			t.Fatal(err)
		}
	}
	write()
	reader, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, "SELECT count(*) FROM audit_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	write() // the log now holds a frame the reader does not see

	s.checkpoints.restartDue.Store(true)
	write()
	if got := s.checkpoints.restarts.Load(); got != 0 {
		t.Errorf("the log was started over %d times while a reader used it; want 0", got)
	}
	if !s.checkpoints.restartDue.Load() {
		t.Error("the deferred restart was forgotten; want it tried after a later commit")
	}
	var timeout int
	if err := s.write.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if want := int(busyTimeout.Milliseconds()); timeout != want {
		t.Errorf("the writer waits %d ms for locks after a restart attempt; want %d", timeout, want)
	}

	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The checkpointer's own passive checkpoint may be running beside a
	// commit and make one attempt wait in vain; each later commit tries again.
	for i := 0; i < 1000 && s.checkpoints.restarts.Load() == 0; i++ {
		write()
	}
	if got := s.checkpoints.restarts.Load(); got != 1 {
		t.Errorf("after the reader finished, the log was started over %d times; want 1", got)
	}
}
