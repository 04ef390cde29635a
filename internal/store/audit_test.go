package store_test

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/audit"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// auditEvents is how many events newAuditChain appends.
const auditEvents = 5

// newAuditChain opens a fresh database of dialect, appends auditEvents
// events through the store and returns the store with a raw connection to
// the same database, for tampering behind the store's back.
func newAuditChain(t *testing.T, dialect string) (*store.Store, *sql.DB) {
	t.Helper()
	cfg := testdb.Config(t, dialect)
	s, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A clock with nanoseconds in a non-UTC zone: the chain must survive the
	// round trip through the database's own time type.
	clock := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("CET", 60*60))
	s.Now = func() time.Time {
		clock = clock.Add(1234567891 * time.Nanosecond)
		return clock
	}
	appendEvents(t, s, 1, auditEvents)
	return s, testdb.Raw(t, cfg)
}

// ada is the user most test events are by.
var ada = shieldwall.Actor{UserID: "0193a1b2-0000-7000-8000-00000000ada0", Email: "ada@example.com", Role: shieldwall.RoleAdmin}

// appendEvents appends events from, …, to, numbered like the seq they get
// in a fresh chain. Events by Ada (odd) and the system (even) alternate;
// the first two share a transaction.
func appendEvents(t *testing.T, s *store.Store, from, to int) {
	t.Helper()
	for i := from; i <= to; {
		n := 1
		if i == from && i < to {
			n = 2
		}
		mustInTx(t, s, func(tx *store.Tx) error {
			for k := i; k < i+n; k++ {
				actor := ada
				if k%2 == 0 {
					actor = shieldwall.SystemActor("cli")
				}
				if err := tx.AppendAudit(t.Context(), actor, "department.create", "department", fmt.Sprintf("dep-%d", k),
					fmt.Sprintf("Created department number %d", k)); err != nil {
					return err
				}
			}
			return nil
		})
		i += n
	}
}

// wantBreak fails the test unless err is an *audit.BreakError at seq.
func wantBreak(t *testing.T, err error, seq int64) {
	t.Helper()
	var be *audit.BreakError
	if !errors.As(err, &be) {
		t.Fatalf("VerifyAudit() error = %v; want *audit.BreakError at seq %d", err, seq)
	}
	if be.Seq != seq {
		t.Errorf("VerifyAudit() broke at seq %d (%s); want seq %d", be.Seq, be.Reason, seq)
	}
}

