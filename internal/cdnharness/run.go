package cdnharness

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/storetest"
	"github.com/cairnflags/cairn/ruleset"
)

// Config is one measured configuration: a fleet polling through a CDN while
// a publisher publishes a sequence of versions.
type Config struct {
	// Name labels the configuration in reports.
	Name    string
	Clients int
	// TTL is the ruleset's max-age (and stale-while-revalidate) at the CDN.
	TTL time.Duration
	// Poll and Jitter configure every client.
	Poll   time.Duration
	Jitter float64
	// Versions is how many publishes are measured (after a first one the
	// clients start on).
	Versions int
	// Flags is the number of filler flags in each ruleset (default 100).
	Flags int

	// Store is where the publisher writes; BaseURL the URL, through the
	// CDN, under which SDKs find the store's keys.
	Store   publisher.Store
	BaseURL string
	// Env is the environment to publish; it must not exist yet in Store.
	Env string
	// Purger, when set, purges the CDN after each publish.
	Purger publisher.Purger
	// Stats reads the CDN's counters; nil leaves the origin figures out.
	Stats func(context.Context) (Stats, error)
	// Transport is the clients' shared transport; nil means a clone of
	// http.DefaultTransport sized for the fleet.
	Transport http.RoundTripper
	Log       *slog.Logger
}

// Bound is the worst-case delay the design promises between a publish and
// the last client holding it: TTL + poll interval + jitter, or poll
// interval + jitter with a purge.
func (c *Config) Bound() time.Duration {
	b := time.Duration(float64(c.Poll) * (1 + c.Jitter))
	if c.Purger == nil {
		b += c.TTL
	}
	return b
}

// Result is what one run measured.
type Result struct {
	Name     string
	Clients  int
	TTL      time.Duration
	Poll     time.Duration
	Jitter   float64
	Purge    bool
	Versions int
	Bound    time.Duration
	// Latencies holds, for each measured version and each client, the time
	// from the start of the publish to the client holding it.
	Latencies []time.Duration
	// Missing counts (client, version) pairs that did not arrive within
	// twice the bound plus the publish's own time and 5 s.
	Missing int
	// Wrong counts evaluations that served a wrong value; WrongFirst
	// describes the first few.
	Wrong      int64
	WrongFirst []string
	// Duration is the measured window; Origin the CDN's counters over it.
	Duration time.Duration
	Origin   Stats
	HasStats bool
	// Wire is what the clients received, by status code.
	Wire map[int]WireCount
	// RulesetBytes is the stored (gzip) size of the ruleset.
	RulesetBytes int
	// PublishTime is the total time Publish took (purge included), and
	// MaxPublish the longest one; a latency counts from the start of its
	// publish, so it includes this.
	PublishTime, MaxPublish time.Duration
}

// OriginPerMinute is the origin's request rate over the run.
func (r *Result) OriginPerMinute() float64 {
	return float64(r.Origin.BackendReq) / r.Duration.Minutes()
}

// OriginPerTTL is the origin's requests per TTL over the run.
func (r *Result) OriginPerTTL() float64 {
	return float64(r.Origin.BackendReq) / (float64(r.Duration) / float64(r.TTL))
}

