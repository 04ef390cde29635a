// Package audit computes and checks the SHA-256 chain of audit events.
// It holds no SQL: the store appends events inside the caller's transaction
// and feeds stored events to a Verifier.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
)

// GenesisHash is the prev_hash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// TimeFormat is how an event's time enters the hash: fixed width, UTC,
// microseconds, because both databases keep microseconds.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Hash returns the hex SHA-256 of ev's fields chained to ev.PrevHash. Every
// field is length-prefixed, so no two different events encode alike, and
// seq is included, so a reordered or renumbered event no longer matches.
func Hash(ev shieldwall.AuditEvent) string {
	h := sha256.New()
	var n [8]byte
	write := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	binary.BigEndian.PutUint64(n[:], uint64(ev.Seq))
	h.Write(n[:])
	write(ev.PrevHash)
	write(ev.CreatedAt.UTC().Format(TimeFormat))
	write(ev.ActorID)
	write(ev.ActorLabel)
	write(ev.Action)
	write(ev.ObjectType)
	write(ev.ObjectID)
	write(ev.Summary)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal fills in the chain fields of ev, which follows prev (nil for the first event).
func Seal(ev *shieldwall.AuditEvent, prevSeq int64, prevHash string) {
	if prevHash == "" {
		prevHash = GenesisHash
	}
	ev.Seq = prevSeq + 1
	ev.PrevHash = prevHash
	ev.CreatedAt = ev.CreatedAt.UTC().Truncate(time.Microsecond)
	ev.Hash = Hash(*ev)
}

// BreakError says where the chain first breaks and how.
type BreakError struct {
	Seq    int64 // the first sequence number that does not fit
	Reason string
}

func (e *BreakError) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", e.Seq, e.Reason)
}

// Verifier checks events fed to it in ascending seq order.
type Verifier struct {
	lastSeq  int64
	lastHash string
	count    int64
}

// Next checks ev against everything before it and returns a *BreakError at the first fault.
func (v *Verifier) Next(ev shieldwall.AuditEvent) error {
	want := v.lastSeq + 1
	prev := v.lastHash
	if prev == "" {
		prev = GenesisHash
	}
	switch {
	case ev.Seq != want:
		// A gap means a deleted event; a repeat or step back, an inserted or moved one.
		// Either way the first bad position is the one we expected next.
		return &BreakError{Seq: want, Reason: fmt.Sprintf("expected seq %d, found %d (an event was deleted, inserted or moved)", want, ev.Seq)}
	case ev.PrevHash != prev:
		return &BreakError{Seq: ev.Seq, Reason: "prev_hash does not match the previous event's hash"}
	case Hash(ev) != ev.Hash:
		return &BreakError{Seq: ev.Seq, Reason: "the event's content does not match its hash (it was edited)"}
	}
	v.lastSeq, v.lastHash = ev.Seq, ev.Hash
	v.count++
	return nil
}

// Count is how many events have been verified.
func (v *Verifier) Count() int64 { return v.count }

// Head is the hash of the last verified event.
func (v *Verifier) Head() string { return v.lastHash }
