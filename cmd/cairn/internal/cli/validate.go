package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
)

type validateOptions struct {
	Dir    string
	Output string
}

func newValidateCmd(e Env, runF func(*validateOptions) error) *cobra.Command {
	opts := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Check every flag file and report all problems at once",
		Long: `Check the flag directory DIR (default: the working directory): every file
on its own, then the project as a whole. Every problem is printed, one per
line, as FILE:LINE:COL: PATH: MESSAGE.

Exit status: 0 when valid, 3 when files are invalid, 2 for bad usage.`,
		Example: `  cairn validate flags
  cairn validate flags --output json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runValidate(opts, cmd)
		},
	}
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// validateResult is validate's JSON output.
type validateResult struct {
	Valid        bool          `json:"valid"`
	Environments []string      `json:"environments"`
	Flags        int           `json:"flags"`
	Segments     int           `json:"segments"`
	Problems     []problemJSON `json:"problems"`
}

type problemJSON struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func runValidate(opts *validateOptions, cmd *cobra.Command) error {
	p, err := loadProject(opts.Dir)
	var problems ruleset.Problems
	if err != nil && !errors.As(err, &problems) {
		return err
	}
	res := validateResult{Valid: p != nil, Environments: []string{}, Problems: []problemJSON{}}
	if p != nil {
		res.Environments = p.Environments()
		res.Flags = len(p.Flags())
		res.Segments = len(p.Segments())
	}
	for _, pr := range problems {
		res.Problems = append(res.Problems, problemJSON{pr.File, pr.Line, pr.Col, pr.Path, pr.Message})
	}

	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		if err := writeJSON(out, res); err != nil {
			return err
		}
	} else if p != nil {
		fmt.Fprintf(out, "%s: valid: %s, %s, environments %s\n", opts.Dir,
			plural(res.Flags, "flag"), plural(res.Segments, "segment"), joinComma(res.Environments))
	} else {
		for _, pr := range problems {
			fmt.Fprintln(out, pr.String())
		}
	}
	if p == nil {
		return &reportedError{summary: fmt.Sprintf("%s: %s", opts.Dir, plural(len(problems), "problem")), code: ExitInvalid}
	}
	return nil
}
