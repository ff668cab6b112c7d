package cli

import (
	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
)

func newSchemaCmd(_ Env) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of flag files, for editors",
		Long: `Print the JSON Schema (draft 2020-12) of flag files. Point your editor's
YAML language server at it for completion and inline errors.`,
		Example: `  cairn schema > .cairn-schema.json
  # then, first line of a flag file:
  # yaml-language-server: $schema=.cairn-schema.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(ruleset.FlagFileSchema())
			return err
		},
	}
}
