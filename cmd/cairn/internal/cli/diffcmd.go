package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

type diffOptions struct {
	Dir      string
	Env      string
	To       string
	Versions string
	Output   string
}

func newDiffCmd(e Env, runF func(*diffOptions) error) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff [DIR] --env ENV --to URL [--versions A..B]",
		Short: "Show what differs between the flag files and the published ruleset, or two versions",
		Long: `Compare the flag directory DIR (default: the working directory), compiled
for ENV, with the ruleset published at URL; or, with --versions A..B, two
published versions. Every changed serve says which share of users changes
variation. Lines start with + (added), - (removed) or ~ (changed).`,
		Example: `  cairn diff flags --env production --to gs://acme-flags/shop
  cairn diff --env production --to file:///srv/flags --versions 3..5 --output json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runDiff(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Env, "env", "", "environment (required)")
	f.StringVar(&opts.To, "to", "", "URL the rulesets are published at (required)")
	f.StringVar(&opts.Versions, "versions", "", "compare two published versions, A..B, instead of the flag files")
	cmd.MarkFlagRequired("env")
	cmd.MarkFlagRequired("to")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

func runDiff(e Env, opts *diffOptions, cmd *cobra.Command) error {
	ctx := cmd.Context()
	var from, to *ruleset.Document
	var a, b int64
	if opts.Versions != "" {
		var err error
		if a, b, err = parseVersionRange(opts.Versions); err != nil {
			return err
		}
	}
	t, err := openTarget(ctx, e, opts.To)
	if err != nil {
		return err
	}
	defer t.Close()
	if opts.Versions != "" {
		if from, err = t.pub.Get(ctx, opts.Env, a); err != nil {
			return fmt.Errorf("version %d of %s: %w", a, opts.Env, err)
		}
		if to, err = t.pub.Get(ctx, opts.Env, b); err != nil {
			return fmt.Errorf("version %d of %s: %w", b, opts.Env, err)
		}
	} else {
		if to, err = compileDir(cmd, e, opts.Dir, opts.Env, ""); err != nil {
			return err
		}
		if from, err = currentOrNil(cmd, t, opts.Env); err != nil {
			return err
		}
	}
	report := diff.Compare(from, to, e.Now())
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, toDiffJSON(report))
	}
	writeDiffText(out, report, opts.Versions == "")
	return nil
}

func writeDiffText(w io.Writer, r diff.Report, files bool) {
	to := fmt.Sprintf("version %d", r.To)
	if files {
		to = "the flag files"
	}
	if r.Empty() {
		fmt.Fprintf(w, "no differences between version %d and %s\n", r.From, to)
		return
	}
	fmt.Fprintf(w, "from version %d to %s:\n", r.From, to)
	io.WriteString(w, r.String())
}

// parseVersionRange reads "A..B".
func parseVersionRange(s string) (int64, int64, error) {
	as, bs, ok := strings.Cut(s, "..")
	a, err1 := strconv.ParseInt(as, 10, 64)
	b, err2 := strconv.ParseInt(bs, 10, 64)
	if !ok || err1 != nil || err2 != nil || a < 1 || b < 1 {
		return 0, 0, usagef("--versions %q: want two version numbers A..B, such as 3..5", s)
	}
	return a, b, nil
}
