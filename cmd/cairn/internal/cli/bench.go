package cli

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/internal/cdnharness"
	"github.com/cairnflags/cairn/publisher/open"
)

type benchOptions struct {
	To, Origin, Varnishd, Out string
	Clients, Versions         int
	TTL, Poll                 time.Duration
	Jitter                    float64
	Sweep                     []int
	Render                    string
}

func newBenchCmd(e Env, runF func(*benchOptions) error) *cobra.Command {
	opts := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench --to TARGET --origin URL [--clients 1000] [--out DIR] | bench --render results.json",
		Short: "Measure update latency and origin load through a real CDN (Varnish)",
		Long: `Start Varnish (with internal/cdnharness/cdn.vcl) in front of ORIGIN, the
public HTTP endpoint of the store TARGET names, run a fleet of SDK clients
polling through it, publish a sequence of versions, and measure when each
client got each version, how many requests reached the origin, and the bytes
of 200 and 304 polls. It runs the configuration with and without a purge on
publish, then smaller fleets (--sweep) for origin load against fleet size.

It writes report.md, results.json and update-latency.svg to --out. Everything
binds 127.0.0.1; it needs varnishd (scripts/cdn.sh install).`,
		Example: `  scripts/realparts.sh start minio && . /tmp/cairn-realparts/env
  AWS_ACCESS_KEY_ID=$CAIRN_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CAIRN_TEST_S3_SECRET_KEY \
    cairn bench --to "s3://$CAIRN_TEST_S3_BUCKET/bench?endpoint=$CAIRN_TEST_S3_ENDPOINT&path_style=true" \
      --origin "$CAIRN_TEST_S3_ENDPOINT/$CAIRN_TEST_S3_BUCKET/bench" --out bench-out`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runBench(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.To, "to", "", "publish target (file, gs:// or s3:// URL) whose objects ORIGIN serves")
	f.StringVar(&opts.Origin, "origin", "", "the target's public HTTP URL, down to the target's prefix")
	f.StringVar(&opts.Varnishd, "varnishd", "", "varnishd binary (default $"+cdnharness.EnvVarnishd+", else /usr/sbin/varnishd)")
	f.StringVar(&opts.Out, "out", "cairn-bench", "directory for the report")
	f.IntVar(&opts.Clients, "clients", 1000, "SDK clients in the main configuration")
	f.IntVar(&opts.Versions, "versions", 5, "versions published per configuration")
	f.DurationVar(&opts.TTL, "ttl", 10*time.Second, "CDN TTL (max-age and stale-while-revalidate of ruleset.json)")
	f.DurationVar(&opts.Poll, "poll", 5*time.Second, "SDK poll interval")
	f.Float64Var(&opts.Jitter, "jitter", 0.2, "SDK poll jitter, a fraction of the interval")
	f.IntSliceVar(&opts.Sweep, "sweep", []int{10, 100}, "smaller fleet sizes for origin load against clients")
	f.StringVar(&opts.Render, "render", "", "write the report of an earlier run's results.json to --out instead of running")
	return cmd
}

func runBench(e Env, opts *benchOptions, cmd *cobra.Command) error {
	if opts.Render != "" {
		return renderBench(opts, cmd)
	}
	if opts.To == "" || opts.Origin == "" {
		return usagef("bench needs --to and --origin (or --render)")
	}
	ctx := cmd.Context()
	bin := opts.Varnishd
	if bin == "" {
		bin = e.Getenv(cdnharness.EnvVarnishd)
	}
	if bin == "" {
		bin = "/usr/sbin/varnishd"
	}
	store, err := open.Open(ctx, opts.To)
	if err != nil {
		return usagef("%v", err)
	}
	defer store.Close()
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	scratch, err := os.MkdirTemp("", "cairn-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(scratch)
	results, err := cdnharness.Bench(ctx, cdnharness.BenchConfig{
		Store: store, Origin: opts.Origin, Varnishd: bin, Dir: scratch,
		Clients: opts.Clients, TTL: opts.TTL, Poll: opts.Poll, Jitter: opts.Jitter, Versions: opts.Versions,
		Sweep: opts.Sweep, Log: slog.New(slog.NewTextHandler(e.Stderr, nil)),
	})
	if len(results) > 0 {
		if werr := writeBenchReport(opts.Out, results); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", filepath.Join(opts.Out, "report.md"))
	return cdnharness.WriteMarkdown(cmd.OutOrStdout(), results)
}

func writeBenchReport(dir string, results []*cdnharness.Result) error {
	md, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	defer md.Close()
	if err := cdnharness.WriteMarkdown(md, results); err != nil {
		return err
	}
	svg, err := os.Create(filepath.Join(dir, "update-latency.svg"))
	if err != nil {
		return err
	}
	defer svg.Close()
	if err := cdnharness.WriteSVG(svg, results); err != nil {
		return err
	}
	data, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.json"), data, 0o644)
}

// renderBench rewrites the report from a results.json, for example after a
// change to the chart.
func renderBench(opts *benchOptions, cmd *cobra.Command) error {
	data, err := os.ReadFile(opts.Render)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	var results []*cdnharness.Result
	if err := json.Unmarshal(data, &results); err != nil {
		return fmt.Errorf("bench: %s: %w", opts.Render, err)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := writeBenchReport(opts.Out, results); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return cdnharness.WriteMarkdown(cmd.OutOrStdout(), results)
}
