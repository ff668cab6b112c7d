package cli

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset/lint"
)

type lintOptions struct {
	Dir    string
	Within string
	Output string
}

func newLintCmd(e Env, runF func(*lintOptions) error) *cobra.Command {
	opts := &lintOptions{}
	cmd := &cobra.Command{
		Use:   "lint [DIR] [--within 14d]",
		Short: "Find expired, expiring, ownerless or finished flags and unused segments",
		Long: `Check the flag directory DIR (default: the working directory) for what
needs a person: flags past their expiry date (error), expiring within
--within (warning), without an owner or expiry date when cairn.yaml
requires one (error), expiring further ahead than max_expiry_days (error),
serving one variation to everyone everywhere, ready to be removed (info),
and segments no flag uses (warning).

Exit status: 0 without errors, 4 when a finding is an error, 3 when the
files are invalid.`,
		Example: `  cairn lint flags
  cairn lint flags --within 30d --output json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runLint(e, opts, cmd)
		},
	}
	cmd.Flags().StringVar(&opts.Within, "within", "14d", "warn about flags expiring within this time (14d, 72h)")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// lintResult is lint's JSON output.
type lintResult struct {
	Findings []lint.Finding `json:"findings"`
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Infos    int            `json:"infos"`
}

func runLint(e Env, opts *lintOptions, cmd *cobra.Command) error {
	within, err := parseDays(opts.Within)
	if err != nil || within < 0 {
		return usagef("--within %q: want a duration such as 14d or 72h", opts.Within)
	}
	p, err := loadProject(opts.Dir)
	if err != nil {
		return err
	}
	res := lintResult{Findings: lint.Check(p, lint.Options{Now: e.Now(), Within: within})}
	if res.Findings == nil {
		res.Findings = []lint.Finding{}
	}
	for i, f := range res.Findings {
		res.Findings[i].File = filepath.Join(opts.Dir, filepath.FromSlash(f.File))
		switch f.Severity {
		case lint.Error:
			res.Errors++
		case lint.Warning:
			res.Warnings++
		default:
			res.Infos++
		}
	}
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		if err := writeJSON(out, res); err != nil {
			return err
		}
	} else {
		writeLintText(out, res, opts.Dir)
	}
	if res.Errors > 0 {
		return &reportedError{summary: fmt.Sprintf("lint: %s, %s", plural(res.Errors, "error"), plural(res.Warnings, "warning")), code: ExitLint}
	}
	return nil
}

func writeLintText(w io.Writer, r lintResult, dir string) {
	for _, f := range r.Findings {
		fmt.Fprintln(w, f.String())
	}
	if len(r.Findings) == 0 {
		fmt.Fprintf(w, "%s: no findings\n", dir)
	}
}
