package govern

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Limits of a controls CSV import.
const (
	MaxControlsCSV     = 2 << 20
	MaxControlsCSVRows = 5000
)

// ControlCSVColumns are the columns a controls CSV may have; title and
// owner_department are required. mappings lists "framework requirement"
// pairs separated by semicolons.
var ControlCSVColumns = []string{"title", "description", "owner_department", "status", "justification", "mappings"}

// ControlRow is one parsed line of a controls CSV.
type ControlRow struct {
	Line  int
	Input shieldwall.ControlInput
}

// csvError names the line and column a problem is on.
func csvError(line int, column, format string, args ...any) error {
	where := fmt.Sprintf("line %d", line)
	if column != "" {
		where += fmt.Sprintf(", column %q", column)
	}
	return shieldwall.FieldErrorf(shieldwall.EINVALID, column, where+": "+format, args...)
}

// ParseControlsCSV reads a controls CSV of at most limit bytes: a header of
// known column names (in any order), then one control per line. Every
// error names its line and, where it can, its column.
func ParseControlsCSV(r io.Reader, limit int64) ([]ControlRow, error) {
	if limit <= 0 {
		limit = MaxControlsCSV
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "The file could not be read.")
	}
	if int64(len(data)) > limit {
		return nil, shieldwall.Errorf(shieldwall.ETOOLARGE, "The file is larger than %d bytes.", limit)
	}
	data = []byte(strings.TrimPrefix(string(data), "\uFEFF")) // spreadsheets add a byte-order mark
	cr := csv.NewReader(strings.NewReader(string(data)))
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "The file is empty; the first line names the columns: %s.", strings.Join(ControlCSVColumns, ", "))
	} else if err != nil {
		return nil, csvParseError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range ControlCSVColumns {
			known = known || c == h
		}
		if !known {
			return nil, csvError(1, h, "unknown column; the columns are %s", strings.Join(ControlCSVColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, csvError(1, h, "the column appears twice")
		}
		col[h] = i
	}
	for _, req := range []string{"title", "owner_department"} {
		if _, ok := col[req]; !ok {
			return nil, csvError(1, req, "the required column is missing")
		}
	}
	var rows []ControlRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, csvParseError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= MaxControlsCSVRows {
			return nil, csvError(line, "", "at most %d controls per file", MaxControlsCSVRows)
		}
		get := func(name string) *string {
			i, ok := col[name]
			if !ok {
				return nil
			}
			v := strings.TrimSpace(rec[i])
			return &v
		}
		in := shieldwall.ControlInput{Title: get("title"), Description: get("description"), OwnerDepartment: get("owner_department"),
			Status: get("status"), Justification: get("justification")}
		if in.Status != nil && *in.Status == "" {
			in.Status = nil
		}
		if in.Status != nil && oneOf("status", *in.Status, shieldwall.ControlStatuses) != nil {
			return nil, csvError(line, "status", "%q is not a status; use %s", *in.Status, strings.Join(shieldwall.ControlStatuses, ", "))
		}
		if *in.Title == "" {
			return nil, csvError(line, "title", "the title is empty")
		}
		if m := get("mappings"); m != nil && *m != "" {
			var ms []shieldwall.ControlMapping
			for _, pair := range strings.Split(*m, ";") {
				f := strings.Fields(pair)
				if len(f) == 0 {
					continue
				}
				if len(f) != 2 {
					return nil, csvError(line, "mappings", "%q should be a framework and a requirement, e.g. iso27001-2022 A.5.1", strings.TrimSpace(pair))
				}
				ms = append(ms, shieldwall.ControlMapping{FrameworkID: f[0], RequirementID: f[1]})
			}
			in.Mappings = &ms
		}
		rows = append(rows, ControlRow{Line: line, Input: in})
	}
	if len(rows) == 0 {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "The file has a header but no controls.")
	}
	return rows, nil
}

func csvParseError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return csvError(pe.Line, "", "this line has a different number of fields from the header")
		}
		return csvError(pe.Line, "", "%v", pe.Err)
	}
	return shieldwall.Errorf(shieldwall.EINVALID, "The CSV could not be read.")
}

// ImportControls adds every control of a CSV in one transaction: a bad
// line (an unknown department, requirement or status) names its line and
// adds nothing at all.
func (s *Service) ImportControls(ctx context.Context, actor shieldwall.Actor, r io.Reader) (int, error) {
	if err := policy.Authorize(actor, policy.ControlCreate, nil); err != nil {
		return 0, err
	}
	rows, err := ParseControlsCSV(r, MaxControlsCSV)
	if err != nil {
		return 0, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, row := range rows {
			c := shieldwall.Control{Status: shieldwall.ControlNotStarted, CreatedBy: actor.Label(), Mappings: []shieldwall.ControlMapping{}}
			if err := s.applyControl(ctx, tx, &c, row.Input); err != nil {
				field := shieldwall.ErrorField(err)
				if strings.HasPrefix(field, "mappings[") {
					field = "mappings"
				}
				return csvError(row.Line, field, "%s", shieldwall.ErrorMessage(err))
			}
			if err := tx.CreateControl(ctx, &c); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, "control.import", "control", "", fmt.Sprintf("%d controls from CSV", len(rows)))
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}