func TestAppendAudit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		at := time.Date(2026, 11, 27, 9, 30, 15, 987654321, time.FixedZone("CET", 60*60))
		s.Now = func() time.Time { return at }
		defer func() { s.Now = time.Now }()
		appendEvents(t, s, 1, 3)

		n, err := s.VerifyAudit(ctx)
		if err != nil || n != 3 {
			t.Fatalf("VerifyAudit() = %d, %v; want 3, nil", n, err)
		}
		evs, total, err := s.ListAudit(ctx, shieldwall.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(evs) != 3 {
			t.Fatalf("ListAudit() = %d events, total %d; want 3, 3", len(evs), total)
		}
		// Newest first, dense, each chained to the one before.
		for i, ev := range evs {
			wantSeq := int64(3 - i)
			if ev.Seq != wantSeq || ev.ID != fmt.Sprint(wantSeq) {
				t.Errorf("event %d: Seq, ID = %d, %q; want %d", i, ev.Seq, ev.ID, wantSeq)
			}
			if ev.Hash != audit.Hash(ev) {
				t.Errorf("event %d: Hash = %s; want %s", ev.Seq, ev.Hash, audit.Hash(ev))
			}
			if i+1 < len(evs) && ev.PrevHash != evs[i+1].Hash {
				t.Errorf("event %d: PrevHash = %s; want the hash of event %d, %s", ev.Seq, ev.PrevHash, evs[i+1].Seq, evs[i+1].Hash)
			}
			sameTime(t, fmt.Sprintf("event %d CreatedAt", ev.Seq), ev.CreatedAt, at)
		}
		if evs[2].PrevHash != audit.GenesisHash {
			t.Errorf("first event PrevHash = %s; want the genesis hash", evs[2].PrevHash)
		}
		first := evs[2]
		if first.ActorLabel != "ada@example.com" || first.ActorID != ada.UserID || first.Action != "department.create" ||
			first.ObjectType != "department" || first.ObjectID != "dep-1" || first.Summary != "Created department number 1" {
			t.Errorf("first event = %+v; want Ada creating dep-1", first)
		}
		if evs[1].ActorLabel != "system (cli)" || evs[1].ActorID != "" {
			t.Errorf("second event actor = %q, %q; want \"system (cli)\", \"\"", evs[1].ActorLabel, evs[1].ActorID)
		}

		t.Run("Filter", func(t *testing.T) {
			got, total, err := s.ListAudit(ctx, shieldwall.AuditFilter{ObjectType: "department", ObjectID: "dep-2"})
			if err != nil || total != 1 || len(got) != 1 || got[0].Seq != 2 {
				t.Errorf("ListAudit(dep-2) = %+v, total %d, %v; want event 2 alone", got, total, err)
			}
			got, total, err = s.ListAudit(ctx, shieldwall.AuditFilter{ActorID: ada.UserID})
			if err != nil || total != 2 || len(got) != 2 {
				t.Errorf("ListAudit(actor Ada) = %d events, total %d, %v; want 2, 2", len(got), total, err)
			}
			got, total, err = s.ListAudit(ctx, shieldwall.AuditFilter{Page: shieldwall.Page{Limit: 1, Offset: 1}})
			if err != nil || total != 3 || len(got) != 1 || got[0].Seq != 2 {
				t.Errorf("ListAudit(limit 1, offset 1) = %+v, total %d, %v; want event 2, total 3", got, total, err)
			}
		})

		t.Run("RolledBackLeavesNoEvent", func(t *testing.T) {
			boom := errors.New("boom")
			err := s.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.AppendAudit(ctx, shieldwall.SystemActor("test"), "setting.change", "setting", "x", "never happened"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx() = %v; want %v", err, boom)
			}
			if _, total, err := s.ListAudit(ctx, shieldwall.AuditFilter{}); err != nil || total != 3 {
				t.Errorf("ListAudit() total after rollback = %d, %v; want 3", total, err)
			}
			if n, err := s.VerifyAudit(ctx); err != nil || n != 3 {
				t.Errorf("VerifyAudit() after rollback = %d, %v; want 3, nil", n, err)
			}
			// The head did not move either: the next event is seq 4.
			appendEvents(t, s, 4, 4)
			if evs, _, err := s.ListAudit(ctx, shieldwall.AuditFilter{Page: shieldwall.Page{Limit: 1}}); err != nil || len(evs) != 1 || evs[0].Seq != 4 {
				t.Errorf("newest event after rollback and append = %+v, %v; want seq 4", evs, err)
			}
			if n, err := s.VerifyAudit(ctx); err != nil || n != 4 {
				t.Errorf("VerifyAudit() = %d, %v; want 4, nil", n, err)
			}
		})
	})
}

func TestAppendAuditConcurrent(t *testing.T) {
	// Appenders racing from many goroutines still build one dense chain:
	// the head row serialises them (a lock on PostgreSQL, the one writer on SQLite).
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		const workers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					errs <- s.InTx(t.Context(), func(tx *store.Tx) error {
						return tx.AppendAudit(t.Context(), shieldwall.SystemActor("worker"), "test.append", "test",
							fmt.Sprintf("%d-%d", w, i), "concurrent append")
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("AppendAudit: %v", err)
			}
		}
		if n, err := s.VerifyAudit(t.Context()); err != nil || n != workers*each {
			t.Errorf("VerifyAudit() = %d, %v; want %d, nil", n, err, workers*each)
		}
	})
}

