package api

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzWriteEvent checks the server-sent event framing: whatever a
// timeline entry renders to, the stream carries exactly one event whose
// data is that text (carriage returns aside), so no entry can end its
// event early or inject another.
func FuzzWriteEvent(f *testing.F) {
	for _, seed := range []string{"", "plain", "two\nlines", "a\r\nb", "\n\nevent: reset\ndata: {}\n\n", "data: x", "\r", "trailing\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rec := httptest.NewRecorder()
		if err := writeEvent(rec, "id-1", "timeline", []byte(data)); err != nil {
			t.Fatal(err)
		}
		out := rec.Body.String()
		// An event ends at the first blank line; there must be exactly one, at the very end.
		if !strings.HasSuffix(out, "\n\n") || strings.Count(out, "\n\n") != 1 {
			t.Fatalf("framing of %q produced %q", data, out)
		}
		var got []string
		events := 0
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n\n"), "\n") {
			switch {
			case strings.HasPrefix(line, "data: "):
				got = append(got, strings.TrimPrefix(line, "data: "))
			case line == "id: id-1":
			case strings.HasPrefix(line, "event: "):
				events++
			default:
				t.Fatalf("unexpected line %q in %q", line, out)
			}
		}
		want := strings.ReplaceAll(data, "\r", "")
		if events != 1 || strings.Join(got, "\n") != want {
			t.Fatalf("data %q came out as %q (%d event lines)", want, strings.Join(got, "\n"), events)
		}
		if bytes.ContainsRune(rec.Body.Bytes(), '\r') {
			t.Fatalf("a carriage return reached the stream: %q", out)
		}
	})
}
