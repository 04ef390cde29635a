package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
)

// PutCommitteeMember seats a user on the committee for a department (or
// changes the department they represent).
func (tx *Tx) PutCommitteeMember(ctx context.Context, userID, departmentID string) error {
	_, err := tx.exec(ctx, `INSERT INTO committee_members (user_id, department_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET department_id = excluded.department_id`, userID, departmentID, at(tx.Now))
	if isForeignKeyViolation(err) {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "user_id", "There is no such person or department.")
	} else if err != nil {
		return fmt.Errorf("store: put committee member: %w", err)
	}
	return nil
}

// RemoveCommitteeMember takes a user off the committee.
func (tx *Tx) RemoveCommitteeMember(ctx context.Context, userID string) error {
	res, err := tx.exec(ctx, `DELETE FROM committee_members WHERE user_id = ?`, userID)
	if err != nil {
		return fmt.Errorf("store: remove committee member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "That person is not on the committee.")
	}
	return nil
}

// ListCommitteeMembers returns the committee, by department.
func (s *Store) ListCommitteeMembers(ctx context.Context) ([]shieldwall.CommitteeMember, error) {
	rows, err := s.r().query(ctx, `SELECT m.user_id, u.name, u.email, m.department_id, d.name, m.created_at
		FROM committee_members m JOIN users u ON u.id = m.user_id JOIN departments d ON d.id = m.department_id ORDER BY d.name, u.name`)
	return collect(rows, err, "list committee", func(sc rowScanner) (shieldwall.CommitteeMember, error) {
		var m shieldwall.CommitteeMember
		var c dbTime
		err := sc.Scan(&m.UserID, &m.UserName, &m.Email, &m.DepartmentID, &m.DepartmentName, &c)
		m.CreatedAt = c.Time
		return m, err
	})
}

// IsCommitteeMember reports whether the user sits on the committee.
func (s *Store) IsCommitteeMember(ctx context.Context, userID string) (bool, error) {
	var n int
	if err := s.r().queryRow(ctx, `SELECT COUNT(*) FROM committee_members WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("store: committee member: %w", err)
	}
	return n > 0, nil
}

const meetingSelect = `SELECT id, title, starts_at, duration_minutes, location, minutes, sequence, created_by, created_at, updated_at FROM meetings`

func scanMeeting(sc interface{ Scan(...any) error }) (shieldwall.Meeting, error) {
	var m shieldwall.Meeting
	var s, c, u dbTime
	err := sc.Scan(&m.ID, &m.Title, &s, &m.DurationMinutes, &m.Location, &m.Minutes, &m.Sequence, &m.CreatedBy, &c, &u)
	m.StartsAt, m.CreatedAt, m.UpdatedAt = s.Time, c.Time, u.Time
	m.Items, m.Decisions = []shieldwall.MeetingItem{}, []shieldwall.Decision{}
	return m, err
}

// CreateMeeting inserts m.
func (tx *Tx) CreateMeeting(ctx context.Context, m *shieldwall.Meeting) error {
	if m.ID == "" {
		m.ID = NewID()
	}
	m.CreatedAt, m.UpdatedAt = tx.Now, tx.Now
	_, err := tx.exec(ctx, `INSERT INTO meetings (id, title, starts_at, duration_minutes, location, minutes, sequence, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.Title, at(m.StartsAt), m.DurationMinutes, m.Location, m.Minutes, m.Sequence, m.CreatedBy, at(m.CreatedAt), at(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create meeting: %w", err)
	}
	return nil
}

// UpdateMeeting writes m's changeable fields.
func (tx *Tx) UpdateMeeting(ctx context.Context, m *shieldwall.Meeting) error {
	m.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE meetings SET title = ?, starts_at = ?, duration_minutes = ?, location = ?, minutes = ?, sequence = ?, updated_at = ?
		WHERE id = ?`, m.Title, at(m.StartsAt), m.DurationMinutes, m.Location, m.Minutes, m.Sequence, at(m.UpdatedAt), m.ID)
	if err != nil {
		return fmt.Errorf("store: update meeting: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errMeetingNotFound
	}
	return nil
}

var errMeetingNotFound = shieldwall.Errorf(shieldwall.ENOTFOUND, "Meeting not found.")

// FindMeeting returns a meeting with its free items and decisions, as the transaction sees it.
func (tx *Tx) FindMeeting(ctx context.Context, id string) (shieldwall.Meeting, error) {
	return findMeeting(ctx, tx, id)
}

// FindMeeting returns a meeting with its free items and decisions.
func (s *Store) FindMeeting(ctx context.Context, id string) (shieldwall.Meeting, error) {
	return findMeeting(ctx, s.r(), id)
}

func findMeeting(ctx context.Context, q queryer, id string) (shieldwall.Meeting, error) {
	m, err := scanMeeting(q.queryRow(ctx, meetingSelect+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errMeetingNotFound
	} else if err != nil {
		return m, fmt.Errorf("store: find meeting: %w", err)
	}
	rows, err := q.query(ctx, `SELECT id, title, notes, created_at FROM meeting_items WHERE meeting_id = ? ORDER BY created_at, id`, id)
	m.Items, err = collect(rows, err, "list meeting items", func(sc rowScanner) (shieldwall.MeetingItem, error) {
		var it shieldwall.MeetingItem
		var c dbTime
		err := sc.Scan(&it.ID, &it.Title, &it.Notes, &c)
		it.CreatedAt = c.Time
		return it, err
	})
	if err != nil {
		return m, err
	}
	if m.Decisions, err = listDecisions(ctx, q, " WHERE d.meeting_id = ?", id); err != nil {
		return m, err
	}
	return m, nil
}

// ListMeetings returns meetings, latest first, and how many there are.
func (s *Store) ListMeetings(ctx context.Context, p shieldwall.Page) ([]shieldwall.Meeting, int, error) {
	p = p.Normalize()
	var total int
	if err := s.r().queryRow(ctx, `SELECT COUNT(*) FROM meetings`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count meetings: %w", err)
	}
	rows, err := s.r().query(ctx, meetingSelect+" ORDER BY starts_at DESC, id DESC LIMIT ? OFFSET ?", p.Limit, p.Offset)
	out, err := collect(rows, err, "list meetings", scanMeeting)
	return out, total, err
}

// PreviousMeetingStart returns when the latest meeting before t started;
// ok is false when there was none.
func (s *Store) PreviousMeetingStart(ctx context.Context, t time.Time) (time.Time, bool, error) {
	var v nullTime
	if err := s.r().queryRow(ctx, `SELECT MAX(starts_at) FROM meetings WHERE starts_at < ?`, at(t)).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("store: previous meeting: %w", err)
	}
	return v.Time, v.Valid, nil
}

// AddMeetingItem adds a free agenda item.
func (tx *Tx) AddMeetingItem(ctx context.Context, meetingID string, it *shieldwall.MeetingItem, by string) error {
	it.ID, it.CreatedAt = NewID(), tx.Now
	_, err := tx.exec(ctx, `INSERT INTO meeting_items (id, meeting_id, title, notes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		it.ID, meetingID, it.Title, it.Notes, by, at(it.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add meeting item: %w", err)
	}
	return nil
}

// AddDecision records a decision in the register.
func (tx *Tx) AddDecision(ctx context.Context, d *shieldwall.Decision) error {
	d.ID, d.CreatedAt = NewID(), tx.Now
	_, err := tx.exec(ctx, `INSERT INTO decisions (id, meeting_id, text, object_type, object_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.MeetingID, d.Text, d.ObjectType, d.ObjectID, d.CreatedBy, at(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add decision: %w", err)
	}
	return nil
}

func listDecisions(ctx context.Context, q queryer, cond string, args ...any) ([]shieldwall.Decision, error) {
	rows, err := q.query(ctx, `SELECT d.id, d.meeting_id, m.title, d.text, d.object_type, d.object_id, d.created_by, d.created_at
		FROM decisions d JOIN meetings m ON m.id = d.meeting_id`+cond+` ORDER BY d.created_at DESC, d.id DESC LIMIT 1000`, args...)
	return collect(rows, err, "list decisions", func(sc rowScanner) (shieldwall.Decision, error) {
		var d shieldwall.Decision
		var c dbTime
		err := sc.Scan(&d.ID, &d.MeetingID, &d.MeetingTitle, &d.Text, &d.ObjectType, &d.ObjectID, &d.CreatedBy, &c)
		d.CreatedAt = c.Time
		return d, err
	})
}

// ListDecisions returns the decisions register, newest first; objectType
// and objectID, when set, keep the decisions about one thing.
func (s *Store) ListDecisions(ctx context.Context, objectType, objectID string) ([]shieldwall.Decision, error) {
	cond, args := "", []any{}
	if objectType != "" {
		cond, args = " WHERE d.object_type = ?", append(args, objectType)
		if objectID != "" {
			cond, args = cond+" AND d.object_id = ?", append(args, objectID)
		}
	}
	return listDecisions(ctx, s.r(), cond, args...)
}

// AgendaRisk is a risk as the agenda needs it.
type AgendaRisk struct {
	ID, Title, Acceptance, Department string
	Score                             int
	CreatedAt                         time.Time
}

// AgendaRisks returns risks scored at least minScore or pending acceptance.
func (s *Store) AgendaRisks(ctx context.Context, minScore int) ([]AgendaRisk, error) {
	rows, err := s.r().query(ctx, `SELECT r.id, r.title, r.acceptance, d.name, r.score, r.created_at FROM risks r
		JOIN departments d ON d.id = r.owner_department_id WHERE r.score >= ? OR r.acceptance = 'pending' ORDER BY r.score DESC, r.created_at LIMIT 500`, minScore)
	return collect(rows, err, "agenda risks", func(sc rowScanner) (AgendaRisk, error) {
		var r AgendaRisk
		var c dbTime
		err := sc.Scan(&r.ID, &r.Title, &r.Acceptance, &r.Department, &r.Score, &c)
		r.CreatedAt = c.Time
		return r, err
	})
}
