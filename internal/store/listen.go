package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// timelineChannel is the PostgreSQL channel on which every replica hears
// of new timeline entries.
const timelineChannel = "shieldwall_timeline"

// SharesTimeline reports whether other processes may write to this
// database, so that live updates must travel through it (PostgreSQL);
// with SQLite one process owns the file and publishes in memory.
func (s *Store) SharesTimeline() bool { return s.d.name == "postgres" }

// AnnounceTimeline tells every replica, once the transaction commits, that
// an entry was added. PostgreSQL holds a NOTIFY until commit and drops it
// on rollback, so nobody hears of what did not happen.
func (tx *Tx) AnnounceTimeline(ctx context.Context, entryID string) error {
	if !tx.s.SharesTimeline() {
		return nil
	}
	if _, err := tx.exec(ctx, `SELECT pg_notify(?, ?)`, timelineChannel, entryID); err != nil {
		return fmt.Errorf("store: announce timeline entry: %w", err)
	}
	return nil
}

// AnnounceKick tells every replica, once the transaction commits, to close
// the case's streams of one person ("" for everyone): they lost access.
func (tx *Tx) AnnounceKick(ctx context.Context, caseID, userID string) error {
	if !tx.s.SharesTimeline() {
		return nil
	}
	if _, err := tx.exec(ctx, `SELECT pg_notify(?, ?)`, timelineChannel, "kick "+caseID+" "+userID); err != nil {
		return fmt.Errorf("store: announce kick: %w", err)
	}
	return nil
}

// ListenTimeline calls fn with every announcement by any replica (a
// timeline entry's id, or "kick <case> <user>"), until ctx ends or the connection fails. It holds one
// connection of the pool while it listens.
func (s *Store) ListenTimeline(ctx context.Context, ready func(), fn func(payload string)) error {
	if !s.SharesTimeline() {
		return nil
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+timelineChannel); err != nil {
			return fmt.Errorf("store: listen: %w", err)
		}
		if ready != nil {
			ready()
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// Stop listening before the connection goes back to the
				// pool; if that fails, the pool must drop the connection.
				stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if _, uerr := pc.Exec(stop, "UNLISTEN "+timelineChannel); uerr != nil {
					return driver.ErrBadConn
				}
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("store: wait for notification: %w", err)
			}
			fn(n.Payload)
		}
	})
}
