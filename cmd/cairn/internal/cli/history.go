package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher"
)

type historyOptions struct {
	Env    string
	To     string
	Limit  int
	Output string
}

func newHistoryCmd(e Env, runF func(*historyOptions) error) *cobra.Command {
	opts := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history --env ENV --to URL [--limit N]",
		Short: "List the published versions of an environment, newest first",
		Example: `  cairn history --env production --to gs://acme-flags/shop --limit 10
  cairn history --env production --to file:///srv/flags --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runHistory(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Env, "env", "", "environment (required)")
	f.StringVar(&opts.To, "to", "", "URL the rulesets are published at (required)")
	f.IntVar(&opts.Limit, "limit", 20, "show at most this many versions (0: all)")
	cmd.MarkFlagRequired("env")
	cmd.MarkFlagRequired("to")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// historyEntry is one version in history's JSON output.
type historyEntry struct {
	Version     int64     `json:"version"`
	Current     bool      `json:"current"`
	PublishedAt time.Time `json:"published_at"`
	Kind        string    `json:"kind"`
	Author      string    `json:"author,omitempty"`
	Commit      string    `json:"commit,omitempty"`
	Message     string    `json:"message,omitempty"`
	RollbackOf  int64     `json:"rollback_of,omitempty"`
	Flags       int       `json:"flags"`
	Segments    int       `json:"segments"`
}

func runHistory(e Env, opts *historyOptions, cmd *cobra.Command) error {
	if opts.Limit < 0 {
		return usagef("--limit %d: must be 0 or more", opts.Limit)
	}
	ctx := cmd.Context()
	t, err := openTarget(ctx, e, opts.To)
	if err != nil {
		return err
	}
	defer t.Close()
	versions, err := t.pub.History(ctx, opts.Env, opts.Limit)
	if err != nil {
		return fmt.Errorf("history of %s: %w", opts.Env, err)
	}
	entries := make([]historyEntry, 0, len(versions))
	for _, v := range versions {
		entries = append(entries, toHistoryEntry(v))
	}
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, entries)
	}
	if len(entries) == 0 {
		fmt.Fprintf(out, "%s: nothing published at %s\n", opts.Env, opts.To)
		return nil
	}
	writeHistoryText(out, entries)
	return nil
}

func toHistoryEntry(v publisher.VersionInfo) historyEntry {
	return historyEntry{
		Version: v.Version, Current: v.Current, PublishedAt: v.PublishedAt.UTC(),
		Kind: v.Source.Kind, Author: v.Source.Author, Commit: v.Source.Commit,
		Message: v.Source.Message, RollbackOf: v.Source.RollbackOf,
		Flags: v.Flags, Segments: v.Segments,
	}
}

func writeHistoryText(w io.Writer, entries []historyEntry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tPUBLISHED\tSOURCE\tAUTHOR\tCOMMIT\tMESSAGE")
	for _, h := range entries {
		version := fmt.Sprint(h.Version)
		if h.Current {
			version += " *"
		}
		kind := h.Kind
		if h.RollbackOf != 0 {
			kind = fmt.Sprintf("rollback to %d", h.RollbackOf)
		}
		commit := h.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", version, h.PublishedAt.Format(time.RFC3339),
			kind, dash(h.Author), dash(commit), dash(h.Message))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
