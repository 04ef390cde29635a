//go:build unix

package mailtriage

import (
	"syscall"
	"time"
)

// processCPUTime returns the CPU time this process has used. Benchmarks
// report it next to wall time because a shared machine's other work
// stretches wall time but not CPU time.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
