package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigFile checks the settings file and its place below the
// environment and the command line.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "shieldwall.conf")
	write := func(text string) {
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	t.Run("OK", func(t *testing.T) {
		write("# where the data lives\ndb = " + filepath.Join(dir, "from-file.db") + "\n")
		runCmd(t, "", "migrate", "--config", conf).want(t, 0)
		if !exists("from-file.db") {
			t.Error("migrate --config did not use the file's db")
		}
	})
	t.Run("OKEnvironmentWins", func(t *testing.T) {
		write("db = " + filepath.Join(dir, "file.db") + "\n")
		t.Setenv("SHIELDWALL_DB", filepath.Join(dir, "env.db"))
		runCmd(t, "", "migrate", "--config="+conf).want(t, 0)
		if !exists("env.db") || exists("file.db") {
			t.Error("the environment did not win over the settings file")
		}
	})
	t.Run("OKFlagWins", func(t *testing.T) {
		write("db = " + filepath.Join(dir, "file2.db") + "\n")
		t.Setenv("SHIELDWALL_CONFIG", conf)
		runCmd(t, "", "migrate", "--db", filepath.Join(dir, "flag.db")).want(t, 0)
		if !exists("flag.db") || exists("file2.db") {
			t.Error("the flag did not win over the settings file")
		}
	})
	t.Run("ErrUnknownSetting", func(t *testing.T) {
		write("colour = blue\n")
		r := runCmd(t, "", "migrate", "--config", conf).want(t, 1)
		if !strings.Contains(r.stderr, `"colour" is not a setting`) {
			t.Errorf("stderr = %q; want it to name the unknown setting", r.stderr)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		r := runCmd(t, "", "migrate", "--config", filepath.Join(dir, "nope.conf")).want(t, 1)
		if !strings.Contains(r.stderr, "settings file") {
			t.Errorf("stderr = %q; want it to say the settings file is the problem", r.stderr)
		}
	})
}
