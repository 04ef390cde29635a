package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestNotFoundPage checks that an unknown address gets the site's own page.
func TestNotFoundPage(t *testing.T) {
	a := newApp(t, testdb.Open(t, "sqlite"))
	resp, err := http.Get(a.url + "/no/such/page")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /no/such/page = %d %s; want 404 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(string(body), "There is no page at this address.") {
		t.Errorf("the 404 page does not say what happened:\n%s", body)
	}
}
