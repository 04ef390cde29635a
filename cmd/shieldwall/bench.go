package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shieldwall/shieldwall/internal/bench"
	"github.com/shieldwall/shieldwall/internal/store"
)

func cmdBenchIntake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench intake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: shieldwall bench intake [flags]\n\n"+
			"Measure report intake over HTTP on a fresh SQLite file (synchronous=FULL): a bare net/http\n"+
			"handler that decodes the same JSON and stores nothing, the naive store (one commit per report)\n"+
			"and Shieldwall's intake (group commit), each driven by the same client in the same run.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	clients := fs.Int("clients", 64, "concurrent clients")
	duration := fs.Duration("duration", 5*time.Second, "how long each run lasts")
	dir := fs.String("dir", "", "folder for the database file (default: a temporary folder)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the group-commit run to this file")
	linger := fs.Duration("linger", store.DefaultLinger, "how long a group commit may wait for more reports under load (0: never)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if *clients < 1 || *duration <= 0 || *linger < 0 {
		fmt.Fprintln(stderr, "--clients must be at least 1, --duration positive and --linger not negative")
		return errUsage
	}
	cfg := bench.IntakeConfig{Clients: *clients, Duration: *duration, Dir: *dir, Out: stdout, Linger: *linger}
	if *linger == 0 {
		cfg.Linger = -1 // never wait
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.CPUProfile = f
	}
	_, err := bench.Intake(ctx, cfg)
	return err
}
