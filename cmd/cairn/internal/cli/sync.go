package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/ruleset"
)

type syncOptions struct {
	Dir    string
	Env    string
	To     string
	DryRun bool
	Output string
}

func newSyncCmd(e Env, runF func(*syncOptions) error) *cobra.Command {
	opts := &syncOptions{}
	cmd := &cobra.Command{
		Use:   "sync [DIR] --env ENV --to URL",
		Short: "Write the published on/off switches and default serves back into the flag files",
		Long: `Bring the flag files of DIR (default: the working directory) up to date with
ENV's published ruleset, after an out-of-band edit (cairn flag … --to, a
rollback): each flag's on/off switch and default serve are written into its
file, keeping comments and formatting. Differences in rules, schedules or
off variations are listed for a person to resolve. Commit the result; the
next publish then clears the out-of-band records.`,
		Example: `  cairn sync flags --env production --to gs://acme-flags/shop --dry-run
  cairn sync flags --env production --to gs://acme-flags/shop && git diff flags`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runSync(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Env, "env", "", "environment (required)")
	f.StringVar(&opts.To, "to", "", "URL the rulesets are published at (required)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "show what would change and write nothing")
	cmd.MarkFlagRequired("env")
	cmd.MarkFlagRequired("to")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// syncResult is sync's output.
type syncResult struct {
	Environment string     `json:"environment"`
	Version     int64      `json:"version"`
	DryRun      bool       `json:"dry_run"`
	Files       []syncFile `json:"files"`
}

type syncFile struct {
	File     string   `json:"file"`
	Changed  []string `json:"changed"`
	Unsynced []string `json:"unsynced,omitempty"`
}

func runSync(e Env, opts *syncOptions, cmd *cobra.Command) error {
	ctx := cmd.Context()
	p, err := loadProject(opts.Dir)
	if err != nil {
		return err
	}
	if err := checkEnv(p, opts.Env); err != nil {
		return err
	}
	t, err := openTarget(ctx, e, opts.To)
	if err != nil {
		return err
	}
	defer t.Close()
	doc, err := t.pub.Current(ctx, opts.Env)
	if err != nil {
		return fmt.Errorf("read the published %s ruleset: %w", opts.Env, err)
	}

	// Edit every file in memory first, then write them: a failure leaves
	// every file as it was.
	res := syncResult{Environment: opts.Env, Version: doc.Version, DryRun: opts.DryRun, Files: []syncFile{}}
	writes := map[string][]byte{}
	for _, name := range flagFiles(p) {
		path := filepath.Join(opts.Dir, filepath.FromSlash(name))
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		synced, report, err := ruleset.SyncFile(name, data, doc)
		if err != nil {
			return fmt.Errorf("sync %s: %w", path, err)
		}
		if len(report.Changed) == 0 && len(report.Unsynced) == 0 {
			continue
		}
		res.Files = append(res.Files, syncFile{File: path, Changed: nonNil(report.Changed), Unsynced: report.Unsynced})
		if !bytes.Equal(synced, data) {
			writes[path] = synced
		}
	}
	if !opts.DryRun {
		for _, f := range res.Files {
			if data, ok := writes[f.File]; ok {
				if err := writeFileAtomic(f.File, data); err != nil {
					return err
				}
			}
		}
	}
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, res)
	}
	writeSyncText(out, res)
	return nil
}

// flagFiles lists the files that define flags, in the order of the flags.
func flagFiles(p *ruleset.Project) []string {
	var files []string
	seen := map[string]bool{}
	for _, f := range p.Flags() {
		if !seen[f.At.File] {
			seen[f.At.File] = true
			files = append(files, f.At.File)
		}
	}
	return files
}

func writeSyncText(w io.Writer, r syncResult) {
	if len(r.Files) == 0 {
		fmt.Fprintf(w, "%s: the flag files agree with version %d\n", r.Environment, r.Version)
		return
	}
	verb := "wrote"
	if r.DryRun {
		verb = "would write"
	}
	for _, f := range r.Files {
		for _, c := range f.Changed {
			fmt.Fprintf(w, "%s: %s %s\n", f.File, verb, c)
		}
		for _, u := range f.Unsynced {
			fmt.Fprintf(w, "%s: %s: rules, schedule or off variation differ from version %d; resolve by hand\n", f.File, u, r.Version)
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
