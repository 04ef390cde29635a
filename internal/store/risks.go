package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shieldwall/shieldwall"
)

const riskSelect = `SELECT r.id, r.title, r.description, r.category, r.owner_department_id, d.name,
	COALESCE(r.owner_user_id, ''), COALESCE(u.name, ''), r.inherent_likelihood, r.inherent_impact,
	r.residual_likelihood, r.residual_impact, r.score, r.treatment, r.treatment_plan, r.review_on, r.acceptance,
	r.head_signoff_by, r.head_signoff_at, r.security_signoff_by, r.security_signoff_at, r.created_by, r.created_at, r.updated_at
	FROM risks r JOIN departments d ON d.id = r.owner_department_id LEFT JOIN users u ON u.id = r.owner_user_id`

func scanRisk(sc interface{ Scan(...any) error }) (shieldwall.Risk, error) {
	var r shieldwall.Risk
	var c, u dbTime
	var head, sec nullTime
	err := sc.Scan(&r.ID, &r.Title, &r.Description, &r.Category, &r.OwnerDepartmentID, &r.OwnerDepartmentName,
		&r.OwnerUserID, &r.OwnerUserName, &r.InherentLikelihood, &r.InherentImpact, &r.ResidualLikelihood, &r.ResidualImpact,
		&r.Score, &r.Treatment, &r.TreatmentPlan, &r.ReviewOn, &r.Acceptance, &r.HeadSignoffBy, &head,
		&r.SecuritySignoffBy, &sec, &r.CreatedBy, &c, &u)
	r.CreatedAt, r.UpdatedAt, r.HeadSignoffAt, r.SecuritySignoffAt = c.Time, u.Time, head.ptr(), sec.ptr()
	r.Impacts, r.ControlIDs = []shieldwall.RiskImpact{}, []string{}
	return r, err
}

// CreateRisk inserts r with its impacts and linked controls; r.ID and the
// times are filled in. The caller validates, scores and audits.
func (tx *Tx) CreateRisk(ctx context.Context, r *shieldwall.Risk) error {
	if r.ID == "" {
		r.ID = NewID()
	}
	r.CreatedAt, r.UpdatedAt = tx.Now, tx.Now
	_, err := tx.exec(ctx, `INSERT INTO risks (id, title, description, category, owner_department_id, owner_user_id,
		inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, score, treatment, treatment_plan, review_on,
		acceptance, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Title, r.Description, r.Category, r.OwnerDepartmentID, nullString(r.OwnerUserID),
		r.InherentLikelihood, r.InherentImpact, r.ResidualLikelihood, r.ResidualImpact, r.Score, r.Treatment, r.TreatmentPlan,
		r.ReviewOn, r.Acceptance, r.CreatedBy, at(r.CreatedAt), at(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create risk: %w", err)
	}
	for i := range r.Impacts {
		if err := tx.PutRiskImpact(ctx, r.ID, &r.Impacts[i]); err != nil {
			return err
		}
	}
	return tx.setRiskControls(ctx, r.ID, r.ControlIDs)
}

// UpdateRisk writes r's changeable fields and its linked controls.
func (tx *Tx) UpdateRisk(ctx context.Context, r *shieldwall.Risk) error {
	r.UpdatedAt = tx.Now
	var head, sec any
	if r.HeadSignoffAt != nil {
		head = at(*r.HeadSignoffAt)
	}
	if r.SecuritySignoffAt != nil {
		sec = at(*r.SecuritySignoffAt)
	}
	res, err := tx.exec(ctx, `UPDATE risks SET title = ?, description = ?, category = ?, owner_department_id = ?, owner_user_id = ?,
		inherent_likelihood = ?, inherent_impact = ?, residual_likelihood = ?, residual_impact = ?, score = ?, treatment = ?,
		treatment_plan = ?, review_on = ?, acceptance = ?, head_signoff_by = ?, head_signoff_at = ?, security_signoff_by = ?,
		security_signoff_at = ?, updated_at = ? WHERE id = ?`,
		r.Title, r.Description, r.Category, r.OwnerDepartmentID, nullString(r.OwnerUserID),
		r.InherentLikelihood, r.InherentImpact, r.ResidualLikelihood, r.ResidualImpact, r.Score, r.Treatment,
		r.TreatmentPlan, r.ReviewOn, r.Acceptance, r.HeadSignoffBy, head, r.SecuritySignoffBy, sec, at(r.UpdatedAt), r.ID)
	if err != nil {
		return fmt.Errorf("store: update risk: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRiskNotFound
	}
	return tx.setRiskControls(ctx, r.ID, r.ControlIDs)
}

func (tx *Tx) setRiskControls(ctx context.Context, riskID string, ids []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM risk_controls WHERE risk_id = ?`, riskID); err != nil {
		return fmt.Errorf("store: clear risk controls: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.exec(ctx, `INSERT INTO risk_controls (risk_id, control_id) VALUES (?, ?)`, riskID, id); err != nil {
			if isForeignKeyViolation(err) {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "control_ids", "There is no control %q.", id)
			}
			return fmt.Errorf("store: link risk control: %w", err)
		}
	}
	return nil
}

