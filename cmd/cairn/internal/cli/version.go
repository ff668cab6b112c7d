package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
)

func newVersionCmd(_ Env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print cairn's version",
		Example: `  cairn version`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			version := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				version = bi.Main.Version
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "cairn %s (ruleset schema %d, %s, %s/%s)\n",
				version, ruleset.SchemaVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
