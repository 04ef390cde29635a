package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/shieldwall/shieldwall/internal/bench"
)

func cmdBenchCases(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench cases", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: shieldwall bench cases [flags]\n\n"+
			"Load a large number of cases and timeline entries into a fresh database, then measure over\n"+
			"loopback HTTP the case API (one case, its timeline, the list, a search) and how fast a new\n"+
			"timeline entry reaches open event streams, beside a bare net/http handler serving the same\n"+
			"case body from memory, measured by the same client in the same run.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	cases := fs.Int("cases", 100000, "cases to load")
	entries := fs.Int("entries", 1000000, "timeline entries to load, spread over the cases")
	requests := fs.Int("requests", 400, "requests per measured route")
	clients := fs.Int("clients", 4, "concurrent clients per route")
	streams := fs.Int("streams", 100, "open event streams on one case")
	posts := fs.Int("posts", 50, "timeline entries posted while the streams listen")
	dir := fs.String("dir", "", "folder for the SQLite file (default: a temporary folder)")
	url := fs.String("database-url", "", "measure on this PostgreSQL database instead (it must be empty)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if *cases < 1 || *entries < 0 || *requests < 1 || *clients < 1 || *streams < 1 || *posts < 1 {
		fmt.Fprintln(stderr, "--cases, --requests, --clients, --streams and --posts must be at least 1")
		return errUsage
	}
	_, err := bench.Cases(ctx, bench.CasesConfig{Cases: *cases, Entries: *entries, Requests: *requests, Clients: *clients,
		Streams: *streams, Posts: *posts, Dir: *dir, DatabaseURL: *url, Out: stdout})
	return err
}
