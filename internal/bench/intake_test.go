package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestIntakeRuns checks that the benchmark measures what it says: every
// run completes requests without errors and every acknowledged report is
// stored. It asserts nothing about speed; that is the bench command's job.
func TestIntakeRuns(t *testing.T) {
	var out bytes.Buffer
	res, err := Intake(context.Background(), IntakeConfig{Clients: 4, Duration: 200 * time.Millisecond, Dir: t.TempDir(), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("got %d runs; want 4 (bare, naive, group commit, storing nothing)", len(res))
	}
	for _, r := range res {
		if r.Requests == 0 || r.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors; want some requests and no errors", r.Name, r.Requests, r.Errors)
		}
	}
	if !strings.Contains(out.String(), "intake / bare throughput") || !strings.Contains(out.String(), "storing nothing / bare") {
		t.Errorf("output lacks the ratio:\n%s", out.String())
	}
}