// PutRiskImpact writes one department's impact on a risk, replacing what
// that department said before.
func (tx *Tx) PutRiskImpact(ctx context.Context, riskID string, im *shieldwall.RiskImpact) error {
	im.UpdatedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO risk_impacts (risk_id, department_id, concern, statement, score, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (risk_id, department_id) DO UPDATE SET
		statement = excluded.statement, score = excluded.score, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		riskID, im.DepartmentID, im.Concern, im.Statement, im.Score, im.UpdatedBy, at(im.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: put risk impact: %w", err)
	}
	return nil
}

var errRiskNotFound = shieldwall.Errorf(shieldwall.ENOTFOUND, "Risk not found.")

// FindRisk returns one risk with its impacts and controls, as the transaction sees it.
func (tx *Tx) FindRisk(ctx context.Context, id string) (shieldwall.Risk, error) {
	return findRisk(ctx, tx, id)
}

// FindRisk returns one risk with its impacts and controls.
func (s *Store) FindRisk(ctx context.Context, id string) (shieldwall.Risk, error) {
	return findRisk(ctx, s.r(), id)
}

func findRisk(ctx context.Context, q queryer, id string) (shieldwall.Risk, error) {
	r, err := scanRisk(q.queryRow(ctx, riskSelect+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errRiskNotFound
	} else if err != nil {
		return r, fmt.Errorf("store: find risk: %w", err)
	}
	risks := []shieldwall.Risk{r}
	if err := fillRisks(ctx, q, risks); err != nil {
		return r, err
	}
	return risks[0], nil
}

// fillRisks loads the impacts and linked controls of risks in two queries.
func fillRisks(ctx context.Context, q queryer, risks []shieldwall.Risk) error {
	if len(risks) == 0 {
		return nil
	}
	idx := map[string]int{}
	ph := make([]string, len(risks))
	args := make([]any, len(risks))
	for i, r := range risks {
		idx[r.ID], ph[i], args[i] = i, "?", r.ID
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	rows, err := q.query(ctx, `SELECT i.risk_id, i.department_id, d.name, i.concern, i.statement, i.score, i.updated_by, i.updated_at
		FROM risk_impacts i JOIN departments d ON d.id = i.department_id WHERE i.risk_id IN `+in+` ORDER BY d.name`, args...)
	if err != nil {
		return fmt.Errorf("store: list risk impacts: %w", err)
	}
	for rows.Next() {
		var riskID string
		var im shieldwall.RiskImpact
		var u dbTime
		if err := rows.Scan(&riskID, &im.DepartmentID, &im.DepartmentName, &im.Concern, &im.Statement, &im.Score, &im.UpdatedBy, &u); err != nil {
			rows.Close()
			return fmt.Errorf("store: scan risk impact: %w", err)
		}
		im.UpdatedAt = u.Time
		risks[idx[riskID]].Impacts = append(risks[idx[riskID]].Impacts, im)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.query(ctx, `SELECT risk_id, control_id FROM risk_controls WHERE risk_id IN `+in+` ORDER BY control_id`, args...)
	if err != nil {
		return fmt.Errorf("store: list risk controls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var riskID, controlID string
		if err := rows.Scan(&riskID, &controlID); err != nil {
			return fmt.Errorf("store: scan risk control: %w", err)
		}
		risks[idx[riskID]].ControlIDs = append(risks[idx[riskID]].ControlIDs, controlID)
	}
	return rows.Err()
}

// ListRisks returns risks matching f, gravest first, with their impacts,
// and how many match in all. A department filter keeps the risks the
// department owns or has an impact in.
func (s *Store) ListRisks(ctx context.Context, f shieldwall.RiskFilter) ([]shieldwall.Risk, int, error) {
	f.Page = f.Page.Normalize()
	var where []string
	var args []any
	if f.DepartmentID != "" {
		where = append(where, "(r.owner_department_id = ? OR EXISTS (SELECT 1 FROM risk_impacts i WHERE i.risk_id = r.id AND i.department_id = ?))")
		args = append(args, f.DepartmentID, f.DepartmentID)
	}
	if f.Query != "" {
		where = append(where, "(r.title "+s.d.caseInsensitiveLike+" ? ESCAPE '\\' OR r.description "+s.d.caseInsensitiveLike+" ? ESCAPE '\\')")
		p := "%" + escapeLike(f.Query) + "%"
		args = append(args, p, p)
	}
	switch f.Level {
	case "":
	case "low":
		where = append(where, "r.score <= 4")
	case "medium":
		where = append(where, "r.score BETWEEN 5 AND 9")
	case "high":
		where = append(where, "r.score BETWEEN 10 AND 16")
	case "critical":
		where = append(where, "r.score >= 20")
	default:
		return nil, 0, shieldwall.FieldErrorf(shieldwall.EINVALID, "level", "%q is not a level; use low, medium, high or critical.", f.Level)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM risks r"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count risks: %w", err)
	}
	rows, err := s.r().query(ctx, riskSelect+cond+" ORDER BY r.score DESC, r.created_at, r.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	risks, err := collect(rows, err, "list risks", scanRisk)
	if err != nil {
		return nil, 0, err
	}
	return risks, total, fillRisks(ctx, s.r(), risks)
}
