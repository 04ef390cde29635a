package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shieldwall/shieldwall"
)

const userColumns = `u.id, u.email, u.name, u.title, u.role, u.department_id, d.name, u.active,
	u.password_hash IS NOT NULL, u.created_at, u.updated_at`

const userFrom = ` FROM users u JOIN departments d ON d.id = u.department_id`

func scanUser(sc interface{ Scan(...any) error }) (shieldwall.User, error) {
	var u shieldwall.User
	var c, m dbTime
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Title, &u.Role, &u.DepartmentID, &u.DepartmentName, &u.Active,
		&u.HasPassword, &c, &m)
	u.CreatedAt, u.UpdatedAt = c.Time, m.Time
	return u, err
}

// CreateUser inserts u with an optional password hash ("" for none).
func (tx *Tx) CreateUser(ctx context.Context, u *shieldwall.User, passwordHash string) error {
	_, err := tx.exec(ctx, `INSERT INTO users (id, email, name, title, role, department_id, password_hash, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, u.Title, string(u.Role), u.DepartmentID, nullString(passwordHash), u.Active, at(u.CreatedAt), at(u.UpdatedAt))
	if isUniqueViolation(err) {
		return shieldwall.FieldErrorf(shieldwall.ECONFLICT, "email", "Someone with the email %s already exists.", u.Email)
	} else if isForeignKeyViolation(err) {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "That department does not exist.")
	} else if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

// UpdateUser changes u's name, title, role, department and active flag.
func (tx *Tx) UpdateUser(ctx context.Context, u *shieldwall.User) error {
	res, err := tx.exec(ctx, `UPDATE users SET name = ?, title = ?, role = ?, department_id = ?, active = ?, updated_at = ? WHERE id = ?`,
		u.Name, u.Title, string(u.Role), u.DepartmentID, u.Active, at(u.UpdatedAt), u.ID)
	if isForeignKeyViolation(err) {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "That department does not exist.")
	} else if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Person not found.")
	}
	return nil
}

// SetPasswordHash replaces the password hash of a user ("" removes it).
func (tx *Tx) SetPasswordHash(ctx context.Context, userID, hash string) error {
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, nullString(hash), at(tx.Now), userID); err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	return nil
}

// CountUsers returns how many users exist.
func (tx *Tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// FindUser finds a user by id.
func (s *Store) FindUser(ctx context.Context, id string) (shieldwall.User, error) {
	return findUser(ctx, s.r(), "u.id = ?", id)
}

// FindUser finds a user by id inside the transaction.
func (tx *Tx) FindUser(ctx context.Context, id string) (shieldwall.User, error) {
	return findUser(ctx, tx, "u.id = ?", id)
}

// FindUserByEmail finds a user by email address (case-insensitive).
func (s *Store) FindUserByEmail(ctx context.Context, email string) (shieldwall.User, error) {
	return findUser(ctx, s.r(), "u.email = lower(?)", email)
}

func findUser(ctx context.Context, q queryer, where string, arg any) (shieldwall.User, error) {
	u, err := scanUser(q.queryRow(ctx, "SELECT "+userColumns+userFrom+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, shieldwall.Errorf(shieldwall.ENOTFOUND, "Person not found.")
	} else if err != nil {
		return u, fmt.Errorf("store: find user: %w", err)
	}
	return u, nil
}

// PasswordHash returns the stored password hash of the user with email, or
// ENOTFOUND when there is no such active user with a password.
func (s *Store) PasswordHash(ctx context.Context, email string) (userID, hash string, err error) {
	var h sql.NullString
	err = s.r().queryRow(ctx, `SELECT id, password_hash FROM users WHERE email = lower(?) AND active = ?`, email, true).Scan(&userID, &h)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !h.Valid) {
		return "", "", shieldwall.Errorf(shieldwall.ENOTFOUND, "Person not found.")
	} else if err != nil {
		return "", "", fmt.Errorf("store: read password: %w", err)
	}
	return userID, h.String, nil
}

// ListUsers returns users by name, and how many match in all.
func (s *Store) ListUsers(ctx context.Context, f shieldwall.UserFilter) ([]shieldwall.User, int, error) {
	f.Page = f.Page.Normalize()
	where, args := "1 = 1", []any{}
	if f.DepartmentID != "" {
		where += " AND u.department_id = ?"
		args = append(args, f.DepartmentID)
	}
	if f.Role != "" {
		where += " AND u.role = ?"
		args = append(args, string(f.Role))
	}
	if f.Query != "" {
		like := s.d.caseInsensitiveLike
		where += " AND (u.name " + like + ` ? ESCAPE '\' OR u.email ` + like + ` ? ESCAPE '\')`
		pat := "%" + escapeLike(f.Query) + "%"
		args = append(args, pat, pat)
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM users u WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	rows, err := s.r().query(ctx, "SELECT "+userColumns+userFrom+" WHERE "+where+
		" ORDER BY u.name, u.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list users", scanUser)
	return out, total, err
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ActiveUserNames returns the names of everyone active, for spotting
// strangers who borrow a colleague's name in an email.
func (s *Store) ActiveUserNames(ctx context.Context) ([]string, error) {
	rows, err := s.r().query(ctx, `SELECT name FROM users WHERE active = ? ORDER BY name`, true)
	if err != nil {
		return nil, fmt.Errorf("store: user names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: scan user name: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ActiveUserIDs lists the active people with role, in one department or
// ("" ) in all, by name.
func (s *Store) ActiveUserIDs(ctx context.Context, departmentID string, role shieldwall.Role) ([]string, error) {
	return activeUserIDs(ctx, s.r(), departmentID, role)
}

func activeUserIDs(ctx context.Context, r queryer, departmentID string, role shieldwall.Role) ([]string, error) {
	q, args := `SELECT id FROM users WHERE role = ? AND active = ?`, []any{string(role), true}
	if departmentID != "" {
		q += ` AND department_id = ?`
		args = append(args, departmentID)
	}
	rows, err := r.query(ctx, q+` ORDER BY name, id`, args...)
	return collect(rows, err, "active user ids", scanString)
}
