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
// commit checkpoints by itself, that the checkpointer starts the log over
// once it passes walRestartFrames, so that the log stays short, and that
// nothing written is lost.
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
