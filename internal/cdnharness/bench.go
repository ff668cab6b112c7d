package cdnharness

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/purge"
)

// BenchConfig is a full benchmark: Varnish in front of Origin, the main
// configuration with and without purge, and a sweep of smaller fleets for
// the origin-load figures.
type BenchConfig struct {
	// Store is where the publisher writes; Origin is the same store's
	// public HTTP URL including the path to the store's prefix, such as
	// http://127.0.0.1:9000/bucket/prefix.
	Store  publisher.Store
	Origin string
	// Varnishd is the varnishd binary; Dir a scratch directory.
	Varnishd, Dir string
	Clients       int
	TTL, Poll     time.Duration
	Jitter        float64
	Versions      int
	// Sweep lists smaller fleet sizes, run without purge for two versions
	// each, to show origin load against the number of clients.
	Sweep []int
	Log   *slog.Logger
}

// Bench runs every configuration and returns their results in order. Each
// configuration gets its own Varnish, so that no cache state carries over.
func Bench(ctx context.Context, cfg BenchConfig) ([]*Result, error) {
	u, err := url.Parse(cfg.Origin)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("origin %q: want http://host:port/path", cfg.Origin)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	type run struct {
		name     string
		clients  int
		purge    bool
		versions int
	}
	runs := []run{
		{fmt.Sprintf("%d clients, TTL", cfg.Clients), cfg.Clients, false, cfg.Versions},
		{fmt.Sprintf("%d clients, purge", cfg.Clients), cfg.Clients, true, cfg.Versions},
	}
	for _, n := range cfg.Sweep {
		runs = append(runs, run{fmt.Sprintf("%d clients, TTL", n), n, false, 2})
	}
	stamp := time.Now().UTC().Format("20060102-150405")
	var out []*Result
	for i, r := range runs {
		dir := filepath.Join(cfg.Dir, fmt.Sprintf("run-%d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return out, fmt.Errorf("bench dir: %w", err)
		}
		res, err := benchOne(ctx, cfg, u, dir, r.name, r.clients, r.purge, r.versions, fmt.Sprintf("bench-%s-%d", stamp, i))
		if err != nil {
			return out, fmt.Errorf("%s: %w", r.name, err)
		}
		s := Summarize(res.Latencies)
		cfg.Log.Info("configuration done", "config", r.name, "p50", s.P50, "p99", s.P99, "max", s.Max,
			"origin_per_min", fmt.Sprintf("%.1f", res.OriginPerMinute()), "wrong", res.Wrong, "missing", res.Missing)
		out = append(out, res)
	}
	return out, nil
}

func benchOne(ctx context.Context, cfg BenchConfig, origin *url.URL, dir, name string, clients int, withPurge bool, versions int, env string) (*Result, error) {
	v, err := StartVarnish(ctx, VarnishConfig{Bin: cfg.Varnishd, Dir: dir, Backend: origin.Host})
	if err != nil {
		return nil, err
	}
	defer v.Close()
	path := strings.TrimRight(origin.Path, "/")
	rc := Config{
		Name: name, Clients: clients, TTL: cfg.TTL, Poll: cfg.Poll, Jitter: cfg.Jitter, Versions: versions,
		Store: cfg.Store, BaseURL: v.URL() + path, Env: env, Stats: v.Stats, Log: cfg.Log,
	}
	if withPurge {
		rc.Purger = &purge.Varnish{Endpoint: v.URL(), Prefix: path}
	}
	return Run(ctx, rc)
}
