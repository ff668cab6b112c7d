package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

type publishOptions struct {
	Dir       string
	Env       string
	To        string
	DryRun    bool
	Message   string
	Overwrite bool
	Output    string
	Keys      keyFlags
}

func newPublishCmd(e Env, runF func(*publishOptions) error) *cobra.Command {
	opts := &publishOptions{}
	cmd := &cobra.Command{
		Use:   "publish [DIR] --env ENV --to URL",
		Short: "Validate, compile and publish one environment's ruleset",
		Long: `Validate the flag directory DIR (default: the working directory), compile
ENV's ruleset, show what changes against the published one (with the share
of users that changes variation), and publish it as the next version:
<URL>/<ENV>/versions/<N>.json and <URL>/<ENV>/ruleset.json, the file SDKs
poll. Nothing is written when nothing changed.

The source of the publish (commit, author) comes from CAIRN_COMMIT and
CAIRN_AUTHOR, CI variables (GITHUB_SHA, GITHUB_ACTOR) or git.

A publish that would undo an out-of-band edit (cairn flag … --to, a
rollback) stops with exit status 5: run cairn sync to keep the edit in the
flag files, or pass --overwrite-edits to undo it. Losing a race with
another publisher is also exit status 5; publishing again is safe.

Targets: file:///srv/flags, ./site, gs://bucket/prefix,
s3://bucket/prefix?region=eu-west-1 (see docs/cli.md).`,
		Example: `  cairn publish flags --env staging --to file:///srv/flags --dry-run
  cairn publish flags --env production --to gs://acme-flags/shop -m "raise new-checkout to 25%"
  cairn publish flags --env production --to s3://acme-flags/shop?region=eu-west-1`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runPublish(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Env, "env", "", "environment to publish (required)")
	f.StringVar(&opts.To, "to", "", "target URL: a directory, gs://bucket/prefix or s3://bucket/prefix (required)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "show what would change and publish nothing")
	f.StringVarP(&opts.Message, "message", "m", "", "message recorded with the version (default: the last commit's subject)")
	f.BoolVar(&opts.Overwrite, "overwrite-edits", false, "undo out-of-band edits that the flag files disagree with")
	cmd.MarkFlagRequired("env")
	cmd.MarkFlagRequired("to")
	addOutputFlag(cmd, &opts.Output)
	addKeyFlags(cmd, &opts.Keys)
	return cmd
}

// publishResult is publish's output.
type publishResult struct {
	Environment      string   `json:"environment"`
	DryRun           bool     `json:"dry_run"`
	Unchanged        bool     `json:"unchanged"`
	Version          int64    `json:"version"`
	Previous         int64    `json:"previous"`
	URL              string   `json:"url"`
	Diff             diffJSON `json:"diff"`
	ClearedOutOfBand []string `json:"cleared_out_of_band,omitempty"`
	Overwritten      []string `json:"overwritten,omitempty"`
}

func runPublish(e Env, opts *publishOptions, cmd *cobra.Command) error {
	ctx := cmd.Context()
	doc, err := compileDir(cmd, e, opts.Dir, opts.Env, opts.Message)
	if err != nil {
		return err
	}
	keys, err := keyOptions(e, opts.Keys)
	if err != nil {
		return err
	}
	t, err := openTarget(ctx, e, opts.To, keys...)
	if err != nil {
		return err
	}
	defer t.Close()

	current, err := currentOrNil(cmd, t, opts.Env)
	if err != nil {
		return err
	}
	report := diff.Compare(current, doc, e.Now())
	res := publishResult{
		Environment: opts.Env,
		DryRun:      opts.DryRun,
		URL:         t.objectURL(publisher.CurrentKey(opts.Env)),
	}
	if current != nil {
		res.Previous, res.Version = current.Version, current.Version
	}
	if !opts.DryRun {
		r, err := t.pub.Publish(ctx, doc, publisher.PublishOptions{Overwrite: opts.Overwrite})
		if oob := (*publisher.OutOfBandError)(nil); errors.As(err, &oob) {
			return fmt.Errorf("%w (keep them: cairn sync --env %s --to %s; undo them: --overwrite-edits)", err, opts.Env, opts.To)
		}
		if err != nil {
			return err
		}
		res.Version, res.Previous, res.Unchanged = r.Version, r.Previous, r.Unchanged
		res.ClearedOutOfBand, res.Overwritten = r.ClearedOutOfBand, r.Overwritten
		report.To = r.Version
	} else {
		res.Unchanged = report.Empty()
	}
	res.Diff = toDiffJSON(report)

	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, res)
	}
	writePublishText(out, res, report)
	return nil
}

// currentOrNil returns env's published ruleset, or nil before the first
// publish.
func currentOrNil(cmd *cobra.Command, t *target, env string) (*ruleset.Document, error) {
	cur, err := t.pub.Current(cmd.Context(), env)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the published %s ruleset: %w", env, err)
	}
	return cur, nil
}

func writePublishText(w io.Writer, r publishResult, report diff.Report) {
	if r.Unchanged {
		fmt.Fprintf(w, "%s: unchanged, version %d is current\n", r.Environment, r.Version)
		return
	}
	io.WriteString(w, report.String())
	switch {
	case r.DryRun:
		fmt.Fprintf(w, "%s: dry run, would publish version %d (current: %d)\n", r.Environment, r.Previous+1, r.Previous)
	case r.Previous == 0:
		fmt.Fprintf(w, "%s: published version %d, the first\n", r.Environment, r.Version)
		fmt.Fprintf(w, "  %s\n", r.URL)
	default:
		fmt.Fprintf(w, "%s: published version %d (was %d)\n", r.Environment, r.Version, r.Previous)
		fmt.Fprintf(w, "  %s\n", r.URL)
	}
	for _, f := range r.ClearedOutOfBand {
		fmt.Fprintf(w, "  flag files now agree with the out-of-band edit of %s\n", f)
	}
	for _, f := range r.Overwritten {
		fmt.Fprintf(w, "  undid the out-of-band edit of %s\n", f)
	}
}
