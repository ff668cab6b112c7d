package sdk

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Defaults for the options below.
const (
	DefaultPollInterval   = 30 * time.Second
	DefaultJitter         = 0.1
	DefaultRequestTimeout = 10 * time.Second
	DefaultBackoffInitial = 1 * time.Second
	DefaultBackoffMax     = 2 * time.Minute
	DefaultMaxSize        = 10 << 20
	DefaultExposureDedup  = 10000
)

// Option configures a Client. Options are applied in order; an invalid value
// makes New return an error.
type Option func(*config) error

// config is everything New needs; it never changes after New returns.
type config struct {
	trust          trustConfig // verify.go
	fallbacks      []string
	pollInterval   time.Duration
	jitter         float64
	backoffInitial time.Duration
	backoffMax     time.Duration
	requestTimeout time.Duration
	maxSize        int64
	httpClient     *http.Client
	headers        http.Header
	environment    string
	cacheDir       string
	cacheFile      string
	bootstrap      []byte
	bootstrapFile  string
	now            func() time.Time
	logger         *slog.Logger
	exposure       func(Exposure)
	exposureDedup  int
	onChange       []func(Change)
	onState        []func(StateChange)
	// rand returns a number in [0, 1) for jitter; tests replace it.
	rand func() float64
}

// WithFallbackURLs adds URLs tried in order, within the same poll cycle, when
// the primary URL (and each earlier fallback) fails: typically the CDN is the
// primary and the bucket's own endpoint the fallback. Each must be a valid
// http(s):// or file:// URL.
func WithFallbackURLs(urls ...string) Option {
	return func(c *config) error {
		for _, u := range urls {
			if _, err := parseSourceURL(u); err != nil {
				return err
			}
		}
		c.fallbacks = append(c.fallbacks, urls...)
		return nil
	}
}

// WithPollInterval sets the time between two polls when the last one
// succeeded (default 30 s). Each wait is drawn afresh with jitter around it.
func WithPollInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("poll interval %v: must be positive", d)
		}
		c.pollInterval = d
		return nil
	}
}

// WithJitter sets the random spread of every wait, as a fraction of it: 0.1
// (the default) waits between 90% and 110% of the interval, so that many
// SDKs started at once do not poll in lockstep. 0 disables jitter.
func WithJitter(fraction float64) Option {
	return func(c *config) error {
		if !(fraction >= 0 && fraction < 1) {
			return fmt.Errorf("jitter %v: must be in [0, 1)", fraction)
		}
		c.jitter = fraction
		return nil
	}
}

// WithBackoff sets the wait after a failed poll cycle: initial after the
// first failure, doubling with each further consecutive failure up to max
// (defaults 1 s and 2 min), jittered like the poll interval. The client
// never gives up; the first success returns to the poll interval.
func WithBackoff(initial, max time.Duration) Option {
	return func(c *config) error {
		if initial <= 0 || max < initial {
			return fmt.Errorf("backoff %v..%v: need 0 < initial <= max", initial, max)
		}
		c.backoffInitial, c.backoffMax = initial, max
		return nil
	}
}

// WithRequestTimeout bounds one request, from sending it to the last byte of
// the body (default 10 s). A slow or hanging server counts as a failure.
func WithRequestTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("request timeout %v: must be positive", d)
		}
		c.requestTimeout = d
		return nil
	}
}

// WithMaxSize bounds a ruleset's size in bytes, compressed on the wire and
// again after decompression (default 10 MiB). A larger response is an error
// and its body is not used.
func WithMaxSize(bytes int64) Option {
	return func(c *config) error {
		if bytes <= 0 {
			return fmt.Errorf("max size %d: must be positive", bytes)
		}
		c.maxSize = bytes
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for http(s) URLs, for proxies,
// custom TLS or instrumentation. Its Timeout, if any, applies on top of
// WithRequestTimeout. The Client does not close its idle connections.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("nil http client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithHeader adds a header to every HTTP request, for example an
// Authorization header when the operator restricts the ruleset URL.
func WithHeader(key, value string) Option {
	return func(c *config) error {
		if c.headers == nil {
			c.headers = http.Header{}
		}
		c.headers.Add(key, value)
		return nil
	}
}

// WithEnvironment sets the environment the client expects; a ruleset of any
// other environment is rejected. Without it, the environment of the first
// ruleset accepted (from bootstrap, cache or network) is pinned instead.
func WithEnvironment(env string) Option {
	return func(c *config) error {
		if env == "" {
			return errors.New("empty environment")
		}
		c.environment = env
		return nil
	}
}

// WithCacheDir keeps a copy of every accepted ruleset in dir, in a file
// named after the primary URL, and serves it on the next start until a fetch
// succeeds. The directory must exist.
func WithCacheDir(dir string) Option {
	return func(c *config) error {
		if dir == "" {
			return errors.New("empty cache directory")
		}
		c.cacheDir = dir
		return nil
	}
}

// WithCacheFile is WithCacheDir with the file's path given exactly.
func WithCacheFile(path string) Option {
	return func(c *config) error {
		if path == "" {
			return errors.New("empty cache file")
		}
		c.cacheFile = path
		return nil
	}
}

// WithBootstrap sets a ruleset (wire JSON, as published) to serve from the
// start, before any fetch succeeds; typically embedded in the binary with
// the embed package. When a disk cache also holds one, the higher version
// wins. The
// client keeps no reference to data after New returns.
func WithBootstrap(data []byte) Option {
	return func(c *config) error {
		c.bootstrap = data
		return nil
	}
}

// WithBootstrapFile is WithBootstrap reading the ruleset from a file when New
// runs. A missing or invalid file is logged and reported by Status, not
// returned by New.
func WithBootstrapFile(path string) Option {
	return func(c *config) error {
		c.bootstrapFile = path
		return nil
	}
}

// WithClock sets the clock that evaluations (schedules, progressive
// rollouts, expiry) and Status read; default time.Now. It must be safe for
// concurrent use. The poller's waits use real time regardless.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("nil clock")
		}
		c.now = now
		return nil
	}
}

// WithLogger sets where the client logs fetch failures, rejected rulesets
// and expired flags. Default: nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithExposureLogger calls fn for evaluations that serve a variation, at
// most once per flag, targeting key and variation while that triple stays in
// a bounded dedup cache (see WithExposureDedup). fn runs on a goroutine of
// its own, one exposure at a time; exposures that arrive while 1,024 are
// waiting are dropped rather than slowing evaluation.
func WithExposureLogger(fn func(Exposure)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("nil exposure logger")
		}
		c.exposure = fn
		return nil
	}
}

// WithChangeListener registers fn as OnChange does, but before New loads
// anything: it also hears the bootstrap or cached ruleset New installs and
// a first fetched ruleset that can arrive before a listener added after New
// returns.
func WithChangeListener(fn func(Change)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("nil change listener")
		}
		c.onChange = append(c.onChange, fn)
		return nil
	}
}

// WithStateListener registers fn as OnStateChange does, before New starts,
// so that it hears the client's first change of state too.
func WithStateListener(fn func(StateChange)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("nil state listener")
		}
		c.onState = append(c.onState, fn)
		return nil
	}
}

// WithExposureDedup sets how many recent (flag, targeting key, variation)
// triples the exposure logger remembers (default 10,000). An evicted triple
// is logged again when it next occurs.
func WithExposureDedup(size int) Option {
	return func(c *config) error {
		if size < 2 {
			return fmt.Errorf("exposure dedup size %d: must be at least 2", size)
		}
		c.exposureDedup = size
		return nil
	}
}
