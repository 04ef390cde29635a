package smtpd_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/smtpd"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestRun_PhishingMailbox runs the whole server as `shieldwall serve
// --smtp-addr` does: the mailbox starts with it, stores what it accepts,
// and stops with it.
func TestRun_PhishingMailbox(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			cfg := testdb.Config(t, d)
			logs := &syncBuffer{}
			log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				done <- server.Run(ctx, server.Config{Addr: "127.0.0.1:0", Store: cfg, Triage: triageOptions,
					SMTP: smtpd.Config{Addr: "127.0.0.1:0", Domain: "mailbox.test", AllowedRecipients: []string{reportAddress}}}, log, io.Discard)
			}()
			re := regexp.MustCompile(`smtp=(127\.0\.0\.1:\d+)`)
			var addr string
			for deadline := time.Now().Add(30 * time.Second); addr == "" || !strings.Contains(logs.String(), "shieldwall is serving"); {
				if m := re.FindStringSubmatch(logs.String()); m != nil {
					addr = m[1]
				}
				select {
				case err := <-done:
					t.Fatalf("Run() = %v before serving\n%s", err, logs.String())
				case <-time.After(10 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatalf("the mailbox did not start\n%s", logs.String())
				}
			}

			if r := send(t, addr, "anna@acmecorp.com", []string{"ceo@acmecorp.com"}, []byte("Subject: x\r\n\r\nx\r\n")); r.code != 550 {
				t.Errorf("unknown recipient = %v; want 550 (--smtp-recipient is applied)", r)
			}
			mustSend(t, addr, "anna@acmecorp.com", readTestdata(t, "forward-attachment.eml"))
			idle := dial(t, addr)
			idle.cmd("EHLO relay.acmecorp.com")

			cancel()
			if r := idle.read(); r.code != 421 {
				t.Errorf("idle relay connection at shutdown got %v; want 421", r)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run() = %v; want nil after a clean shutdown", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Run() did not return after ctx ended")
			}
			if nc, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				nc.Close()
				t.Errorf("the mailbox still listens after Run returned")
			}

			st := openStore(t, cfg)
			items, total, err := st.ListReports(context.Background(), shieldwall.ReportFilter{}, store.ReportVisibility{All: true})
			if err != nil || total != 1 || items[0].Source != shieldwall.SourceEmail || items[0].VerdictLevel == "" {
				t.Fatalf("after Run: %d reports, %v; want the mailed report, triaged", total, err)
			}
			if !strings.Contains(logs.String(), "report="+items[0].ID) {
				t.Errorf("the debug log does not name the stored report %s:\n%s", items[0].ID, logs.String())
			}
			for _, s := range []string{"anna@", "jane.doe"} {
				if strings.Contains(logs.String(), s) {
					t.Errorf("the log contains %q", s)
				}
			}
		})
	}
}