func TestVerifyAudit(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Run("OK", func(t *testing.T) {
				s, _ := newAuditChain(t, d)
				if n, err := s.VerifyAudit(t.Context()); err != nil || n != auditEvents {
					t.Errorf("VerifyAudit() = %d, %v; want %d, nil", n, err, auditEvents)
				}
			})
			t.Run("EmptyOK", func(t *testing.T) {
				s := testdb.Open(t, d)
				if n, err := s.VerifyAudit(t.Context()); err != nil || n != 0 {
					t.Errorf("VerifyAudit() = %d, %v; want 0, nil", n, err)
				}
			})

			// Each case tampers with the five-event chain through raw SQL and
			// names the first sequence number that must be reported.
			tests := []struct {
				name    string
				tamper  func(t *testing.T, raw *sql.DB)
				wantSeq int64
			}{
				{"ErrSummaryEdited", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, "UPDATE audit_events SET summary = 'Nothing happened' WHERE seq = 3")
				}, 3},
				{"ErrActorEdited", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, "UPDATE audit_events SET actor_label = 'someone-else@example.com' WHERE seq = 3")
				}, 3},
				{"ErrTimeEdited", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, "UPDATE audit_events SET created_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 3")
				}, 3},
				{"ErrHashRecomputedAfterEdit", func(t *testing.T, raw *sql.DB) {
					// Editing an event and sealing it again with a valid hash
					// breaks the link from the next event.
					ev := rawEvent(t, raw, 3)
					ev.Summary = "Nothing happened"
					ev.Hash = audit.Hash(ev)
					mustExec(t, raw, fmt.Sprintf("UPDATE audit_events SET summary = 'Nothing happened', hash = '%s' WHERE seq = 3", ev.Hash))
				}, 4},
				{"ErrMiddleDeleted", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, "DELETE FROM audit_events WHERE seq = 3")
				}, 3},
				{"ErrFirstDeleted", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, "DELETE FROM audit_events WHERE seq = 1")
				}, 1},
				{"ErrLastDeleted", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, fmt.Sprintf("DELETE FROM audit_events WHERE seq = %d", auditEvents))
				}, auditEvents},
				{"ErrAllDeleted", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, "DELETE FROM audit_events")
				}, 1},
				{"ErrReordered", func(t *testing.T, raw *sql.DB) {
					// Swap events 2 and 4; seq is a primary key, so go through a free number.
					mustExec(t, raw,
						"UPDATE audit_events SET seq = -2 WHERE seq = 2",
						"UPDATE audit_events SET seq = 2 WHERE seq = 4",
						"UPDATE audit_events SET seq = 4 WHERE seq = -2")
				}, 2},
				{"ErrAdjacentSwapped", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw,
						"UPDATE audit_events SET seq = -3 WHERE seq = 3",
						"UPDATE audit_events SET seq = 3 WHERE seq = 4",
						"UPDATE audit_events SET seq = 4 WHERE seq = -3")
				}, 3},
				{"ErrForgedInserted", func(t *testing.T, raw *sql.DB) {
					renumberFrom(t, raw, 3)
					prev := rawEvent(t, raw, 2)
					mustExec(t, raw, insertEvent(shieldwall.AuditEvent{
						Seq: 3, CreatedAt: prev.CreatedAt, ActorLabel: "mallory@example.com", Action: "user.delete",
						ObjectType: "user", ObjectID: "u-1", Summary: "Forged", PrevHash: prev.Hash,
						Hash: "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
					}))
				}, 3},
				{"ErrForgedInsertedWithValidHash", func(t *testing.T, raw *sql.DB) {
					// A forger who seals the inserted event properly gets it past
					// the check, but the event after it no longer links or matches.
					renumberFrom(t, raw, 3)
					prev := rawEvent(t, raw, 2)
					ev := shieldwall.AuditEvent{
						Seq: 3, CreatedAt: prev.CreatedAt, ActorLabel: "mallory@example.com", Action: "user.delete",
						ObjectType: "user", ObjectID: "u-1", Summary: "Forged", PrevHash: prev.Hash,
					}
					ev.Hash = audit.Hash(ev)
					mustExec(t, raw, insertEvent(ev))
				}, 4},
				{"ErrAppendedBehindTheStore", func(t *testing.T, raw *sql.DB) {
					// A well-formed event appended without moving the head.
					last := rawEvent(t, raw, auditEvents)
					ev := shieldwall.AuditEvent{
						Seq: auditEvents + 1, CreatedAt: last.CreatedAt, ActorLabel: "mallory@example.com", Action: "user.delete",
						ObjectType: "user", ObjectID: "u-1", Summary: "Forged", PrevHash: last.Hash,
					}
					ev.Hash = audit.Hash(ev)
					mustExec(t, raw, insertEvent(ev))
				}, auditEvents + 1},
				{"ErrHeadMoved", func(t *testing.T, raw *sql.DB) {
					mustExec(t, raw, "UPDATE audit_head SET hash = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' WHERE id = 1")
				}, auditEvents},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					s, raw := newAuditChain(t, d)
					if _, err := s.VerifyAudit(t.Context()); err != nil {
						t.Fatalf("VerifyAudit() before tampering = %v; want nil", err)
					}
					tt.tamper(t, raw)
					_, err := s.VerifyAudit(t.Context())
					wantBreak(t, err, tt.wantSeq)
				})
			}
		})
	}
}

