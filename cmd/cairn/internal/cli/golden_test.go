package cli

import (
	"strings"
	"testing"

	"github.com/cairnflags/cairn/ruleset"
)

// TestGolden runs commands on a copy of testdata/project and compares their
// standard output, text and JSON, with testdata/golden.
func TestGolden(t *testing.T) {
	publish := []string{"publish", "flags", "--env", "production", "--to", "site"}
	rollout := []string{"flag", "rollout", "new-checkout", "25", "--env", "production", "flags"}
	badFile := func(t *testing.T) {
		writeFile(t, "flags/bad.yaml", "flags:\n  broken:\n    descripton: typo\n    environments:\n      production:\n        enabled: \"yes\"\n      prod:\n        enabled: true\n")
	}
	tests := []struct {
		name   string
		setup  func(t *testing.T)
		before [][]string // commands run first, each must succeed
		args   []string
		code   int
		golden string
		files  map[string]string // file → golden name, compared after the run
	}{
		{name: "validate", args: []string{"validate", "flags"}, golden: "validate.txt"},
		{name: "validate json", args: []string{"validate", "flags", "--output", "json"}, golden: "validate.json"},
		{name: "validate invalid", setup: badFile, args: []string{"validate", "flags"}, code: ExitInvalid, golden: "validate-invalid.txt"},
		{name: "validate invalid json", setup: badFile, args: []string{"validate", "flags", "--output", "json"}, code: ExitInvalid, golden: "validate-invalid.json"},
		{name: "build", args: []string{"build", "flags", "--env", "production"}, golden: "build-production.json"},
		{name: "eval rule", args: []string{"eval", "new-checkout", "--env", "production", "--dir", "flags", "--key", "user-1",
			"--attr", "order_total=750", "--attr", "country=DE"}, golden: "eval-rule.txt"},
		{name: "eval rule json", args: []string{"eval", "new-checkout", "--env", "production", "--dir", "flags", "--key", "user-1",
			"--attr", "order_total=750", "--attr", "country=DE", "--output", "json"}, golden: "eval-rule.json"},
		{name: "eval segment", args: []string{"eval", "new-checkout", "--env", "production", "--dir", "flags", "--key", "ann",
			"--attr", "email=ann@example.com"}, golden: "eval-segment.txt"},
		{name: "eval split", args: []string{"eval", "new-checkout", "--env", "production", "--dir", "flags", "--key", "user-42"}, golden: "eval-split.txt"},
		{name: "eval off", args: []string{"eval", "payment-service", "--env", "staging", "--dir", "flags", "--key", "user-42"}, golden: "eval-off.txt"},
		{name: "eval at", args: []string{"eval", "old-banner", "--env", "production", "--dir", "flags", "--key", "user-42",
			"--at", "2026-07-06T00:00:00Z", "--output", "json"}, golden: "eval-at.json"},
		{name: "eval published", before: [][]string{publish}, args: []string{"eval", "new-checkout", "--ruleset", "site/production/ruleset.json",
			"--key", "user-42"}, golden: "eval-published.txt"},
		{name: "publish first", args: publish, golden: "publish-first.txt"},
		{name: "publish unchanged json", before: [][]string{publish}, args: append(publish, "--output", "json"), golden: "publish-unchanged.json"},
		{name: "publish dry run", before: [][]string{publish, rollout}, args: append(publish, "--dry-run"), golden: "publish-dry-run.txt"},
		{name: "publish second json", before: [][]string{publish, rollout}, args: append(publish, "--output", "json", "-m", "raise new-checkout"),
			golden: "publish-second.json"},
		{name: "diff", before: [][]string{publish, rollout}, args: []string{"diff", "flags", "--env", "production", "--to", "site"}, golden: "diff.txt"},
		{name: "diff versions json", before: [][]string{publish, rollout, publish}, args: []string{"diff", "--env", "production", "--to", "site",
			"--versions", "1..2", "--output", "json"}, golden: "diff-versions.json"},
		{name: "history", before: [][]string{publish, rollout, publish}, args: []string{"history", "--env", "production", "--to", "site"}, golden: "history.txt"},
		{name: "history json", before: [][]string{publish, rollout, publish}, args: []string{"history", "--env", "production", "--to", "site", "--output", "json"},
			golden: "history.json"},
		{name: "rollback", before: [][]string{publish, rollout, publish}, args: []string{"rollback", "--env", "production", "--to", "site", "--version", "1"},
			golden: "rollback.txt"},
		{name: "lint", args: []string{"lint", "flags"}, code: ExitLint, golden: "lint.txt"},
		{name: "lint json", args: []string{"lint", "flags", "--within", "3d", "--output", "json"}, code: ExitLint, golden: "lint.json"},
		{name: "flag rollout", args: rollout, golden: "flag-rollout.txt", files: map[string]string{"flags/checkout.yaml": "flag-rollout.yaml"}},
		{name: "flag enable json", args: []string{"flag", "enable", "old-banner", "--env", "staging", "flags", "--output", "json"},
			golden: "flag-enable.json", files: map[string]string{"flags/checkout.yaml": "flag-enable.yaml"}},
		{name: "flag serve published", before: [][]string{publish}, args: []string{"flag", "serve", "payment-service", "payments-v2",
			"--env", "production", "--to", "site"}, golden: "flag-serve-published.txt"},
		{name: "sync", before: [][]string{publish, {"flag", "disable", "new-checkout", "--env", "production", "--to", "site"}},
			args: []string{"sync", "flags", "--env", "production", "--to", "site"}, golden: "sync.txt",
			files: map[string]string{"flags/checkout.yaml": "sync.yaml"}},
		{name: "init", args: []string{"init", "fresh"}, golden: "init.txt", files: map[string]string{"fresh/flags.yaml": "init-flags.yaml", "fresh/cairn.yaml": "init-cairn.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inProject(t)
			if tt.setup != nil {
				tt.setup(t)
			}
			for _, args := range tt.before {
				if r := cairn(t, args...); r.code != 0 {
					t.Fatalf("cairn %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
				}
			}
			r := cairn(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			}
			checkGolden(t, tt.golden, r.stdout)
			for file, golden := range tt.files {
				checkGolden(t, golden, readFile(t, file))
			}
		})
	}
}

func TestSchemaPrintsTheFlagFileSchema(t *testing.T) {
	r := cairn(t, "schema")
	if r.code != 0 || r.stdout != string(ruleset.FlagFileSchema()) {
		t.Errorf("exit %d, output differs from ruleset.FlagFileSchema()", r.code)
	}
}

func TestVersion(t *testing.T) {
	r := cairn(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "cairn ") {
		t.Errorf("exit %d, output %q", r.code, r.stdout)
	}
}

func TestCompletion(t *testing.T) {
	r := cairn(t, "completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "bash completion") {
		t.Errorf("exit %d, output starts %.80q", r.code, r.stdout)
	}
}

func TestHelpShowsExamples(t *testing.T) {
	r := cairn(t, "publish", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "cairn publish flags --env") {
		t.Errorf("exit %d, help:\n%s", r.code, r.stdout)
	}
}

func TestBuildToFileEqualsStandardOutput(t *testing.T) {
	inProject(t)
	writeFile(t, "out.json", "old content")
	stdout := cairn(t, "build", "flags", "--env", "staging")
	toFile := cairn(t, "build", "flags", "--env", "staging", "-o", "out.json")
	if stdout.code != 0 || toFile.code != 0 || toFile.stdout != "" {
		t.Fatalf("exit %d and %d, stdout %q", stdout.code, toFile.code, toFile.stdout)
	}
	if got := readFile(t, "out.json"); got != stdout.stdout {
		t.Errorf("out.json differs from the printed ruleset")
	}
}
