package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
)

type buildOptions struct {
	Dir  string
	Env  string
	File string
}

func newBuildCmd(e Env, runF func(*buildOptions) error) *cobra.Command {
	opts := &buildOptions{}
	cmd := &cobra.Command{
		Use:   "build [DIR] --env ENV [-o FILE]",
		Short: "Compile one environment's ruleset to canonical JSON",
		Long: `Compile the flag directory DIR (default: the working directory) for one
environment and print the ruleset, the JSON that publish would upload, in
its canonical form (version 0: the publisher numbers it). With -o the
ruleset is written to FILE atomically: FILE is replaced whole or not at all.`,
		Example: `  cairn build flags --env production
  cairn build flags --env staging -o staging.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runBuild(e, opts, cmd)
		},
	}
	cmd.Flags().StringVar(&opts.Env, "env", "", "environment to compile (required)")
	cmd.Flags().StringVarP(&opts.File, "output", "o", "", "write the ruleset to this file instead of standard output")
	cmd.MarkFlagRequired("env")
	return cmd
}

func runBuild(e Env, opts *buildOptions, cmd *cobra.Command) error {
	doc, err := compileDir(cmd, e, opts.Dir, opts.Env, "")
	if err != nil {
		return err
	}
	data, err := ruleset.Marshal(doc)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if opts.File == "" {
		_, err := cmd.OutOrStdout().Write(data)
		return err
	}
	return writeFileAtomic(opts.File, data)
}

// compileDir loads the flag directory and compiles env with a git source.
func compileDir(cmd *cobra.Command, e Env, dir, env, message string) (*ruleset.Document, error) {
	p, err := loadProject(dir)
	if err != nil {
		return nil, err
	}
	if err := checkEnv(p, env); err != nil {
		return nil, err
	}
	doc, err := p.Compile(env, gitSource(cmd.Context(), e, dir, message))
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", env, err)
	}
	return doc, nil
}
