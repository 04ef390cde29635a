//go:build unix

package bench

import (
	"os"
	"strings"
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineLoad describes how busy the machine is: the load averages and,
// where the kernel reports it, how often runnable threads waited for a CPU
// in the last 60 seconds. Empty when neither can be read.
func machineLoad() string {
	var parts []string
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			parts = append(parts, "load average "+strings.Join(f[:3], " "))
		}
	}
	if b, err := os.ReadFile("/proc/pressure/cpu"); err == nil {
		// "some avg10=… avg60=… avg300=… total=…" on the first line.
		for _, f := range strings.Fields(strings.SplitN(string(b), "\n", 2)[0]) {
			if v, ok := strings.CutPrefix(f, "avg60="); ok {
				parts = append(parts, "CPU pressure "+v+"% (some threads waiting, last 60 s)")
			}
		}
	}
	return strings.Join(parts, ", ")
}
