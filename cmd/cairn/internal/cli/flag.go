package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

// flagEditOptions are shared by the flag subcommands.
type flagEditOptions struct {
	Flag   string
	Env    string
	Dir    string
	To     string
	Output string
	// The edit: exactly one of these is set by the subcommand.
	Enable    *bool
	Percent   string // rollout
	Variation string // rollout: the variation that gets Percent; serve: the variation
	Rest      string // rollout: the variation everyone else gets
	serve     bool
}

func newFlagCmd(e Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flag",
		Short: "Switch, roll out or serve a flag, in the flag files or in a published ruleset",
		Long: `Edit one flag in one environment.

Without --to, the flag file that defines the flag is edited in place (only
the changed value; comments and formatting stay), ready to commit and
publish.

With --to URL, the published ruleset is edited directly and published as a
new version: the emergency path when waiting for a commit and a CI run is
too slow. The edit is recorded as out-of-band, so a later publish from git
that would undo it stops until you run cairn sync or publish with
--overwrite-edits.`,
		Example: `  cairn flag enable new-checkout --env staging flags
  cairn flag rollout new-checkout 25 --env production flags
  cairn flag disable new-checkout --env production --to gs://acme-flags/shop`,
		// Runnable, so that a mistyped subcommand is a usage error rather
		// than cobra's help with exit status 0.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return usagef("unknown command %q for \"cairn flag\" (want enable, disable, rollout or serve)", args[0])
		},
	}
	cmd.AddCommand(
		newFlagSwitchCmd(e, true, nil),
		newFlagSwitchCmd(e, false, nil),
		newFlagRolloutCmd(e, nil),
		newFlagServeCmd(e, nil),
	)
	return cmd
}

func addFlagEditFlags(cmd *cobra.Command, opts *flagEditOptions) {
	f := cmd.Flags()
	f.StringVar(&opts.Env, "env", "", "environment to edit (required)")
	f.StringVar(&opts.To, "to", "", "edit the ruleset published at this URL instead of the flag files")
	cmd.MarkFlagRequired("env")
	addOutputFlag(cmd, &opts.Output)
}

func newFlagSwitchCmd(e Env, on bool, runF func(*flagEditOptions) error) *cobra.Command {
	opts := &flagEditOptions{Enable: &on}
	name, verb := "enable", "on"
	if !on {
		name, verb = "disable", "off"
	}
	cmd := &cobra.Command{
		Use:   name + " FLAG --env ENV [DIR] [--to URL]",
		Short: "Switch a flag " + verb + " in one environment",
		Example: fmt.Sprintf(`  cairn flag %[1]s new-checkout --env staging flags
  cairn flag %[1]s new-checkout --env production --to file:///srv/flags`, name),
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Flag, opts.Dir = args[0], dirArg(args[1:])
			if runF != nil {
				return runF(opts)
			}
			return runFlagEdit(e, opts, cmd)
		},
	}
	addFlagEditFlags(cmd, opts)
	return cmd
}

func newFlagRolloutCmd(e Env, runF func(*flagEditOptions) error) *cobra.Command {
	opts := &flagEditOptions{}
	cmd := &cobra.Command{
		Use:   "rollout FLAG PERCENT --env ENV [DIR] [--variation V] [--rest R] [--to URL]",
		Short: "Serve a variation to a percentage of users, everyone else another",
		Long: `Set what FLAG serves in ENV when no rule matches to a split: PERCENT of
users (0 to 100, at most two decimals) get --variation, the rest get
--rest. For a boolean flag they default to its true and false variations;
for a flag with two variations, --rest defaults to the other one. Raising
a rollout keeps the users who already had the variation.`,
		Example: `  cairn flag rollout new-checkout 25 --env production flags
  cairn flag rollout payment-service 10 --variation payments-v2 --env production flags
  cairn flag rollout new-checkout 0 --env production --to gs://acme-flags/shop`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Flag, opts.Percent, opts.Dir = args[0], args[1], dirArg(args[2:])
			if runF != nil {
				return runF(opts)
			}
			return runFlagEdit(e, opts, cmd)
		},
	}
	cmd.Flags().StringVar(&opts.Variation, "variation", "", "variation that PERCENT of users get (default: the boolean flag's true one)")
	cmd.Flags().StringVar(&opts.Rest, "rest", "", "variation everyone else gets (default: the other one of two)")
	addFlagEditFlags(cmd, opts)
	return cmd
}

