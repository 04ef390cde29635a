package govern_test

import (
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestParseControlsCSV(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		rows     int
		wantMsg  string // a substring of the error; empty for none
		field    string
	}{
		{"OK", "\uFEFFtitle,owner_department,status,mappings\nMFA,IT,partial,iso27001-2022 A.8.5; nist-csf-2.0 PR.AA-03\nBackups,IT,,\n", 2, "", ""},
		{"ErrUnknownColumn", "title,owner,status\nx,IT,partial\n", 0, `line 1, column "owner": unknown column`, "owner"},
		{"ErrMissingColumn", "title,status\nx,partial\n", 0, `column "owner_department": the required column is missing`, "owner_department"},
		{"ErrBadStatus", "title,owner_department,status\nx,IT,done\ny,IT,banana\n", 0, `line 2, column "status": "done" is not a status`, "status"},
		{"ErrFieldCount", "title,owner_department\nx,IT\ny\n", 0, "line 3: this line has a different number of fields", ""},
		{"ErrBadMapping", "title,owner_department,mappings\nx,IT,A.5.1\n", 0, `line 2, column "mappings"`, "mappings"},
		{"ErrEmpty", "", 0, "The file is empty", ""},
		{"ErrNoRows", "title,owner_department\n", 0, "no controls", ""},
		{"ErrQuote", "title,owner_department\n\"x,IT\n", 0, "line 2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := govern.ParseControlsCSV(strings.NewReader(tc.in), 0)
			if tc.wantMsg == "" {
				if err != nil || len(rows) != tc.rows {
					t.Fatalf("got %d rows, %v; want %d rows", len(rows), err, tc.rows)
				}
				return
			}
			if err == nil || !strings.Contains(shieldwall.ErrorMessage(err), tc.wantMsg) {
				t.Fatalf("error %v; want one containing %q", err, tc.wantMsg)
			}
			testdb.WantField(t, err, tc.field)
		})
	}
}

func FuzzParseControlsCSV(f *testing.F) {
	for _, s := range []string{"title,owner_department\nx,IT\n", "title,owner_department,mappings\nx,IT,a b;c d\n", "\"", "title\n", ",,,\n,,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := govern.ParseControlsCSV(strings.NewReader(in), 1<<16)
		if err != nil {
			if shieldwall.ErrorCode(err) == shieldwall.EINTERNAL {
				t.Fatalf("internal error for user input: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Input.Title == nil || *r.Input.Title == "" || r.Line < 2 {
				t.Fatalf("accepted a row without title or with line %d: %+v", r.Line, r)
			}
		}
	})
}

func TestImportControls(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()
		bad := "title,owner_department,mappings\nMFA,IT,iso27001-2022 A.8.5\nBackups,Nowhere,\n"
		_, err := o.gv.ImportControls(ctx, o.security, strings.NewReader(bad))
		if err == nil || !strings.Contains(shieldwall.ErrorMessage(err), "line 3") {
			t.Fatalf("error %v; want one naming line 3", err)
		}
		if _, total, _ := o.gv.ListControls(ctx, o.security, shieldwall.ControlFilter{}); total != 0 {
			t.Errorf("%d controls after a refused import; want none", total)
		}
		n, err := o.gv.ImportControls(ctx, o.security, strings.NewReader("title,owner_department,status,mappings\nMFA,IT,partial,iso27001-2022 8.5\nBackups,it,implemented,\n"))
		if err != nil || n != 2 {
			t.Fatalf("imported %d (%v); want 2", n, err)
		}
		_, err = o.gv.ImportControls(ctx, o.financeChampion, strings.NewReader("title,owner_department\nx,Finance\n"))
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
	})
}
