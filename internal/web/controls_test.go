package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestControlPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Finance", "")
		a.mustDepartment("IT", "")
		a.mustUser("admin@example.com", "Ada Admin", shieldwall.RoleAdmin, "IT", testPassword)
		a.mustUser("fin@example.com", "Fay Finance", shieldwall.RoleChampion, "Finance", testPassword)

		admin := a.client()
		admin.signIn("admin@example.com", testPassword)
		r := admin.postForm("/controls", "/controls", url.Values{"title": {"Call back before paying a changed account"}, "owner_department": {"finance"},
			"status": {"implemented"}, "mappings": {"iso27001-2022 A.5.1\nnist-csf-2.0 NOPE"}})
		wantStatus(t, r, http.StatusBadRequest)
		if msg := fieldError(r.body, "mappings"); msg == "" {
			t.Errorf("no error beside the mappings box: %s", excerpt(mainOf(r.body)))
		}
		wantBody(t, r, "Call back before paying a changed account")
		r = admin.postForm("/controls", "/controls", url.Values{"title": {"Call back before paying a changed account"}, "owner_department": {"finance"},
			"status": {"implemented"}, "mappings": {"iso27001-2022 5.1"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.StatusCode, excerpt(mainOf(r.body)))
		}
		page := r.Header.Get("Location")
		page = page[:len(page)-len("?notice=control-created")]

		fin := a.client()
		fin.signIn("fin@example.com", testPassword)
		r = fin.postForm(page, page+"/evidence", url.Values{"title": {"Call-back log Q3"}, "url": {"https://intranet.example/q3"}, "valid_until": {"2001-01-01"}})
		wantLocation(t, r, page+"?notice=evidence-added")
		r = fin.get("/controls")
		wantBody(t, r, "Call-back log Q3", "expired on 2001-01-01", "ISO/IEC 27001")
		r = fin.postMultipart(page, page+"/evidence", url.Values{"title": {"Signed procedure"}}, upload{field: "file", name: "procedure.pdf", data: []byte("%PDF-1.4 signed")})
		wantLocation(t, r, page+"?notice=evidence-added")
		r = fin.get(page)
		wantBody(t, r, "procedure.pdf")
		r = fin.postMultipart(page, page+"/evidence", url.Values{"title": {"Too big"}}, upload{field: "file", name: "big.bin", data: make([]byte, 600<<10)})
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
		if fieldError(r.body, "file") == "" {
			t.Errorf("no error beside the file")
		}

		r = admin.postMultipart("/controls", "/controls/import", url.Values{}, upload{field: "csv", name: "c.csv", data: []byte("title,owner_department\nMFA,IT\nBackups,Nowhere\n")})
		wantStatus(t, r, http.StatusBadRequest)
		wantBody(t, r, "line 3")
		r = admin.postMultipart("/controls", "/controls/import", url.Values{}, upload{field: "csv", name: "c.csv", data: []byte("title,owner_department\nMFA,IT\n")})
		wantLocation(t, r, "/controls?notice=controls-imported")

		r = admin.postMultipart("/frameworks", "/frameworks", url.Values{"id": {""}}, upload{field: "catalog", name: "x.json", data: []byte(`{"profile":{}}`)})
		wantStatus(t, r, http.StatusBadRequest)
		if msg := fieldError(r.body, "catalog"); msg == "" {
			t.Errorf("no error beside the file: %s", excerpt(mainOf(r.body)))
		}
		r = admin.get("/frameworks/iso27001-2022?status=implemented") // the signed file does not expire
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "<code>A.5.1</code>", "Call back before paying a changed account")
		wantNoBody(t, r, "<code>A.5.2</code>")
		wantStatus(t, admin.get("/frameworks/nope"), http.StatusNotFound)
		r = admin.get("/api/v1/frameworks/iso27001-2022/soa.csv")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "requirement_id,label,title", "A.5.1,5.1,")
	})
}
