package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/ruleset"
)

// TestInvalidInput checks that every kind of bad input gives a one-line
// cause on standard error, the right exit code, and leaves nothing
// half-written.
func TestInvalidInput(t *testing.T) {
	publish := []string{"publish", "flags", "--env", "production", "--to", "site"}
	tests := []struct {
		name  string
		setup func(t *testing.T)
		args  []string
		code  int
		// stderr must contain this; problems may take several lines, any
		// other error exactly one (plus a usage hint for usage errors).
		want     string
		problems bool
	}{
		{name: "bad yaml", setup: writeBad("flags/bad.yaml", "flags:\n  x: [unclosed\n"), args: publish, code: ExitInvalid, want: "flags/bad.yaml:", problems: true},
		{name: "unknown field", setup: writeBad("flags/bad.yaml", "flags:\n  x:\n    ownr: me\n"), args: publish, code: ExitInvalid, want: `unknown field "ownr"`, problems: true},
		{name: "wrong type", setup: writeBad("flags/bad.yaml", "flags:\n  x:\n    environments:\n      production:\n        enabled: 1\n"), args: publish,
			code: ExitInvalid, want: "flags/bad.yaml:5:", problems: true},
		{name: "no project file", setup: func(t *testing.T) { os.Remove("flags/cairn.yaml") }, args: []string{"validate", "flags"},
			code: ExitInvalid, problems: true},
		{name: "missing environment", args: []string{"publish", "flags", "--env", "prod", "--to", "site"}, code: ExitUsage,
			want: `environment "prod" is not in the project file (have: development, staging, production)`},
		{name: "missing --env", args: []string{"build", "flags"}, code: ExitUsage, want: `required flag(s) "env" not set`},
		{name: "missing directory", args: []string{"validate", "nowhere"}, code: ExitUsage, want: "flag directory nowhere does not exist"},
		{name: "unknown command", args: []string{"publsh"}, code: ExitUsage, want: `unknown command "publsh"`},
		{name: "unknown flag subcommand", args: []string{"flag", "enabel", "x"}, code: ExitUsage, want: `unknown command "enabel" for "cairn flag"`},
		{name: "unknown flag", args: []string{"validate", "--frobnicate"}, code: ExitUsage, want: "unknown flag: --frobnicate"},
		{name: "bad output format", args: []string{"validate", "flags", "--output", "yaml"}, code: ExitUsage, want: `unknown output format "yaml"`},
		{name: "too many arguments", args: []string{"validate", "a", "b"}, code: ExitUsage, want: "accepts at most 1 arg(s)"},
		{name: "bad URL scheme", args: []string{"publish", "flags", "--env", "production", "--to", "ftp://host/x"}, code: ExitUsage, want: `unknown scheme "ftp"`},
		{name: "bad URL parameter", args: []string{"history", "--env", "production", "--to", "file:///tmp/x?colour=red"}, code: ExitUsage, want: `unknown parameter "colour"`},
		{name: "s3 URL without bucket", args: []string{"history", "--env", "production", "--to", "s3:///prefix"}, code: ExitUsage, want: "missing bucket"},
		{name: "unwritable target", setup: writeBad("blocker", "a file, not a directory"), args: []string{"publish", "flags", "--env", "production", "--to", "blocker/site"},
			code: ExitError, want: "not a directory"},
		{name: "build -o keeps the old file on invalid input", setup: func(t *testing.T) {
			writeFile(t, "out.json", "old")
			writeFile(t, "flags/bad.yaml", "flags:\n  x:\n    ownr: me\n")
		}, args: []string{"build", "flags", "--env", "production", "-o", "out.json"}, code: ExitInvalid, want: `unknown field "ownr"`, problems: true},
		{name: "unwritable build output", args: []string{"build", "flags", "--env", "production", "-o", "no/such/dir/out.json"}, code: ExitError, want: "no/such/dir"},
		{name: "bad attribute", args: []string{"eval", "new-checkout", "--env", "production", "--dir", "flags", "--key", "k", "--attr", "novalue"},
			code: ExitUsage, want: `--attr "novalue": want NAME=VALUE or NAME:=JSON`},
		{name: "bad JSON attribute", args: []string{"eval", "new-checkout", "--env", "production", "--dir", "flags", "--key", "k", "--attr", "x:=[1,"},
			code: ExitUsage, want: "--attr x: value is not JSON"},
		{name: "bad --at", args: []string{"eval", "new-checkout", "--env", "production", "--dir", "flags", "--key", "k", "--at", "tomorrow"},
			code: ExitUsage, want: `--at "tomorrow"`},
		{name: "unknown flag key", args: []string{"eval", "nope", "--env", "production", "--dir", "flags", "--key", "k"}, code: ExitError,
			want: "flag nope is not in the production ruleset"},
		{name: "invalid published ruleset", setup: writeBad("broken.json", `{"schema": 1, "flags": 3}`),
			args: []string{"eval", "x", "--ruleset", "broken.json", "--key", "k"}, code: ExitInvalid, want: "broken.json", problems: true},
		{name: "bad percentage", args: []string{"flag", "rollout", "new-checkout", "12.345", "--env", "production", "flags"}, code: ExitUsage,
			want: `percentage "12.345"`},
		{name: "percentage over 100", args: []string{"flag", "rollout", "new-checkout", "101", "--env", "production", "flags"}, code: ExitUsage,
			want: `percentage "101"`},
		{name: "unknown variation", args: []string{"flag", "serve", "payment-service", "v3", "--env", "production", "flags"}, code: ExitUsage,
			want: `flag payment-service has no variation "v3" (have: monolith, payments-v2)`},
		{name: "non-boolean rollout without --variation", args: []string{"flag", "rollout", "payment-service", "10", "--env", "production", "flags"},
			code: ExitUsage, want: "flag payment-service is not boolean"},
		{name: "edit that makes the file invalid", args: []string{"flag", "enable", "payment-service", "--env", "staging", "flags"}, code: ExitInvalid,
			want: "default is required", problems: true},
		{name: "unknown flag to edit", args: []string{"flag", "enable", "nope", "--env", "staging", "flags"}, code: ExitUsage, want: "flag nope is not defined in flags"},
		{name: "edit of an unpublished environment", args: []string{"flag", "disable", "new-checkout", "--env", "staging", "--to", "site"}, code: ExitError,
			want: "staging"},
		{name: "rollback to a missing version", setup: run(publish), args: []string{"rollback", "--env", "production", "--to", "site", "--version", "7"},
			code: ExitError, want: "version 7"},
		{name: "bad version range", args: []string{"diff", "--env", "production", "--to", "site", "--versions", "3-5"}, code: ExitUsage, want: `--versions "3-5"`},
		{name: "bad --within", args: []string{"lint", "flags", "--within", "soon"}, code: ExitUsage, want: `--within "soon"`},
		{name: "init over an existing project", args: []string{"init", "flags"}, code: ExitError, want: "flags/cairn.yaml already exists"},
		{name: "serve a missing directory", args: []string{"serve", "nowhere", "--addr", "127.0.0.1:0"}, code: ExitUsage, want: "nowhere"},
		{name: "out-of-band edit would be undone", setup: run(publish, []string{"flag", "disable", "new-checkout", "--env", "production", "--to", "site"}),
			args: publish, code: ExitConflict, want: "would undo out-of-band edits to flag(s) new-checkout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inProject(t)
			if tt.setup != nil {
				tt.setup(t)
			}
			before := snapshot(t)
			r := cairn(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.want)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			maxLines := 1
			if tt.code == ExitUsage {
				maxLines = 2 // the cause, then where to find usage
			}
			if !tt.problems && len(lines) > maxLines {
				t.Errorf("stderr has %d lines, want a one-line cause:\n%s", len(lines), r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "cairn: ") {
				t.Errorf("stderr %q does not start with the program name", r.stderr)
			}
			if after := snapshot(t); after != before {
				t.Errorf("a failed command changed files:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func writeBad(path, data string) func(t *testing.T) {
	return func(t *testing.T) { writeFile(t, path, data) }
}

// run returns a setup that runs commands that must succeed.
func run(cmds ...[]string) func(t *testing.T) {
	return func(t *testing.T) {
		for _, args := range cmds {
			if r := cairn(t, args...); r.code != 0 {
				t.Fatalf("cairn %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
			}
		}
	}
}

// snapshot lists every file under the working directory with its content
// hash, leaving out the publish target's temp files.
func snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	err := fs.WalkDir(os.DirFS("."), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %x\n", path, len(data), data[:min(len(data), 16)])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("boom"), ExitError},
		{fmt.Errorf("read: %w", fs.ErrNotExist), ExitError},
		{usagef("bad"), ExitUsage},
		{ruleset.Problems{{Message: "x"}}, ExitInvalid},
		{fmt.Errorf("wrapped: %w", ruleset.Problems{{Message: "x"}}), ExitInvalid},
		{&publisher.InvalidError{Environment: "p", Err: errors.New("x")}, ExitInvalid},
		{&publisher.ConflictError{Environment: "p", Err: publisher.ErrConflict}, ExitConflict},
		{fmt.Errorf("put: %w", publisher.ErrConflict), ExitConflict},
		{&publisher.OutOfBandError{Environment: "p"}, ExitConflict},
		{&reportedError{summary: "lint", code: ExitLint}, ExitLint},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
