package store

import (
	"context"
	"sort"
	"time"
)

// NoiseRow is how many notifications the people of one department received
// in a window, per urgency.
type NoiseRow struct {
	DepartmentID   string
	DepartmentName string
	People         int // active people in the department now
	Critical       int
	Normal         int
	Low            int
}

// NotificationNoise counts the notifications created since from, by the
// recipient's department and urgency, with each department's head count,
// so that alert fatigue is measured rather than guessed.
func (s *Store) NotificationNoise(ctx context.Context, from time.Time) ([]NoiseRow, error) {
	rows, err := s.r().query(ctx, `SELECT d.id, d.name, COALESCE(p.people, 0),
			COUNT(CASE WHEN n.urgency = 'critical' THEN 1 END), COUNT(CASE WHEN n.urgency = 'normal' THEN 1 END), COUNT(CASE WHEN n.urgency = 'low' THEN 1 END)
		FROM departments d
		LEFT JOIN (SELECT department_id, COUNT(*) AS people FROM users WHERE active = ? GROUP BY department_id) p ON p.department_id = d.id
		LEFT JOIN users u ON u.department_id = d.id
		LEFT JOIN notifications n ON n.user_id = u.id AND n.created_at >= ?
		GROUP BY d.id, d.name, p.people`, true, at(from))
	out, err := collect(rows, err, "notification noise", func(sc rowScanner) (NoiseRow, error) {
		var r NoiseRow
		err := sc.Scan(&r.DepartmentID, &r.DepartmentName, &r.People, &r.Critical, &r.Normal, &r.Low)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	// Noisiest first: that is where to look.
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Critical+out[i].Normal+out[i].Low > out[j].Critical+out[j].Normal+out[j].Low
	})
	return out, nil
}
