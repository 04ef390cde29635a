package govern_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/frameworks"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestComplianceRules(t *testing.T) {
	fw := frameworks.ISO27001AnnexA()
	controls := []store.ControlFact{
		{ID: "c1", DepartmentID: "hr", DepartmentName: "HR", Status: shieldwall.ControlImplemented, CurrentEvidence: true},
		{ID: "c2", DepartmentID: "it", DepartmentName: "IT", Status: shieldwall.ControlImplemented}, // no current evidence: partial
		{ID: "c3", DepartmentID: "it", DepartmentName: "IT", Status: shieldwall.ControlNotApplicable, Justification: "no offices"},
		{ID: "c4", DepartmentID: "it", DepartmentName: "IT", Status: shieldwall.ControlNotStarted},
	}
	mappings := []store.MappingFact{
		{ControlID: "c1", FrameworkID: fw.ID, RequirementID: "A.6.3"},
		{ControlID: "c4", FrameworkID: fw.ID, RequirementID: "A.6.3"}, // the better control decides
		{ControlID: "c2", FrameworkID: fw.ID, RequirementID: "A.8.7"},
		{ControlID: "c3", FrameworkID: fw.ID, RequirementID: "A.7.1"},
		{ControlID: "c1", FrameworkID: "other", RequirementID: "A.5.1"}, // another framework: ignored
	}
	fc := govern.Compliance(fw, controls, mappings)
	o := fc.Overall
	if o.Total != 93 || o.Implemented != 1 || o.Partial != 1 || o.NotApplicable != 1 || o.Gap != 90 {
		t.Fatalf("overall = %+v; want 93 total, 1 implemented, 1 partial, 1 not applicable, 90 gaps", o)
	}
	if want := 1.6; o.Percent != want { // 1.5 of 92 applicable, to one decimal
		t.Errorf("percent = %v; want %v", o.Percent, want)
	}
	got := map[string]govern.DepartmentTally{}
	for _, d := range fc.ByDepartment {
		got[d.DepartmentName] = d
	}
	if got["HR"].Implemented != 1 || got["HR"].Total != 1 {
		t.Errorf("HR = %+v; want 1 of 1 implemented", got["HR"])
	}
	// IT: A.6.3 (its own control not started), A.8.7 partial, A.7.1 not applicable.
	if it := got["IT"]; it.Total != 3 || it.NotStarted != 1 || it.Partial != 1 || it.NotApplicable != 1 || it.Percent != 25 {
		t.Errorf("IT = %+v; want 3: 1 not started, 1 partial, 1 n/a, 25%%", it)
	}
}