func newFlagServeCmd(e Env, runF func(*flagEditOptions) error) *cobra.Command {
	opts := &flagEditOptions{serve: true}
	cmd := &cobra.Command{
		Use:   "serve FLAG VARIATION --env ENV [DIR] [--to URL]",
		Short: "Serve one variation to everyone no rule matches",
		Example: `  cairn flag serve payment-service monolith --env production flags
  cairn flag serve new-checkout off --env production --to file:///srv/flags`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Flag, opts.Variation, opts.Dir = args[0], args[1], dirArg(args[2:])
			if runF != nil {
				return runF(opts)
			}
			return runFlagEdit(e, opts, cmd)
		},
	}
	addFlagEditFlags(cmd, opts)
	return cmd
}

// flagEditResult is the output of a flag edit.
type flagEditResult struct {
	Flag        string `json:"flag"`
	Environment string `json:"environment"`
	Change      string `json:"change"`
	Unchanged   bool   `json:"unchanged"`
	// File is the edited flag file (file edits); Version and URL the new
	// published version (edits with --to).
	File    string `json:"file,omitempty"`
	Version int64  `json:"version,omitempty"`
	URL     string `json:"url,omitempty"`
	Shift   string `json:"shift,omitempty"`
}

func runFlagEdit(e Env, opts *flagEditOptions, cmd *cobra.Command) error {
	var (
		res flagEditResult
		err error
	)
	if opts.To != "" {
		res, err = editPublished(e, opts, cmd)
	} else {
		res, err = editFile(e, opts)
	}
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, res)
	}
	writeFlagEditText(out, res, opts.To)
	return nil
}

// editFile edits the flag file that defines the flag, in place.
func editFile(e Env, opts *flagEditOptions) (flagEditResult, error) {
	res := flagEditResult{Flag: opts.Flag, Environment: opts.Env}
	p, err := loadProject(opts.Dir)
	if err != nil {
		return res, err
	}
	if err := checkEnv(p, opts.Env); err != nil {
		return res, err
	}
	info, ok := p.Flag(opts.Flag)
	if !ok {
		return res, usagef("flag %s is not defined in %s", opts.Flag, opts.Dir)
	}
	doc, err := p.Compile(opts.Env, ruleset.Source{})
	if err != nil {
		return res, fmt.Errorf("compile %s: %w", opts.Env, err)
	}
	before := doc.Flags[opts.Flag]
	name := info.At.File
	path := filepath.Join(opts.Dir, filepath.FromSlash(name))
	res.File = path
	data, err := os.ReadFile(path)
	if err != nil {
		return res, fmt.Errorf("read flag file: %w", err)
	}

	var edited []byte
	if opts.Enable != nil {
		res.Change = switchChange(*opts.Enable)
		edited, err = ruleset.SetEnabled(name, data, opts.Flag, opts.Env, *opts.Enable)
	} else {
		var serve ruleset.Serve
		if serve, err = serveOf(opts, before); err != nil {
			return res, err
		}
		res.Change = "default: " + diff.DescribeServe(serve)
		res.Shift = shiftOf(before, serve, e)
		edited, err = ruleset.SetDefaultServe(name, data, opts.Flag, opts.Env, serve)
	}
	if err != nil {
		// The error names the file and the flag already.
		return res, err
	}
	if bytes.Equal(edited, data) {
		res.Unchanged = true
		return res, nil
	}
	// The edit touches one value of one flag, so checking the file on its own
	// is enough: what the project checks across files stays as it was.
	if _, err := ruleset.ParseFile(name, edited); err != nil {
		return res, fmt.Errorf("edit %s would make it invalid: %w", path, err)
	}
	return res, writeFileAtomic(path, edited)
}

// editPublished edits the published ruleset directly (out of band).
func editPublished(e Env, opts *flagEditOptions, cmd *cobra.Command) (flagEditResult, error) {
	ctx := cmd.Context()
	res := flagEditResult{Flag: opts.Flag, Environment: opts.Env}
	t, err := openTarget(ctx, e, opts.To)
	if err != nil {
		return res, err
	}
	defer t.Close()
	author := who(ctx, e)

	var r publisher.Result
	if opts.Enable != nil {
		res.Change = switchChange(*opts.Enable)
		r, err = t.pub.Toggle(ctx, opts.Env, opts.Flag, *opts.Enable, author)
	} else {
		var serve ruleset.Serve
		if serve, err = publishedServe(cmd, e, t, opts, &res); err != nil {
			return res, err
		}
		r, err = t.pub.SetServe(ctx, opts.Env, opts.Flag, serve, author)
	}
	if err != nil {
		return res, err
	}
	res.Unchanged, res.Version = r.Unchanged, r.Version
	res.URL = t.objectURL(publisher.CurrentKey(opts.Env))
	return res, nil
}

