package sdk

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// ErrClosed is returned by WaitReady once Close has been called.
var ErrClosed = errors.New("client closed")

// Client fetches one environment's ruleset in the background, keeps the last
// good one in memory and evaluates flags against it locally. Create one per
// environment and process with New, share it, and Close it on shutdown. All
// methods are safe for concurrent use; evaluations take no lock.
type Client struct {
	cfg     config
	log     *slog.Logger
	sources []source
	// transport is closed on Close when the client made it itself.
	transport *http.Transport
	cachePath string

	// current is what evaluations read: swapped whole, never modified.
	current   atomic.Pointer[snapshot]
	exposures *exposureLog
	expired   expiryWarnings
	listeners listeners
	events    chan event

	mu sync.Mutex // guards st
	st fetchStatus

	ready     chan struct{}
	readyOnce sync.Once
	closed    chan struct{}
	closeOnce sync.Once
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// snapshot is one accepted ruleset with what the client needs to compare
// the next response against it.
type snapshot struct {
	rs     *ruleset.Ruleset
	sum    [sha256.Size]byte // of the bytes as received, decompressed
	origin string            // "bootstrap", a cache file, or a URL
}

// New creates a client for the ruleset at url (http://, https:// or
// file://) and returns at once; a goroutine fetches the ruleset and keeps
// polling until Close. Before the first fetch succeeds the client serves the
// bootstrap or disk-cached ruleset if one is configured, else the callers'
// defaults. New fails only for an invalid URL or option. url may be empty
// when WithFallbackURLs or a bootstrap/cache provides the ruleset; with no
// URL at all the client serves the bootstrap/cache and never polls.
func New(url string, opts ...Option) (*Client, error) {
	cfg := config{
		pollInterval:   DefaultPollInterval,
		jitter:         DefaultJitter,
		backoffInitial: DefaultBackoffInitial,
		backoffMax:     DefaultBackoffMax,
		requestTimeout: DefaultRequestTimeout,
		maxSize:        DefaultMaxSize,
		exposureDedup:  DefaultExposureDedup,
		rand:           rand.Float64,
	}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("cairn sdk: %w", err)
		}
	}
	var urls []string
	if url != "" {
		urls = append(urls, url)
	}
	urls = append(urls, cfg.fallbacks...)
	if len(urls) == 0 && cfg.bootstrap == nil && cfg.bootstrapFile == "" && cfg.cacheFile == "" && cfg.cacheDir == "" {
		return nil, errors.New("cairn sdk: no ruleset URL, bootstrap or cache")
	}
	c := &Client{
		cfg:    cfg,
		log:    cfg.logger,
		events: make(chan event, eventQueue),
		ready:  make(chan struct{}),
		closed: make(chan struct{}),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	hc := cfg.httpClient
	if hc == nil {
		// A transport of our own, so that Close can drop its connections
		// without touching the process-wide default.
		c.transport = http.DefaultTransport.(*http.Transport).Clone()
		hc = &http.Client{Transport: c.transport}
	}
	for _, raw := range urls {
		u, err := parseSourceURL(raw)
		if err != nil {
			return nil, fmt.Errorf("cairn sdk: %w", err)
		}
		c.sources = append(c.sources, newSource(u, &cfg, hc))
	}
	c.cachePath = cachePath(&cfg, urls)
	if cfg.exposure != nil {
		c.exposures = newExposureLog(cfg.exposure, cfg.exposureDedup)
	}
	for _, fn := range cfg.onChange {
		c.OnChange(fn)
	}
	for _, fn := range cfg.onState {
		c.OnStateChange(fn)
	}
	c.loadLocal()
	c.cfg.bootstrap = nil // loaded; don't hold the caller's bytes

	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	c.wg.Add(1)
	go c.dispatch(ctx)
	if c.exposures != nil {
		c.wg.Add(1)
		go c.exposures.run(ctx, &c.wg)
	}
	if len(c.sources) > 0 {
		c.wg.Add(1)
		go c.poll(ctx)
	} else if c.current.Load() != nil {
		c.markReady()
	}
	return c, nil
}

// WaitReady blocks until the first fetch succeeds (a ruleset from the
// network is in memory, or the network confirmed the cached one), ctx is
// done, or the client is closed. On timeout the error wraps ctx.Err() and the
// last fetch error. Evaluations do not need WaitReady: before it returns they
// serve the bootstrap or cached ruleset, or the caller's defaults.
func (c *Client) WaitReady(ctx context.Context) error {
	select {
	case <-c.ready:
		return nil
	default:
	}
	select {
	case <-c.ready:
		return nil
	case <-c.closed:
		return fmt.Errorf("wait for ruleset: %w", ErrClosed)
	case <-ctx.Done():
		return fmt.Errorf("wait for ruleset: %w", errors.Join(ctx.Err(), c.Status().LastError))
	}
}

// Ready returns a channel closed when the first fetch succeeds; see
// WaitReady.
func (c *Client) Ready() <-chan struct{} { return c.ready }

func (c *Client) markReady() { c.readyOnce.Do(func() { close(c.ready) }) }

// Close stops polling and every goroutine the client started, waiting for a
// listener or exposure logger call in progress to return. Evaluations keep
// serving the last ruleset after Close. Close is idempotent and safe to call
// concurrently.
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		c.stop()
		c.wg.Wait()
		if c.transport != nil {
			c.transport.CloseIdleConnections()
		}
		close(c.closed)
	})
}

// Ruleset returns the ruleset in memory, or nil before one is loaded. It is
// immutable and stays valid after later swaps; use it to evaluate several
// flags against one consistent version or to list flags.
func (c *Client) Ruleset() *ruleset.Ruleset {
	if s := c.current.Load(); s != nil {
		return s.rs
	}
	return nil
}

// now reads the configured clock. Without WithClock it calls time.Now
// directly: an indirect call costs on every evaluation.
func (c *Client) now() time.Time {
	if c.cfg.now != nil {
		return c.cfg.now()
	}
	return time.Now()
}