// Run publishes Versions+1 versions and measures how the fleet receives
// them. It starts the fleet after the first publish and stops it before
// returning; it takes about Versions × (Bound + TTL/2).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Flags == 0 {
		cfg.Flags = 100
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cc := fmt.Sprintf("public, max-age=%d, stale-while-revalidate=%d, stale-if-error=86400",
		int(cfg.TTL.Seconds()), int(cfg.TTL.Seconds()))
	// Gzip always: object stores serve it and CDNs pass it on, and the
	// bytes-per-poll figures should be the real ones.
	opts := []publisher.Option{publisher.WithCacheControl(cc, ""), publisher.WithLogger(cfg.Log), publisher.WithGzip(true)}
	if cfg.Purger != nil {
		opts = append(opts, publisher.WithPurger(cfg.Purger, 10*time.Second))
	}
	pub := publisher.New(cfg.Store, opts...)
	var published atomic.Int64
	res := &Result{Name: cfg.Name, Clients: cfg.Clients, TTL: cfg.TTL, Poll: cfg.Poll, Jitter: cfg.Jitter,
		Purge: cfg.Purger != nil, Versions: cfg.Versions, Bound: cfg.Bound()}

	first, err := publishMarked(ctx, pub, &published, cfg.Env, cfg.Flags, 1)
	if err != nil {
		return nil, err
	}
	res.RulesetBytes = first.Bytes

	tr := cfg.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = min(cfg.Clients, 256)
		t.MaxIdleConns = t.MaxIdleConnsPerHost
		tr = t
		defer t.CloseIdleConnections()
	}
	fleet, err := StartFleet(FleetConfig{
		URL: strings.TrimRight(cfg.BaseURL, "/") + "/" + publisher.CurrentKey(cfg.Env), Clients: cfg.Clients,
		Poll: cfg.Poll, Jitter: cfg.Jitter, Transport: tr, Log: cfg.Log,
	})
	if err != nil {
		return nil, err
	}
	defer fleet.Close()
	checkCtx, stopCheck := context.WithCancel(ctx)
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		fleet.Check(checkCtx, 100*time.Millisecond, published.Load)
	}()
	defer func() { stopCheck(); <-checked }()

	if n := fleet.WaitAll(ctx, 1, 2*cfg.Bound()+10*time.Second); n > 0 {
		return nil, fmt.Errorf("%d of %d clients never got the first ruleset through %s", n, cfg.Clients, cfg.BaseURL)
	}
	var before Stats
	if cfg.Stats != nil {
		if before, err = cfg.Stats(ctx); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	for v := int64(2); v <= int64(cfg.Versions)+1; v++ {
		// Publish at a random phase of the CDN's cache lifetime, as real
		// publishes are.
		if err := sleep(ctx, time.Duration(rand.Int64N(int64(cfg.TTL)))); err != nil {
			return nil, err
		}
		at := time.Now()
		r, err := publishMarked(ctx, pub, &published, cfg.Env, cfg.Flags, v)
		if err != nil {
			return nil, err
		}
		took := time.Since(at)
		res.PublishTime += took
		res.MaxPublish = max(res.MaxPublish, took)
		if r.PurgeError != nil {
			cfg.Log.Warn("purge failed", "version", v, "error", r.PurgeError)
		}
		fleet.WaitAll(ctx, v, 2*cfg.Bound()+took+5*time.Second)
		for i := range fleet.Len() {
			got, ok := fleet.Arrived(i, v)
			if !ok {
				res.Missing++
				continue
			}
			res.Latencies = append(res.Latencies, got.Sub(at))
		}
		cfg.Log.Info("version delivered", "config", cfg.Name, "version", v, "lagging", fleet.Lagging(v))
	}
	res.Duration = time.Since(start)
	if cfg.Stats != nil {
		after, err := cfg.Stats(ctx)
		if err != nil {
			return nil, err
		}
		res.Origin, res.HasStats = after.Sub(before), true
	}
	stopCheck()
	<-checked
	res.Wrong, res.WrongFirst = fleet.Wrong()
	res.Wire = fleet.Wire.Counts()
	return res, nil
}

// publishMarked publishes version v of env: n filler flags whose content
// changes with v, and MarkerFlag serving v. published is raised first, so
// that no client can see v before the checker allows it.
func publishMarked(ctx context.Context, pub *publisher.Publisher, published *atomic.Int64, env string, n int, v int64) (publisher.Result, error) {
	published.Store(v)
	r, err := pub.Publish(ctx, MarkedDocument(env, n, v), publisher.PublishOptions{})
	if err != nil {
		return r, fmt.Errorf("publish version %d: %w", v, err)
	}
	if r.Version != v {
		return r, fmt.Errorf("published version %d, want %d: environment %s was not fresh", r.Version, v, env)
	}
	return r, nil
}

// MarkedDocument is a ruleset with n boolean flags and MarkerFlag serving
// v as a string.
func MarkedDocument(env string, n int, v int64) *ruleset.Document {
	doc := storetest.Document(env, n, int(v))
	val, _ := json.Marshal(strconv.FormatInt(v, 10))
	doc.Flags[MarkerFlag] = ruleset.Flag{
		Key: MarkerFlag, Type: ruleset.TypeString, Description: "the version that serves it",
		Variations: []ruleset.Variation{{Key: "this", Value: val}},
		Enabled:    true, OffVariation: "this", Salt: MarkerFlag,
		Default: ruleset.Serve{Variation: "this"},
	}
	return doc
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
