package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shieldwall/shieldwall"
)

const departmentColumns = `d.id, d.name, d.slug, d.description, d.created_at, d.updated_at,
	(SELECT COUNT(*) FROM users u WHERE u.department_id = d.id AND u.active = ?) AS member_count`

func scanDepartment(sc interface{ Scan(...any) error }) (shieldwall.Department, error) {
	var d shieldwall.Department
	var c, u dbTime
	err := sc.Scan(&d.ID, &d.Name, &d.Slug, &d.Description, &c, &u, &d.MemberCount)
	d.CreatedAt, d.UpdatedAt = c.Time, u.Time
	return d, err
}

// CreateDepartment inserts d; d.ID, d.Slug and the times must be set.
func (tx *Tx) CreateDepartment(ctx context.Context, d *shieldwall.Department) error {
	_, err := tx.exec(ctx, `INSERT INTO departments (id, name, slug, description, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, d.ID, d.Name, d.Slug, d.Description, at(d.CreatedAt), at(d.UpdatedAt))
	if isUniqueViolation(err) {
		return shieldwall.FieldErrorf(shieldwall.ECONFLICT, "name", "A department named %q already exists.", d.Name)
	} else if err != nil {
		return fmt.Errorf("store: create department: %w", err)
	}
	return nil
}

// UpdateDepartment changes the name, slug and description of d.
func (tx *Tx) UpdateDepartment(ctx context.Context, d *shieldwall.Department) error {
	res, err := tx.exec(ctx, `UPDATE departments SET name = ?, slug = ?, description = ?, updated_at = ? WHERE id = ?`,
		d.Name, d.Slug, d.Description, at(d.UpdatedAt), d.ID)
	if isUniqueViolation(err) {
		return shieldwall.FieldErrorf(shieldwall.ECONFLICT, "name", "A department named %q already exists.", d.Name)
	} else if err != nil {
		return fmt.Errorf("store: update department: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Department not found.")
	}
	return nil
}

// DeleteDepartment removes an empty department.
func (tx *Tx) DeleteDepartment(ctx context.Context, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM departments WHERE id = ?`, id)
	if isForeignKeyViolation(err) {
		return shieldwall.Errorf(shieldwall.ECONFLICT, "The department still has people; move them to another department first.")
	} else if err != nil {
		return fmt.Errorf("store: delete department: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Department not found.")
	}
	return nil
}

// FindDepartment finds a department by id, slug or name (case-insensitive).
func (s *Store) FindDepartment(ctx context.Context, ref string) (shieldwall.Department, error) {
	return findDepartment(ctx, s.r(), ref)
}

// FindDepartment finds a department by id, slug or name inside the transaction.
func (tx *Tx) FindDepartment(ctx context.Context, ref string) (shieldwall.Department, error) {
	return findDepartment(ctx, tx, ref)
}

func findDepartment(ctx context.Context, q queryer, ref string) (shieldwall.Department, error) {
	d, err := scanDepartment(q.queryRow(ctx, `SELECT `+departmentColumns+` FROM departments d
		WHERE d.id = ? OR d.slug = ? OR lower(d.name) = lower(?)
		ORDER BY CASE WHEN d.id = ? THEN 0 WHEN d.slug = ? THEN 1 ELSE 2 END LIMIT 1`,
		true, ref, ref, ref, ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return d, shieldwall.Errorf(shieldwall.ENOTFOUND, "No department %q.", ref)
	} else if err != nil {
		return d, fmt.Errorf("store: find department: %w", err)
	}
	return d, nil
}

// ListDepartments returns departments by name, and how many match in all.
func (s *Store) ListDepartments(ctx context.Context, f shieldwall.DepartmentFilter) ([]shieldwall.Department, int, error) {
	f.Page = f.Page.Normalize()
	where, args := "1 = 1", []any{}
	if f.Query != "" {
		where += " AND d.name " + s.d.caseInsensitiveLike + ` ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(f.Query)+"%")
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM departments d WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count departments: %w", err)
	}
	rows, err := s.r().query(ctx, "SELECT "+departmentColumns+" FROM departments d WHERE "+where+
		" ORDER BY d.name LIMIT ? OFFSET ?", append(append([]any{true}, args...), f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list departments", scanDepartment)
	return out, total, err
}

// escapeLike makes s match literally inside a LIKE pattern that uses ESCAPE '\'.
func escapeLike(s string) string {
	r := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '%', '_':
			r = append(r, '\\')
		}
		r = append(r, s[i])
	}
	return string(r)
}