// publishedServe reads the flag from the published ruleset and turns the
// rollout or serve arguments into a Serve for it, describing the change in res.
func publishedServe(cmd *cobra.Command, e Env, t *target, opts *flagEditOptions, res *flagEditResult) (ruleset.Serve, error) {
	cur, err := t.pub.Current(cmd.Context(), opts.Env)
	if err != nil {
		return ruleset.Serve{}, fmt.Errorf("read the published %s ruleset: %w", opts.Env, err)
	}
	before, ok := cur.Flags[opts.Flag]
	if !ok {
		return ruleset.Serve{}, usagef("flag %s is not in the published %s ruleset", opts.Flag, opts.Env)
	}
	serve, err := serveOf(opts, before)
	if err != nil {
		return ruleset.Serve{}, err
	}
	res.Change = "default: " + diff.DescribeServe(serve)
	res.Shift = shiftOf(before, serve, e)
	return serve, nil
}

func switchChange(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}

// serveOf turns rollout or serve arguments into a Serve for flag f.
func serveOf(opts *flagEditOptions, f ruleset.Flag) (ruleset.Serve, error) {
	var serve ruleset.Serve
	var err error
	if opts.serve {
		serve, err = ruleset.VariationServe(f, opts.Variation)
	} else {
		var buckets int
		if buckets, err = parsePercent(opts.Percent); err != nil {
			return ruleset.Serve{}, err
		}
		serve, err = ruleset.RolloutServe(f, buckets, opts.Variation, opts.Rest)
	}
	if err != nil {
		// The arguments don't fit the flag: a usage error, named by the
		// flags that fix it.
		return ruleset.Serve{}, usagef("%s (see --variation and --rest)", strings.TrimPrefix(err.Error(), ruleset.ErrBadServe.Error()+": "))
	}
	return serve, nil
}

// parsePercent reads a percentage with at most two decimals ("25", "12.5",
// "33.33%") as buckets, exactly: 25 is 2500 of 10,000.
func parsePercent(s string) (int, error) {
	bad := usagef("percentage %q: want a number from 0 to 100 with at most two decimals", s)
	s = strings.TrimSuffix(s, "%")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || len(frac) > 2 || strings.ContainsAny(whole+frac, "+-") {
		return 0, bad
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w > 100 || (w == 100 && f > 0) {
		return 0, bad
	}
	return w*100 + f, nil
}

// shiftOf describes which users a new default serve moves, when it can be
// told exactly.
func shiftOf(before ruleset.Flag, serve ruleset.Serve, e Env) string {
	after := before
	after.Default = serve
	a := &ruleset.Document{Flags: map[string]ruleset.Flag{before.Key: before}}
	b := &ruleset.Document{Flags: map[string]ruleset.Flag{before.Key: after}}
	for _, fc := range diff.Compare(a, b, e.Now()).Flags {
		for _, field := range fc.Fields {
			if field.Shift != nil {
				return field.Shift.String()
			}
		}
	}
	return ""
}

func writeFlagEditText(w io.Writer, r flagEditResult, to string) {
	where := r.File
	if r.File == "" {
		where = r.URL
	}
	if r.Unchanged {
		fmt.Fprintf(w, "%s: %s: already %s; nothing changed in %s\n", r.Flag, r.Environment, r.Change, where)
		return
	}
	fmt.Fprintf(w, "%s: %s: %s", r.Flag, r.Environment, r.Change)
	if r.Shift != "" {
		fmt.Fprintf(w, " (%s)", r.Shift)
	}
	fmt.Fprintln(w)
	if r.File != "" {
		fmt.Fprintf(w, "  edited %s; commit it and run cairn publish\n", r.File)
		return
	}
	fmt.Fprintf(w, "  published version %d as an out-of-band edit: %s\n", r.Version, r.URL)
	fmt.Fprintf(w, "  bring the flag files up to date with: cairn sync --env %s --to %s\n", r.Environment, to)
}
