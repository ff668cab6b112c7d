package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/ruleset"
)

type rollbackOptions struct {
	Env     string
	To      string
	Version int64
	Message string
	Output  string
}

func newRollbackCmd(e Env, runF func(*rollbackOptions) error) *cobra.Command {
	opts := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback --env ENV --to URL --version N",
		Short: "Publish an old version's flags again, as a new version",
		Long: `Publish the flags and segments of version N of ENV as a new, higher
version (versions only grow, so every SDK accepts it). The rolled-back flags
are recorded as out-of-band edits: a later publish from git that would undo
the rollback stops until the flag files agree (cairn sync) or you pass
--overwrite-edits.`,
		Example: `  cairn history --env production --to gs://acme-flags/shop
  cairn rollback --env production --to gs://acme-flags/shop --version 41 -m "checkout errors"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runRollback(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Env, "env", "", "environment (required)")
	f.StringVar(&opts.To, "to", "", "URL the rulesets are published at (required)")
	f.Int64Var(&opts.Version, "version", 0, "version to roll back to (required)")
	f.StringVarP(&opts.Message, "message", "m", "", "why, recorded with the new version")
	cmd.MarkFlagRequired("env")
	cmd.MarkFlagRequired("to")
	cmd.MarkFlagRequired("version")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// rollbackResult is rollback's output.
type rollbackResult struct {
	Environment  string `json:"environment"`
	RolledBackTo int64  `json:"rolled_back_to"`
	Version      int64  `json:"version"`
	Previous     int64  `json:"previous"`
	Unchanged    bool   `json:"unchanged"`
	URL          string `json:"url"`
}

func runRollback(e Env, opts *rollbackOptions, cmd *cobra.Command) error {
	if opts.Version < 1 {
		return usagef("--version %d: versions start at 1", opts.Version)
	}
	ctx := cmd.Context()
	t, err := openTarget(ctx, e, opts.To)
	if err != nil {
		return err
	}
	defer t.Close()
	src := ruleset.Source{Author: who(ctx, e), Tool: "cairn", Message: opts.Message}
	r, err := t.pub.Rollback(ctx, opts.Env, opts.Version, src)
	if err != nil {
		return fmt.Errorf("roll %s back to version %d: %w", opts.Env, opts.Version, err)
	}
	res := rollbackResult{
		Environment: opts.Env, RolledBackTo: opts.Version, Version: r.Version,
		Previous: r.Previous, Unchanged: r.Unchanged, URL: t.objectURL(publisher.CurrentKey(opts.Env)),
	}
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, res)
	}
	if r.Unchanged {
		fmt.Fprintf(out, "%s: unchanged, version %d already serves what version %d did\n", opts.Env, r.Version, opts.Version)
		return nil
	}
	fmt.Fprintf(out, "%s: published version %d with the flags of version %d (was %d)\n  %s\n",
		opts.Env, r.Version, opts.Version, r.Previous, res.URL)
	return nil
}
