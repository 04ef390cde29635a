package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadConfig checks the settings-file reader never panics and that the
// names it returns are clean: trimmed, without "=", never a comment.
func FuzzReadConfig(f *testing.F) {
	f.Add("db = shieldwall.db\n# comment\n\naddr = 127.0.0.1:8080\n")
	f.Add("=\n")
	f.Add("no equals sign\n")
	f.Add("a = \"quoted\"\r\n")
	f.Add("\x00\xff = \xfe")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(dir, "fuzz.conf")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		settings, err := readConfig(path)
		if err != nil {
			return
		}
		for name := range settings {
			if name != strings.TrimSpace(name) || strings.Contains(name, "=") || strings.HasPrefix(name, "#") {
				t.Errorf("readConfig(%q) gave the setting name %q; want a trimmed name without = or #", text, name)
			}
		}
	})
}
