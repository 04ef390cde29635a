package server

import (
	"os"
	"runtime/debug"
)

// ServerGCPercent is the garbage collector's target for a running server:
// the heap may grow to five times the data in use before a collection.
//
// Go's default (100) suits programs whose memory is tight, not a server
// whose live data is a few tens of megabytes: each request allocates
// briefly (JSON, SQL arguments), and at the default the collector ran so
// often that it took about a quarter of the CPU of report intake.
// Measured with BenchmarkIntakeHandler (internal/bench), CPU per report
// fell from 159 µs to 116 µs at 400; `shieldwall bench intake`, server
// and load generator in one process, peaked at 115 MB resident.
const ServerGCPercent = 400

// TuneGC applies ServerGCPercent unless the operator set GOGC, whose
// value then stands (GOMEMLIMIT, too, works as documented by Go).
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(ServerGCPercent)
	}
}
