package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shieldwall/shieldwall"
)

const actionItemSelect = `SELECT a.id, a.title, a.description, a.source_type, a.source_id, COALESCE(a.case_id, ''),
	a.owner_department_id, d.name, COALESCE(a.owner_user_id, ''), COALESCE(u.name, ''), a.due_on, a.status, a.created_by,
	a.created_at, a.updated_at, a.done_at
	FROM action_items a JOIN departments d ON d.id = a.owner_department_id LEFT JOIN users u ON u.id = a.owner_user_id`

func scanActionItem(sc interface{ Scan(...any) error }) (shieldwall.ActionItem, error) {
	var a shieldwall.ActionItem
	var c, u dbTime
	var done nullTime
	err := sc.Scan(&a.ID, &a.Title, &a.Description, &a.SourceType, &a.SourceID, &a.CaseID, &a.OwnerDepartmentID,
		&a.OwnerDepartmentName, &a.OwnerUserID, &a.OwnerUserName, &a.DueOn, &a.Status, &a.CreatedBy, &c, &u, &done)
	a.CreatedAt, a.UpdatedAt, a.DoneAt = c.Time, u.Time, done.ptr()
	return a, err
}

// AddActionItem inserts a; a.ID and the times are filled in when empty.
// The caller validates and audits.
func (tx *Tx) AddActionItem(ctx context.Context, a *shieldwall.ActionItem) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.Now
	}
	a.UpdatedAt = a.CreatedAt
	if a.Status == "" {
		a.Status = shieldwall.ActionOpen
	}
	_, err := tx.exec(ctx, `INSERT INTO action_items (id, title, description, source_type, source_id, case_id, owner_department_id,
		owner_user_id, due_on, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Title, a.Description, a.SourceType, a.SourceID, nullString(a.CaseID), a.OwnerDepartmentID,
		nullString(a.OwnerUserID), a.DueOn, string(a.Status), a.CreatedBy, at(a.CreatedAt), at(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: add action item: %w", err)
	}
	return nil
}

// UpdateActionItem writes a's changeable fields: title, description,
// owner, due date and status (done_at follows the status).
func (tx *Tx) UpdateActionItem(ctx context.Context, a *shieldwall.ActionItem) error {
	a.UpdatedAt = tx.Now
	var done any
	if a.Status == shieldwall.ActionDone {
		if a.DoneAt == nil {
			now := tx.Now
			a.DoneAt = &now
		}
		done = at(*a.DoneAt)
	} else {
		a.DoneAt = nil
	}
	res, err := tx.exec(ctx, `UPDATE action_items SET title = ?, description = ?, owner_department_id = ?, owner_user_id = ?,
		due_on = ?, status = ?, updated_at = ?, done_at = ? WHERE id = ?`,
		a.Title, a.Description, a.OwnerDepartmentID, nullString(a.OwnerUserID), a.DueOn, string(a.Status), at(a.UpdatedAt), done, a.ID)
	if err != nil {
		return fmt.Errorf("store: update action item: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Action item not found.")
	}
	return nil
}

// FindActionItem returns one action item.
func (tx *Tx) FindActionItem(ctx context.Context, id string) (shieldwall.ActionItem, error) {
	a, err := scanActionItem(tx.queryRow(ctx, actionItemSelect+" WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, shieldwall.Errorf(shieldwall.ENOTFOUND, "Action item not found.")
	}
	return a, err
}

// FindActionItem returns one action item.
func (s *Store) FindActionItem(ctx context.Context, id string) (shieldwall.ActionItem, error) {
	a, err := scanActionItem(s.r().queryRow(ctx, actionItemSelect+" WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, shieldwall.Errorf(shieldwall.ENOTFOUND, "Action item not found.")
	}
	return a, err
}

// ListActionItems returns action items matching f, open ones first, then by
// due date, and how many match in all.
func (s *Store) ListActionItems(ctx context.Context, f shieldwall.ActionItemFilter) ([]shieldwall.ActionItem, int, error) {
	f.Page = f.Page.Normalize()
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.Status != "" {
		add("a.status = ?", string(f.Status))
	}
	if f.DepartmentID != "" {
		add("a.owner_department_id = ?", f.DepartmentID)
	}
	if f.SourceType != "" {
		add("a.source_type = ?", f.SourceType)
	}
	if f.SourceID != "" {
		add("a.source_id = ?", f.SourceID)
	}
	if f.CaseID != "" {
		add("a.case_id = ?", f.CaseID)
	}
	if f.OverdueOn != "" {
		add("a.status = 'open' AND a.due_on <> '' AND a.due_on < ?", f.OverdueOn)
	}
	if f.CaseScope != nil && !f.CaseScope.All {
		scope, scopeArgs := caseScopeWhere(s.d, *f.CaseScope)
		where = append(where, "(a.case_id IS NULL OR EXISTS (SELECT 1 FROM cases c WHERE c.id = a.case_id AND "+scope+"))")
		args = append(args, scopeArgs...)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM action_items a"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count action items: %w", err)
	}
	rows, err := s.r().query(ctx, actionItemSelect+cond+
		` ORDER BY CASE a.status WHEN 'open' THEN 0 ELSE 1 END, CASE a.due_on WHEN '' THEN 1 ELSE 0 END, a.due_on, a.created_at, a.id
		LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	items, err := collect(rows, err, "list action items", scanActionItem)
	return items, total, err
}
