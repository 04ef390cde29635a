package server

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that a server collects less often than Go's default
// unless the operator chose GOGC, whose choice then stands.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "") // restores the variable when the test ends
	os.Unsetenv("GOGC")
	debug.SetGCPercent(100)
	TuneGC()
	if got := debug.SetGCPercent(100); got != ServerGCPercent {
		t.Errorf("with GOGC unset, the collector's target is %d; want %d", got, ServerGCPercent)
	}
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150) // as the runtime read it at start
	TuneGC()
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("with GOGC=150, the collector's target is %d; want 150", got)
	}
}
