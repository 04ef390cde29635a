package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
)

const controlSelect = `SELECT c.id, c.title, c.description, c.owner_department_id, d.name, c.status, c.justification,
	(SELECT COUNT(*) FROM evidence e WHERE e.control_id = c.id), c.created_by, c.created_at, c.updated_at
	FROM controls c JOIN departments d ON d.id = c.owner_department_id`

func scanControl(sc interface{ Scan(...any) error }) (shieldwall.Control, error) {
	var c shieldwall.Control
	var cr, up dbTime
	err := sc.Scan(&c.ID, &c.Title, &c.Description, &c.OwnerDepartmentID, &c.OwnerDepartmentName, &c.Status, &c.Justification,
		&c.EvidenceCount, &c.CreatedBy, &cr, &up)
	c.CreatedAt, c.UpdatedAt, c.Mappings = cr.Time, up.Time, []shieldwall.ControlMapping{}
	return c, err
}

var errControlNotFound = shieldwall.Errorf(shieldwall.ENOTFOUND, "Control not found.")

// CreateControl inserts c and its mappings; the caller validates and audits.
func (tx *Tx) CreateControl(ctx context.Context, c *shieldwall.Control) error {
	if c.ID == "" {
		c.ID = NewID()
	}
	c.CreatedAt, c.UpdatedAt = tx.Now, tx.Now
	_, err := tx.exec(ctx, `INSERT INTO controls (id, title, description, owner_department_id, status, justification, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Title, c.Description, c.OwnerDepartmentID, c.Status, c.Justification, c.CreatedBy, at(c.CreatedAt), at(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create control: %w", err)
	}
	return tx.setMappings(ctx, c.ID, c.Mappings)
}

// UpdateControl writes c's changeable fields and replaces its mappings.
func (tx *Tx) UpdateControl(ctx context.Context, c *shieldwall.Control) error {
	c.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE controls SET title = ?, description = ?, owner_department_id = ?, status = ?, justification = ?, updated_at = ?
		WHERE id = ?`, c.Title, c.Description, c.OwnerDepartmentID, c.Status, c.Justification, at(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("store: update control: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errControlNotFound
	}
	return tx.setMappings(ctx, c.ID, c.Mappings)
}

func (tx *Tx) setMappings(ctx context.Context, controlID string, ms []shieldwall.ControlMapping) error {
	if _, err := tx.exec(ctx, `DELETE FROM control_mappings WHERE control_id = ?`, controlID); err != nil {
		return fmt.Errorf("store: clear mappings: %w", err)
	}
	for _, m := range ms {
		if _, err := tx.exec(ctx, `INSERT INTO control_mappings (control_id, framework_id, requirement_id) VALUES (?, ?, ?)`,
			controlID, m.FrameworkID, m.RequirementID); err != nil {
			return fmt.Errorf("store: map control: %w", err)
		}
	}
	return nil
}

// FindControl returns one control with its mappings, as the transaction sees it.
func (tx *Tx) FindControl(ctx context.Context, id string) (shieldwall.Control, error) {
	return findControl(ctx, tx, id)
}

// FindControl returns one control with its mappings.
func (s *Store) FindControl(ctx context.Context, id string) (shieldwall.Control, error) {
	return findControl(ctx, s.r(), id)
}

func findControl(ctx context.Context, q queryer, id string) (shieldwall.Control, error) {
	c, err := scanControl(q.queryRow(ctx, controlSelect+" WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errControlNotFound
	} else if err != nil {
		return c, fmt.Errorf("store: find control: %w", err)
	}
	cs := []shieldwall.Control{c}
	err = fillMappings(ctx, q, cs)
	return cs[0], err
}

func fillMappings(ctx context.Context, q queryer, cs []shieldwall.Control) error {
	if len(cs) == 0 {
		return nil
	}
	idx := map[string]int{}
	ph := make([]string, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		idx[c.ID], ph[i], args[i] = i, "?", c.ID
	}
	rows, err := q.query(ctx, `SELECT control_id, framework_id, requirement_id FROM control_mappings WHERE control_id IN (`+
		strings.Join(ph, ", ")+`) ORDER BY framework_id, requirement_id`, args...)
	if err != nil {
		return fmt.Errorf("store: list mappings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var m shieldwall.ControlMapping
		if err := rows.Scan(&id, &m.FrameworkID, &m.RequirementID); err != nil {
			return fmt.Errorf("store: scan mapping: %w", err)
		}
		cs[idx[id]].Mappings = append(cs[idx[id]].Mappings, m)
	}
	return rows.Err()
}

// ListControls returns controls matching f by title, with their mappings,
// and how many match in all.
func (s *Store) ListControls(ctx context.Context, f shieldwall.ControlFilter) ([]shieldwall.Control, int, error) {
	f.Page = f.Page.Normalize()
	var where []string
	var args []any
	if f.DepartmentID != "" {
		where, args = append(where, "c.owner_department_id = ?"), append(args, f.DepartmentID)
	}
	if f.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}
	if f.FrameworkID != "" {
		where, args = append(where, "EXISTS (SELECT 1 FROM control_mappings m WHERE m.control_id = c.id AND m.framework_id = ?)"), append(args, f.FrameworkID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM controls c"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count controls: %w", err)
	}
	rows, err := s.r().query(ctx, controlSelect+cond+" ORDER BY c.title, c.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	cs, err := collect(rows, err, "list controls", scanControl)
	if err != nil {
		return nil, 0, err
	}
	return cs, total, fillMappings(ctx, s.r(), cs)
}

// ControlFact is what compliance needs of one control.
type ControlFact struct {
	ID, Title, DepartmentID, DepartmentName, Status, Justification string
	CurrentEvidence                                                bool // some evidence is valid on the day asked
}

// MappingFact is one mapping of a control.
type MappingFact struct {
	ControlID, FrameworkID, RequirementID string
}

// ComplianceFacts reads every control (with whether it has evidence valid
// on today, YYYY-MM-DD) and every mapping, in three aggregate queries: the
// compliance computation then runs in memory.
func (s *Store) ComplianceFacts(ctx context.Context, today string) ([]ControlFact, []MappingFact, error) {
	// One index range per control (evidence_control is on control_id, valid_until)
	// instead of a scan of every evidence row.
	rows, err := s.r().query(ctx, `SELECT c.id, c.title, c.owner_department_id, d.name, c.status, c.justification,
		CASE WHEN EXISTS (SELECT 1 FROM evidence e WHERE e.control_id = c.id AND (e.valid_until = '' OR e.valid_until >= ?)) THEN 1 ELSE 0 END
		FROM controls c JOIN departments d ON d.id = c.owner_department_id ORDER BY c.id`, today)
	cs, err := collect(rows, err, "control facts", func(sc rowScanner) (ControlFact, error) {
		var c ControlFact
		var current int
		err := sc.Scan(&c.ID, &c.Title, &c.DepartmentID, &c.DepartmentName, &c.Status, &c.Justification, &current)
		c.CurrentEvidence = current == 1
		return c, err
	})
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.r().query(ctx, `SELECT control_id, framework_id, requirement_id FROM control_mappings`)
	ms, err := collect(rows, err, "mapping facts", func(sc rowScanner) (MappingFact, error) {
		var m MappingFact
		err := sc.Scan(&m.ControlID, &m.FrameworkID, &m.RequirementID)
		return m, err
	})
	if err != nil {
		return nil, nil, err
	}
	return cs, ms, nil
}

// AddEvidence stores e (and data, for a file); e.ID and CreatedAt are filled in.
func (tx *Tx) AddEvidence(ctx context.Context, e *shieldwall.Evidence, data []byte) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	e.CreatedAt = tx.Now
	var blob any
	if data != nil {
		blob = data
	}
	_, err := tx.exec(ctx, `INSERT INTO evidence (id, control_id, title, url, filename, content_type, size, data, valid_until, added_by, added_by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.ControlID, e.Title, e.URL, e.Filename, e.ContentType, e.Size, blob,
		e.ValidUntil, e.AddedBy, e.AddedByName, at(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add evidence: %w", err)
	}
	return nil
}

const evidenceSelect = `SELECT e.id, e.control_id, e.title, e.url, e.filename, e.content_type, e.size, e.valid_until, e.added_by, e.added_by_name,
	e.created_at, c.title, c.owner_department_id FROM evidence e JOIN controls c ON c.id = e.control_id`

func scanEvidence(sc interface{ Scan(...any) error }) (shieldwall.Evidence, error) {
	var e shieldwall.Evidence
	var c dbTime
	err := sc.Scan(&e.ID, &e.ControlID, &e.Title, &e.URL, &e.Filename, &e.ContentType, &e.Size, &e.ValidUntil, &e.AddedBy, &e.AddedByName,
		&c, &e.ControlTitle, &e.OwnerDepartmentID)
	e.CreatedAt = c.Time
	return e, err
}

func (s *Store) listEvidence(ctx context.Context, cond string, args ...any) ([]shieldwall.Evidence, error) {
	rows, err := s.r().query(ctx, evidenceSelect+cond, args...)
	return collect(rows, err, "list evidence", scanEvidence)
}

// ListEvidence returns a control's evidence, newest first.
func (s *Store) ListEvidence(ctx context.Context, controlID string) ([]shieldwall.Evidence, error) {
	return s.listEvidence(ctx, " WHERE e.control_id = ? ORDER BY e.created_at DESC, e.id DESC LIMIT 1000", controlID)
}

// ExpiringEvidence returns evidence valid until a date before the given one
// (expired ones included), soonest first; departmentID narrows it to the
// controls a department owns.
func (s *Store) ExpiringEvidence(ctx context.Context, before, departmentID string, limit int) ([]shieldwall.Evidence, error) {
	cond, args := " WHERE e.valid_until <> '' AND e.valid_until < ?", []any{before}
	if departmentID != "" {
		cond, args = cond+" AND c.owner_department_id = ?", append(args, departmentID)
	}
	return s.listEvidence(ctx, cond+" ORDER BY e.valid_until, e.id LIMIT ?", append(args, limit)...)
}

// EvidenceFile returns a file evidence's metadata and bytes.
func (s *Store) EvidenceFile(ctx context.Context, controlID, id string) (shieldwall.Evidence, []byte, error) {
	var data []byte
	e, err := scanEvidence(s.r().queryRow(ctx, evidenceSelect+" WHERE e.id = ? AND e.control_id = ?", id, controlID))
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil, shieldwall.Errorf(shieldwall.ENOTFOUND, "Evidence not found.")
	} else if err != nil {
		return e, nil, fmt.Errorf("store: find evidence: %w", err)
	}
	if err := s.r().queryRow(ctx, `SELECT data FROM evidence WHERE id = ?`, id).Scan(&data); err != nil {
		return e, nil, fmt.Errorf("store: read evidence: %w", err)
	}
	return e, data, nil
}

// ImportedFramework is a framework imported from an OSCAL catalog.
type ImportedFramework struct {
	ID, Title, Version, Requirements, CreatedBy string // Requirements is JSON
	CreatedAt                                   time.Time
}

// SaveFramework stores an imported framework; an existing id is a conflict.
func (tx *Tx) SaveFramework(ctx context.Context, f *ImportedFramework) error {
	f.CreatedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO frameworks (id, title, version, requirements, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		f.ID, f.Title, f.Version, f.Requirements, f.CreatedBy, at(f.CreatedAt))
	if isUniqueViolation(err) {
		return shieldwall.FieldErrorf(shieldwall.ECONFLICT, "id", "A framework with the id %q exists already.", f.ID)
	} else if err != nil {
		return fmt.Errorf("store: save framework: %w", err)
	}
	return nil
}

// ImportedFrameworks returns every imported framework.
func (s *Store) ImportedFrameworks(ctx context.Context) ([]ImportedFramework, error) {
	rows, err := s.r().query(ctx, `SELECT id, title, version, requirements, created_by, created_at FROM frameworks ORDER BY title, id`)
	return collect(rows, err, "list frameworks", func(sc rowScanner) (ImportedFramework, error) {
		var f ImportedFramework
		var c dbTime
		err := sc.Scan(&f.ID, &f.Title, &f.Version, &f.Requirements, &f.CreatedBy, &c)
		f.CreatedAt = c.Time
		return f, err
	})
}

// EvidenceToRemind returns evidence valid until before the given date whose
// owner has not been reminded yet, soonest first.
func (tx *Tx) EvidenceToRemind(ctx context.Context, before string, limit int) ([]shieldwall.Evidence, error) {
	rows, err := tx.query(ctx, evidenceSelect+` WHERE e.valid_until <> '' AND e.valid_until < ? AND e.reminded_at IS NULL
		ORDER BY e.valid_until, e.id LIMIT ?`, before, limit)
	return collect(rows, err, "evidence to remind", scanEvidence)
}

// MarkEvidenceReminded records that the owner of an evidence item was told.
func (tx *Tx) MarkEvidenceReminded(ctx context.Context, id string) error {
	if _, err := tx.exec(ctx, `UPDATE evidence SET reminded_at = ? WHERE id = ?`, at(tx.Now), id); err != nil {
		return fmt.Errorf("store: mark evidence reminded: %w", err)
	}
	return nil
}