// rawEvent reads event seq straight from the table.
func rawEvent(t *testing.T, raw *sql.DB, seq int64) shieldwall.AuditEvent {
	t.Helper()
	var ev shieldwall.AuditEvent
	var created any
	err := raw.QueryRowContext(t.Context(), fmt.Sprintf(`SELECT seq, created_at, actor_id, actor_label, action,
		object_type, object_id, summary, prev_hash, hash FROM audit_events WHERE seq = %d`, seq)).Scan(
		&ev.Seq, &created, &ev.ActorID, &ev.ActorLabel, &ev.Action, &ev.ObjectType, &ev.ObjectID, &ev.Summary, &ev.PrevHash, &ev.Hash)
	if err != nil {
		t.Fatalf("read event %d: %v", seq, err)
	}
	switch c := created.(type) {
	case time.Time:
		ev.CreatedAt = c.UTC()
	case string:
		ev.CreatedAt, err = time.Parse(time.RFC3339Nano, c)
	default:
		err = fmt.Errorf("unexpected %T", created)
	}
	if err != nil {
		t.Fatalf("read event %d created_at: %v", seq, err)
	}
	return ev
}

// renumberFrom moves events seq and later up by one, leaving seq free.
// seq is a primary key, so they pass through negative numbers.
func renumberFrom(t *testing.T, raw *sql.DB, seq int64) {
	t.Helper()
	mustExec(t, raw,
		fmt.Sprintf("UPDATE audit_events SET seq = -seq WHERE seq >= %d", seq),
		"UPDATE audit_events SET seq = -seq + 1 WHERE seq < 0")
}

// insertEvent is an INSERT of ev without arguments, readable by both databases.
func insertEvent(ev shieldwall.AuditEvent) string {
	return fmt.Sprintf(`INSERT INTO audit_events
		(seq, created_at, actor_id, actor_label, action, object_type, object_id, summary, prev_hash, hash)
		VALUES (%d, '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s')`,
		ev.Seq, ev.CreatedAt.UTC().Format(audit.TimeFormat), ev.ActorID, ev.ActorLabel, ev.Action,
		ev.ObjectType, ev.ObjectID, ev.Summary, ev.PrevHash, ev.Hash)
}

func TestVerifyAuditWhileAppending(t *testing.T) {
	// Verify reads the events and the head from one snapshot: appends that
	// commit while it runs are not mistaken for tampering.
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		appendEvents(t, s, 1, 50)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.InTx(t.Context(), func(tx *store.Tx) error {
					return tx.AppendAudit(t.Context(), shieldwall.SystemActor("writer"), "test.append", "test", "", "while verifying")
				})
				if err != nil {
					t.Errorf("AppendAudit: %v", err)
					return
				}
			}
		})
		defer wg.Wait()
		defer close(stop)
		for range 100 {
			if _, err := s.VerifyAudit(t.Context()); err != nil {
				t.Fatalf("VerifyAudit() during appends = %v; want nil", err)
			}
		}
	})
}
