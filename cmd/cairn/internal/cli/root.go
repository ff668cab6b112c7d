package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
)

// Main runs the cairn command line with args (without the program name) and
// returns the process exit code. It prints errors itself, one line each
// (problem listings are the one multi-line exception).
func Main(ctx context.Context, args []string, e Env) int {
	root := NewRoot(e)
	root.SetArgs(args)
	root.SetIn(e.Stdin)
	root.SetOut(e.Stdout)
	root.SetErr(e.Stderr)

	// Anything cobra rejects before a command's RunE starts (an unknown
	// command or flag, a missing argument or required flag) is a usage error.
	started := false
	markStarted(root, &started)

	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if !started {
		err = &usageError{err}
	}
	fmt.Fprintf(e.Stderr, "cairn: %s\n", message(err))
	var usage *usageError
	if errors.As(err, &usage) && cmd != nil {
		fmt.Fprintf(e.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return ExitCode(err)
}

// message renders err for standard error: a problem listing keeps one
// problem per line, anything else is one line (cobra's "Did you mean this?"
// suggestions included).
func message(err error) string {
	var problems ruleset.Problems
	if errors.As(err, &problems) {
		return err.Error()
	}
	msg := strings.Replace(err.Error(), "\n\nDid you mean this?\n", "; did you mean: ", 1)
	return strings.Join(strings.Fields(msg), " ")
}

// markStarted wraps the RunE of cmd and its descendants so that *started
// tells whether a command began its work.
func markStarted(cmd *cobra.Command, started *bool) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			*started = true
			return run(c, args)
		}
	}
	for _, sub := range cmd.Commands() {
		markStarted(sub, started)
	}
}

// NewRoot returns the cairn command with every subcommand.
func NewRoot(e Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "cairn",
		Short: "Feature flags as files in git, published as rulesets to object storage",
		Long: `Cairn keeps feature flags as files in git, validates them, compiles one
ruleset per environment and publishes it as versioned JSON to a directory,
Google Cloud Storage or Amazon S3, behind a CDN. SDKs poll that one URL and
evaluate flags locally.

Exit codes: 0 ok, 1 error, 2 bad usage, 3 invalid flag files or ruleset,
4 lint found errors, 5 conflict with another publisher or an out-of-band edit.`,
		Example: `  cairn init flags
  cairn validate flags
  cairn publish flags --env production --to gs://my-bucket/flags
  cairn eval new-checkout --env production --dir flags --key user-42`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(
		newInitCmd(e, nil),
		newValidateCmd(e, nil),
		newBuildCmd(e, nil),
		newEvalCmd(e, nil),
		newPublishCmd(e, nil),
		newDiffCmd(e, nil),
		newHistoryCmd(e, nil),
		newRollbackCmd(e, nil),
		newSyncCmd(e, nil),
		newFlagCmd(e),
		newLintCmd(e, nil),
		newServeCmd(e, nil),
		newSchemaCmd(e),
		newVersionCmd(e),
		newBenchCmd(e, nil),
		newKeysCmd(e),
		newVerifyCmd(e, nil),
		newAdminCmd(e),
	)
	return root
}
