package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// parse runs cmd with args through its runF seam and reports whether
// cobra accepted them.
func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

func TestArgumentParsing(t *testing.T) {
	var e Env
	t.Run("publish", func(t *testing.T) {
		var got *publishOptions
		cmd := newPublishCmd(e, func(o *publishOptions) error { got = o; return nil })
		if err := parse(t, cmd, "flags", "--env", "production", "--to", "gs://b/p", "--dry-run", "-m", "why", "--overwrite-edits", "--output", "json"); err != nil {
			t.Fatal(err)
		}
		want := &publishOptions{Dir: "flags", Env: "production", To: "gs://b/p", DryRun: true, Message: "why", Overwrite: true, Output: "json"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("publish defaults", func(t *testing.T) {
		var got *publishOptions
		cmd := newPublishCmd(e, func(o *publishOptions) error { got = o; return nil })
		if err := parse(t, cmd, "--env", "staging", "--to", "./site"); err != nil {
			t.Fatal(err)
		}
		if got.Dir != "." || got.Output != formatText || got.DryRun || got.Overwrite {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("publish requires --to", func(t *testing.T) {
		cmd := newPublishCmd(e, func(*publishOptions) error { t.Error("ran"); return nil })
		if err := parse(t, cmd, "--env", "staging"); err == nil {
			t.Error("no error")
		}
	})
	t.Run("eval", func(t *testing.T) {
		var got *evalOptions
		cmd := newEvalCmd(e, func(o *evalOptions) error { got = o; return nil })
		err := parse(t, cmd, "new-checkout", "--env", "production", "--ruleset", "https://x/y.json", "--key", "u1",
			"--attr", "plan=pro", "--attr", "tags:=[\"a\",\"b\"]", "--at", "+7d")
		if err != nil {
			t.Fatal(err)
		}
		want := &evalOptions{Flag: "new-checkout", Env: "production", Ruleset: "https://x/y.json", Key: "u1",
			Attrs: []string{"plan=pro", `tags:=["a","b"]`}, At: "+7d", Output: formatText}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("eval --dir and --ruleset exclude each other", func(t *testing.T) {
		cmd := newEvalCmd(e, func(*evalOptions) error { t.Error("ran"); return nil })
		if err := parse(t, cmd, "f", "--dir", "flags", "--ruleset", "r.json"); err == nil {
			t.Error("no error")
		}
	})
	t.Run("flag rollout", func(t *testing.T) {
		var got *flagEditOptions
		cmd := newFlagRolloutCmd(e, func(o *flagEditOptions) error { got = o; return nil })
		if err := parse(t, cmd, "payment-service", "12.5", "flags", "--env", "production", "--variation", "payments-v2", "--rest", "monolith"); err != nil {
			t.Fatal(err)
		}
		if got.Flag != "payment-service" || got.Percent != "12.5" || got.Dir != "flags" || got.Env != "production" ||
			got.Variation != "payments-v2" || got.Rest != "monolith" || got.To != "" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("flag disable --to", func(t *testing.T) {
		var got *flagEditOptions
		cmd := newFlagSwitchCmd(e, false, func(o *flagEditOptions) error { got = o; return nil })
		if err := parse(t, cmd, "new-checkout", "--env", "production", "--to", "s3://b/p"); err != nil {
			t.Fatal(err)
		}
		if got.Flag != "new-checkout" || got.Dir != "." || *got.Enable || got.To != "s3://b/p" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("build -o", func(t *testing.T) {
		var got *buildOptions
		cmd := newBuildCmd(e, func(o *buildOptions) error { got = o; return nil })
		if err := parse(t, cmd, "flags", "--env", "staging", "-o", "out.json"); err != nil {
			t.Fatal(err)
		}
		if *got != (buildOptions{Dir: "flags", Env: "staging", File: "out.json"}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("serve", func(t *testing.T) {
		var got *serveOptions
		cmd := newServeCmd(e, func(o *serveOptions) error { got = o; return nil })
		if err := parse(t, cmd, "site"); err != nil {
			t.Fatal(err)
		}
		if *got != (serveOptions{Root: "site", Addr: "127.0.0.1:8080"}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("rollback", func(t *testing.T) {
		var got *rollbackOptions
		cmd := newRollbackCmd(e, func(o *rollbackOptions) error { got = o; return nil })
		if err := parse(t, cmd, "--env", "production", "--to", "site", "--version", "41", "-m", "errors"); err != nil {
			t.Fatal(err)
		}
		if got.Version != 41 || got.Message != "errors" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("lint", func(t *testing.T) {
		var got *lintOptions
		cmd := newLintCmd(e, func(o *lintOptions) error { got = o; return nil })
		if err := parse(t, cmd, "flags", "--within", "30d", "--output", "json"); err != nil {
			t.Fatal(err)
		}
		if *got != (lintOptions{Dir: "flags", Within: "30d", Output: formatJSON}) {
			t.Errorf("got %+v", got)
		}
	})
}

func TestEveryCommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.Example == "" && c.Name() != "help" {
			t.Errorf("%s has no Example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRoot(Env{}))
}

func TestParseAttrs(t *testing.T) {
	got, err := parseAttrs([]string{"plan=pro", "age=42", "ratio=-1.5e2", "beta=true", "off=false", "zip=01234",
		"id:=\"42\"", "list:=[\"DE\",1]", "empty=", "eq=a=b", "ver=1.2.3", "True=True"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"plan": "pro", "age": 42.0, "ratio": -150.0, "beta": true, "off": false, "zip": "01234",
		"id": "42", "list": []any{"DE", jsonNum("1")}, "empty": "", "eq": "a=b", "ver": "1.2.3", "True": "True"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	for _, bad := range []string{"novalue", "=x", ":=1", "x:=", "x:=1 2", "x:={"} {
		if _, err := parseAttrs([]string{bad}); err == nil {
			t.Errorf("parseAttrs(%q): no error", bad)
		}
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "25": 2500, "25%": 2500, "12.5": 1250, "33.33": 3333, "0.01": 1, "100": 10000, "100.00": 10000} {
		if got, err := parsePercent(in); err != nil || got != want {
			t.Errorf("parsePercent(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "+5", "101", "100.01", "1.234", "abc", ".5", "5.", "1e2"} {
		if _, err := parsePercent(bad); err == nil {
			t.Errorf("parsePercent(%q): no error", bad)
		}
	}
}

func TestParseAt(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     now,
		"now":                  now,
		"+36h":                 now.Add(36 * time.Hour),
		"+7d":                  now.Add(7 * 24 * time.Hour),
		"-1d":                  now.Add(-24 * time.Hour),
		"2026-03-01":           time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"2026-03-01T09:00:00Z": time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	} {
		if got, err := parseAt(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseAt(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"tomorrow", "+xd", "2026-13-01", "+"} {
		if _, err := parseAt(bad, now); err == nil {
			t.Errorf("parseAt(%q): no error", bad)
		}
	}
}

func jsonNum(s string) any { return json.Number(s) }
