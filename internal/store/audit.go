package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/audit"
)

const (
	sqlInsertAudit = `INSERT INTO audit_events
		(seq, created_at, actor_id, actor_label, action, object_type, object_id, summary, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlMoveAuditHead = `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`
)

// auditHead is the chain's head as a transaction sees and moves it. It is
// read (and on PostgreSQL locked) at the transaction's first append and
// written once at commit, so a batch of changes pays for it once.
type auditHead struct {
	seq   int64
	hash  string
	moved bool // an event was appended: the head row needs writing
}

// loadAuditHead reads (and on PostgreSQL locks) the chain's head.
func (tx *Tx) loadAuditHead(ctx context.Context) error {
	h := &auditHead{}
	if err := tx.queryRow(ctx, tx.d.lockAuditHead).Scan(&h.seq, &h.hash); err != nil {
		return fmt.Errorf("store: read audit head: %w", err)
	}
	tx.audit = h
	return nil
}

// AppendAudit adds ev to the chain inside tx; it is durable exactly when the change it records is.
func (tx *Tx) AppendAudit(ctx context.Context, actor shieldwall.Actor, action, objectType, objectID, summary string) error {
	if tx.audit == nil {
		if err := tx.loadAuditHead(ctx); err != nil {
			return err
		}
	}
	headSeq, headHash := tx.audit.seq, tx.audit.hash
	ev := shieldwall.AuditEvent{
		CreatedAt:  tx.Now,
		ActorID:    actor.UserID,
		ActorLabel: actor.Label(),
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID,
		Summary:    summary,
	}
	audit.Seal(&ev, headSeq, headHash)
	row := []any{ev.Seq, tx.timeArg(ev.CreatedAt), ev.ActorID, ev.ActorLabel, ev.Action, ev.ObjectType, ev.ObjectID, ev.Summary, ev.PrevHash, ev.Hash}
	if tx.pending != nil {
		// A batch writes its events together, in chain order (batch.go).
		tx.pending.audit = append(tx.pending.audit, row...)
	} else if _, err := tx.exec(ctx, sqlInsertAudit, row...); err != nil {
		return fmt.Errorf("store: append audit event: %w", err)
	}
	tx.audit.seq, tx.audit.hash, tx.audit.moved = ev.Seq, ev.Hash, true
	return nil
}

// flushAuditHead records where this transaction left the chain.
func (tx *Tx) flushAuditHead(ctx context.Context) error {
	if tx.audit == nil || !tx.audit.moved {
		return nil
	}
	if _, err := tx.exec(ctx, sqlMoveAuditHead, tx.audit.seq, tx.audit.hash); err != nil {
		return fmt.Errorf("store: move audit head: %w", err)
	}
	return nil
}

const auditColumns = `seq, created_at, actor_id, actor_label, action, object_type, object_id, summary, prev_hash, hash`

func scanAudit(sc interface{ Scan(...any) error }) (shieldwall.AuditEvent, error) {
	var ev shieldwall.AuditEvent
	var t dbTime
	err := sc.Scan(&ev.Seq, &t, &ev.ActorID, &ev.ActorLabel, &ev.Action, &ev.ObjectType, &ev.ObjectID, &ev.Summary, &ev.PrevHash, &ev.Hash)
	ev.CreatedAt = t.Time
	ev.ID = fmt.Sprint(ev.Seq)
	return ev, err
}

// ListAudit returns audit events, newest first.
func (s *Store) ListAudit(ctx context.Context, f shieldwall.AuditFilter) ([]shieldwall.AuditEvent, int, error) {
	f.Page = f.Page.Normalize()
	where, args := "1 = 1", []any{}
	if f.ObjectType != "" {
		where += " AND object_type = ?"
		args = append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		where += " AND object_id = ?"
		args = append(args, f.ObjectID)
	}
	if f.ActorID != "" {
		where += " AND actor_id = ?"
		args = append(args, f.ActorID)
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count audit: %w", err)
	}
	rows, err := s.r().query(ctx, "SELECT "+auditColumns+" FROM audit_events WHERE "+where+
		" ORDER BY seq DESC LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list audit", scanAudit)
	return out, total, err
}

// VerifyAudit walks the whole chain in order and returns the number of
// events checked, or an *audit.BreakError naming the first bad sequence number.
func (s *Store) VerifyAudit(ctx context.Context) (int64, error) {
	// The events and the head are read from one snapshot, so that appends
	// committed meanwhile are not taken for tampering. A SQLite read
	// transaction is a snapshot from its first read (WAL); PostgreSQL
	// needs REPEATABLE READ for one.
	sqlTx, err := s.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("store: read audit: %w", err)
	}
	defer sqlTx.Rollback()
	snap := &Tx{tx: sqlTx, d: s.d}
	rows, err := snap.query(ctx, "SELECT "+auditColumns+" FROM audit_events ORDER BY seq")
	if err != nil {
		return 0, fmt.Errorf("store: read audit: %w", err)
	}
	defer rows.Close()
	var v audit.Verifier
	for rows.Next() {
		ev, err := scanAudit(rows)
		if err != nil {
			return v.Count(), fmt.Errorf("store: scan audit: %w", err)
		}
		if err := v.Next(ev); err != nil {
			return v.Count(), err
		}
	}
	if err := rows.Err(); err != nil {
		return v.Count(), fmt.Errorf("store: read audit: %w", err)
	}
	// The head remembers where the chain ended; events cut from the end show here.
	var headSeq int64
	var headHash string
	if err := snap.queryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return v.Count(), fmt.Errorf("store: read audit head: %w", err)
	}
	switch {
	case headSeq > v.Count():
		return v.Count(), &audit.BreakError{Seq: v.Count() + 1, Reason: fmt.Sprintf("the chain ends at seq %d but its head records seq %d (events were removed from the end)", v.Count(), headSeq)}
	case headSeq < v.Count():
		return v.Count(), &audit.BreakError{Seq: headSeq + 1, Reason: fmt.Sprintf("the chain goes on to seq %d but its head records seq %d (events were added without the store)", v.Count(), headSeq)}
	}
	if headSeq > 0 && headHash != v.Head() {
		return v.Count(), &audit.BreakError{Seq: headSeq, Reason: "the last event's hash does not match the recorded head"}
	}
	return v.Count(), nil
}