func TestControls(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()
		c, err := o.gv.CreateControl(ctx, o.security, shieldwall.ControlInput{Title: ptr("Call back before changing bank details"), OwnerDepartment: ptr("Finance"),
			Status: ptr("implemented"), Mappings: &[]shieldwall.ControlMapping{{FrameworkID: frameworks.ISO27001ID, RequirementID: "5.1"}, {FrameworkID: frameworks.NISTCSF2ID, RequirementID: "PR.AA-01"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Mappings) != 2 || c.Mappings[0].RequirementID != "A.5.1" {
			t.Errorf("mappings = %+v; want A.5.1 (normalised from 5.1) and PR.AA-01", c.Mappings)
		}

		t.Run("ErrUnknownRequirement", func(t *testing.T) {
			_, err := o.gv.CreateControl(ctx, o.security, shieldwall.ControlInput{Title: ptr("x"), OwnerDepartment: ptr("IT"),
				Mappings: &[]shieldwall.ControlMapping{{FrameworkID: frameworks.NISTCSF2ID, RequirementID: "ZZ.99"}}})
			testdb.WantField(t, err, "mappings[0].requirement_id")
		})
		t.Run("ErrChampionOfAnotherDepartment", func(t *testing.T) {
			_, err := o.gv.UpdateControl(ctx, o.hrChampion, c.ID, shieldwall.ControlInput{Status: ptr("partial")})
			testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		})
		t.Run("EvidenceAndExpiry", func(t *testing.T) {
			_, err := o.gv.AddEvidence(ctx, o.financeChampion, c.ID, shieldwall.EvidenceInput{Title: "Call-back log", URL: "https://intranet.example/log", ValidUntil: "2000-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := o.gv.AddEvidence(ctx, o.financeChampion, c.ID, shieldwall.EvidenceInput{Title: "Procedure", Filename: "a/b\"c.pdf", Data: []byte("%PDF-1.4")})
			if err != nil {
				t.Fatal(err)
			}
			e, data, err := o.gv.EvidenceFile(ctx, o.auditor, c.ID, pdf.ID)
			if err != nil || string(data) != "%PDF-1.4" || e.Filename != "a_b_c.pdf" || e.Size != 8 || e.AddedByName == "" {
				t.Errorf("file evidence = %+v %q (%v); want the bytes back under a safe name", e, data, err)
			}
			_, err = o.gv.AddEvidence(ctx, o.financeChampion, c.ID, shieldwall.EvidenceInput{Title: "Too big", Filename: "x.bin", Data: make([]byte, govern.MaxEvidenceFile+1)})
			testdb.WantCode(t, err, shieldwall.ETOOLARGE)
			_, err = o.gv.AddEvidence(ctx, o.financeChampion, c.ID, shieldwall.EvidenceInput{Title: "bad", URL: "javascript:alert(1)"})
			testdb.WantField(t, err, "url")
			exp, err := o.gv.ExpiringEvidence(ctx, o.financeMember, false)
			if err != nil || len(exp) != 1 || exp[0].Title != "Call-back log" { // the procedure does not expire
				t.Fatalf("Finance's expiring evidence = %+v, %v; want the call-back log", exp, err)
			}
			if exp, _ := o.gv.ExpiringEvidence(ctx, o.hrChampion, false); len(exp) != 0 {
				t.Errorf("HR sees Finance's expiring evidence")
			}
			_, err = o.gv.RemindExpiringEvidence(ctx, o.financeChampion)
			testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
			for i, want := range []int{1, 0} { // the second run tells nobody again
				n, err := o.gv.RemindExpiringEvidence(ctx, o.security)
				if err != nil || n != want {
					t.Fatalf("run %d reminded %d (%v); want %d", i+1, n, err, want)
				}
			}
			ns, _, _, _ := st.ListNotifications(ctx, o.financeChampion.UserID, shieldwall.NotificationFilter{})
			if len(ns) != 1 || ns[0].Kind != govern.NotifyEvidenceExpiring || !strings.Contains(ns[0].Title, "expired on 2000-01-01") {
				t.Errorf("Finance champion's notifications = %+v; want one expired-evidence reminder", ns)
			}
		})
		t.Run("SoA", func(t *testing.T) {
			b, err := o.gv.StatementOfApplicability(ctx, o.auditor, frameworks.ISO27001ID)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 94 || strings.Join(recs[0], ",") != strings.Join(govern.SoAColumns, ",") {
				t.Fatalf("%d lines, header %v; want 94 and %v", len(recs), recs[0], govern.SoAColumns)
			}
			// Implemented, and the procedure file (no end date) is current evidence.
			if r := recs[1]; r[0] != "A.5.1" || r[4] != "implemented" || r[6] != "Finance" {
				t.Errorf("A.5.1 line = %v; want implemented by Finance", r)
			}
		})
		t.Run("ImportOSCAL", func(t *testing.T) {
			cat := `{"catalog":{"uuid":"x","metadata":{"title":"Tiny Catalog","version":"1"},"groups":[{"id":"ac","title":"Access","controls":[{"id":"ac-1","title":"Policy"},{"id":"ac-2","title":"Accounts"}]}]}}`
			fw, err := o.gv.ImportFramework(ctx, o.admin, "", strings.NewReader(cat))
			if err != nil {
				t.Fatal(err)
			}
			if fw.ID != "tiny-catalog-1" || fw.Assessable != 2 {
				t.Errorf("imported %+v; want id tiny-catalog-1 with 2 assessable", fw)
			}
			_, err = o.gv.ImportFramework(ctx, o.admin, "", strings.NewReader(cat))
			testdb.WantCode(t, err, shieldwall.ECONFLICT)
			_, err = o.gv.ImportFramework(ctx, o.admin, "bad", strings.NewReader(`{"catalog":{"metadata":{"title":"x"},"groups":[{"id":1}]}}`))
			testdb.WantCode(t, err, shieldwall.EINVALID)
			_, err = o.gv.ImportFramework(ctx, o.security, "", strings.NewReader(cat))
			testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
			list, _ := o.gv.ListFrameworks(ctx, o.financeMember)
			if len(list) != 3 {
				t.Errorf("%d frameworks; want 2 shipped + 1 imported", len(list))
			}
		})
	})
}

// BenchmarkCompliance measures the bar: compliance per framework
// and department with 1,000 controls and 20,000 evidence items, from the
// database (SQLite) to the computed tallies.
func BenchmarkCompliance(b *testing.B) {
	st := testdb.Open(b, "sqlite")
	o := &struct{ gv *govern.Service }{govern.New(st)}
	ctx := b.Context()
	nist, iso := frameworks.NISTCSF2().Active(), frameworks.ISO27001AnnexA().Active()
	depts := []shieldwall.Department{}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 10; i++ {
			d := shieldwall.Department{ID: store.NewID(), Name: fmt.Sprintf("Dept %d", i), Slug: fmt.Sprintf("dept-%d", i), CreatedAt: tx.Now, UpdatedAt: tx.Now}
			if err := tx.CreateDepartment(ctx, &d); err != nil {
				return err
			}
			depts = append(depts, d)
		}
		for i := 0; i < 1000; i++ {
			c := shieldwall.Control{Title: fmt.Sprintf("Control %d", i), OwnerDepartmentID: depts[i%10].ID, Status: shieldwall.ControlStatuses[i%4],
				Mappings: []shieldwall.ControlMapping{{FrameworkID: frameworks.NISTCSF2ID, RequirementID: nist[i%len(nist)].ID}, {FrameworkID: frameworks.ISO27001ID, RequirementID: iso[i%len(iso)].ID}}}
			if err := tx.CreateControl(ctx, &c); err != nil {
				return err
			}
			for j := 0; j < 20; j++ {
				e := shieldwall.Evidence{ControlID: c.ID, Title: "e", URL: "https://example.com", ValidUntil: fmt.Sprintf("20%02d-01-01", 20+j)}
				if err := tx.AddEvidence(ctx, &e, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sec := shieldwall.SystemActor("bench")
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := o.gv.Compliance(ctx, sec); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}
