package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeOutgoingMailFlags: the outgoing mail password comes from a file
// (or the environment) and never shows in the logs, even at debug level;
// a wrong TLS mode is refused naming its flag.
func TestServeOutgoingMailFlags(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "smtp-password")
	const password = "correct-horse-smtp-secret"
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.Default()
	defer slog.SetDefault(log) // serve sets the default logger

	t.Run("PasswordNeverLogged", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		var out, errOut strings.Builder
		code := run(ctx, []string{"serve", "--db", filepath.Join(dir, "sw.db"), "--addr", "127.0.0.1:0", "--log-level", "debug",
			"--smtp-out-host", "127.0.0.1", "--smtp-out-from", "security@example.com", "--smtp-out-user", "shieldwall",
			"--smtp-out-password-file", pwFile}, strings.NewReader(""), &out, &errOut)
		if code != 0 {
			t.Fatalf("serve exit %d; stderr:\n%s", code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "notification email is on") {
			t.Errorf("serve did not say email is on:\n%s", errOut.String())
		}
		if strings.Contains(errOut.String()+out.String(), password) {
			t.Errorf("the SMTP password appears in serve's output:\n%s", errOut.String())
		}
	})
	t.Run("ErrTLSMode", func(t *testing.T) {
		var out, errOut strings.Builder
		code := run(t.Context(), []string{"serve", "--db", filepath.Join(dir, "sw2.db"), "--smtp-out-host", "127.0.0.1",
			"--smtp-out-from", "security@example.com", "--smtp-out-tls", "ssl"}, strings.NewReader(""), &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), "--smtp-out-tls") {
			t.Errorf("serve --smtp-out-tls ssl = exit %d, stderr %q; want a refusal naming --smtp-out-tls", code, errOut.String())
		}
	})
}
