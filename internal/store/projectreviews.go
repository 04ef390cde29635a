package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shieldwall/shieldwall"
)

const reviewSelect = `SELECT p.id, p.title, p.description, p.vendor, p.cost, p.data, p.departments, p.integrations, p.sso, p.new_contract,
	p.app_name, p.status, COALESCE(p.requester_id, ''), COALESCE(u.name, ''), p.created_at, p.updated_at
	FROM project_reviews p LEFT JOIN users u ON u.id = p.requester_id`

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func scanReview(sc interface{ Scan(...any) error }) (shieldwall.ProjectReview, error) {
	var p shieldwall.ProjectReview
	var data, depts string
	var c, u dbTime
	err := sc.Scan(&p.ID, &p.Title, &p.Description, &p.Vendor, &p.Cost, &data, &depts, &p.Integrations, &p.SSO, &p.NewContract,
		&p.AppName, &p.Status, &p.RequesterID, &p.RequesterName, &c, &u)
	p.Data, p.Departments, p.CreatedAt, p.UpdatedAt = splitList(data), splitList(depts), c.Time, u.Time
	p.Signoffs, p.RequiredSignoff = []shieldwall.ReviewSignoff{}, []string{}
	return p, err
}

// CreateProjectReview inserts p with a pending sign-off per p.RequiredSignoff.
func (tx *Tx) CreateProjectReview(ctx context.Context, p *shieldwall.ProjectReview) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	p.CreatedAt, p.UpdatedAt = tx.Now, tx.Now
	_, err := tx.exec(ctx, `INSERT INTO project_reviews (id, title, description, vendor, cost, data, departments, integrations, sso, new_contract,
		app_name, status, requester_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Title, p.Description, p.Vendor, p.Cost, strings.Join(p.Data, ","), strings.Join(p.Departments, ","), p.Integrations, p.SSO,
		p.NewContract, p.AppName, p.Status, nullString(p.RequesterID), at(p.CreatedAt), at(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create review: %w", err)
	}
	for _, duty := range p.RequiredSignoff {
		if _, err := tx.exec(ctx, `INSERT INTO review_signoffs (review_id, duty) VALUES (?, ?)`, p.ID, duty); err != nil {
			return fmt.Errorf("store: add sign-off: %w", err)
		}
	}
	return nil
}

// DecideSignoff records one duty's decision.
func (tx *Tx) DecideSignoff(ctx context.Context, reviewID string, so shieldwall.ReviewSignoff) error {
	res, err := tx.exec(ctx, `UPDATE review_signoffs SET decision = ?, conditions = ?, decided_by = ?, decided_by_name = ?, decided_at = ?
		WHERE review_id = ? AND duty = ?`, so.Decision, so.Conditions, so.DecidedBy, so.DecidedByName, at(tx.Now), reviewID, so.Duty)
	if err != nil {
		return fmt.Errorf("store: decide sign-off: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "duty", "This review does not need a %s sign-off.", so.Duty)
	}
	return nil
}

// SetReviewStatus writes a review's overall result.
func (tx *Tx) SetReviewStatus(ctx context.Context, id, status string) error {
	if _, err := tx.exec(ctx, `UPDATE project_reviews SET status = ?, updated_at = ? WHERE id = ?`, status, at(tx.Now), id); err != nil {
		return fmt.Errorf("store: set review status: %w", err)
	}
	return nil
}

var errReviewNotFound = shieldwall.Errorf(shieldwall.ENOTFOUND, "Review not found.")

// FindProjectReview returns a review with its sign-offs, as the transaction sees it.
func (tx *Tx) FindProjectReview(ctx context.Context, id string) (shieldwall.ProjectReview, error) {
	return findProjectReview(ctx, tx, id)
}

// FindProjectReview returns a review with its sign-offs.
func (s *Store) FindProjectReview(ctx context.Context, id string) (shieldwall.ProjectReview, error) {
	return findProjectReview(ctx, s.r(), id)
}

func findProjectReview(ctx context.Context, q queryer, id string) (shieldwall.ProjectReview, error) {
	p, err := scanReview(q.queryRow(ctx, reviewSelect+" WHERE p.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errReviewNotFound
	} else if err != nil {
		return p, fmt.Errorf("store: find review: %w", err)
	}
	ps := []shieldwall.ProjectReview{p}
	err = fillSignoffs(ctx, q, ps)
	return ps[0], err
}

func fillSignoffs(ctx context.Context, q queryer, ps []shieldwall.ProjectReview) error {
	if len(ps) == 0 {
		return nil
	}
	idx := map[string]int{}
	ph := make([]string, len(ps))
	args := make([]any, len(ps))
	for i, p := range ps {
		idx[p.ID], ph[i], args[i] = i, "?", p.ID
	}
	rows, err := q.query(ctx, `SELECT review_id, duty, decision, conditions, decided_by, decided_by_name, decided_at FROM review_signoffs
		WHERE review_id IN (`+strings.Join(ph, ", ")+`) ORDER BY CASE duty WHEN 'security' THEN 0 WHEN 'legal' THEN 1 WHEN 'hr' THEN 2 WHEN 'finance' THEN 3 ELSE 4 END`, args...)
	if err != nil {
		return fmt.Errorf("store: list sign-offs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var so shieldwall.ReviewSignoff
		var d nullTime
		if err := rows.Scan(&id, &so.Duty, &so.Decision, &so.Conditions, &so.DecidedBy, &so.DecidedByName, &d); err != nil {
			return fmt.Errorf("store: scan sign-off: %w", err)
		}
		so.DecidedAt = d.ptr()
		p := &ps[idx[id]]
		p.Signoffs = append(p.Signoffs, so)
		p.RequiredSignoff = append(p.RequiredSignoff, so.Duty)
	}
	return rows.Err()
}

// ReviewFilter narrows the list of reviews: by status, and to those a
// person requested or whose pending sign-offs are among duties.
type ReviewFilter struct {
	Status      string
	RequesterID string
	Duties      []string // pending sign-offs of these duties
	All         bool     // no scoping (the security team)
	shieldwall.Page
}

// ListProjectReviews returns reviews matching f, newest first.
func (s *Store) ListProjectReviews(ctx context.Context, f ReviewFilter) ([]shieldwall.ProjectReview, int, error) {
	f.Page = f.Page.Normalize()
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, f.Status)
	}
	if !f.All {
		scope := []string{"p.requester_id = ?"}
		args = append(args, f.RequesterID)
		if len(f.Duties) > 0 {
			ph := make([]string, len(f.Duties))
			for i, d := range f.Duties {
				ph[i] = "?"
				args = append(args, d)
			}
			scope = append(scope, "EXISTS (SELECT 1 FROM review_signoffs so WHERE so.review_id = p.id AND so.duty IN ("+strings.Join(ph, ", ")+"))")
		}
		where = append(where, "("+strings.Join(scope, " OR ")+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM project_reviews p"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count reviews: %w", err)
	}
	rows, err := s.r().query(ctx, reviewSelect+cond+" ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list reviews", scanReview)
	if err != nil {
		return nil, 0, err
	}
	return out, total, fillSignoffs(ctx, s.r(), out)
}
