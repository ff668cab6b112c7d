package cdnharness

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnflags/cairn/sdk"
)

// MarkerFlag is the string flag whose value in every published ruleset is
// that ruleset's version, so that an evaluation tells which ruleset served
// it.
const MarkerFlag = "cairn-harness-version"

// FleetConfig describes N SDK clients polling one URL.
type FleetConfig struct {
	URL     string
	Clients int
	Poll    time.Duration
	Jitter  float64
	// BackoffInitial and BackoffMax bound the waits after failed polls;
	// zero means Poll/2 and Poll, so that a client recovers within a poll
	// interval of a fault clearing.
	BackoffInitial, BackoffMax time.Duration
	// RequestTimeout bounds one poll; zero means twice Poll, so that a
	// loaded machine does not turn slow answers into failures.
	RequestTimeout time.Duration
	// Transport is shared by all clients (connections are reused across
	// them); it is wrapped in a Wire. Nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	Log       *slog.Logger
}

// Fleet is a set of running sdk.Clients and what they received.
type Fleet struct {
	clients []*sdk.Client
	got     []*arrivals
	Wire    *Wire

	mu         sync.Mutex
	wrong      int64
	wrongFirst []string
}

// arrivals is one client's record of new rulesets.
type arrivals struct {
	mu   sync.Mutex
	at   map[int64]time.Time
	high atomic.Int64
	// seen is the highest marker an evaluation returned.
	seen int64
}

// StartFleet creates the clients; they start polling at once.
func StartFleet(cfg FleetConfig) (*Fleet, error) {
	if cfg.BackoffInitial <= 0 {
		cfg.BackoffInitial = max(cfg.Poll/2, time.Millisecond)
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = cfg.Poll
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 2 * cfg.Poll
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = min(max(cfg.Clients, 2), 256)
		cfg.Transport = t
	}
	f := &Fleet{Wire: NewWire(cfg.Transport)}
	hc := &http.Client{Transport: f.Wire}
	for range cfg.Clients {
		a := &arrivals{at: map[int64]time.Time{}}
		c, err := sdk.New(cfg.URL,
			sdk.WithHTTPClient(hc), sdk.WithPollInterval(cfg.Poll), sdk.WithJitter(cfg.Jitter),
			sdk.WithBackoff(cfg.BackoffInitial, cfg.BackoffMax), sdk.WithRequestTimeout(cfg.RequestTimeout))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sdk client: %w", err)
		}
		c.OnChange(func(ch sdk.Change) { a.record(ch.NewVersion, time.Now()) })
		f.clients = append(f.clients, c)
		f.got = append(f.got, a)
	}
	return f, nil
}

func (a *arrivals) record(v int64, at time.Time) {
	a.mu.Lock()
	if _, ok := a.at[v]; !ok {
		a.at[v] = at
	}
	a.mu.Unlock()
	for {
		h := a.high.Load()
		if v <= h || a.high.CompareAndSwap(h, v) {
			return
		}
	}
}

// Len is the number of clients.
func (f *Fleet) Len() int { return len(f.clients) }

// Arrived returns when client i first held version v or a later one; false
// if it never did.
func (f *Fleet) Arrived(i int, v int64) (time.Time, bool) {
	a := f.got[i]
	a.mu.Lock()
	defer a.mu.Unlock()
	var first time.Time
	for ver, at := range a.at {
		if ver >= v && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	return first, !first.IsZero()
}

// Lagging returns how many clients hold a version below v.
func (f *Fleet) Lagging(v int64) int {
	n := 0
	for _, a := range f.got {
		if a.high.Load() < v {
			n++
		}
	}
	return n
}

// WaitAll waits until every client holds v or later, or until ctx is done
// or timeout passes; it returns how many still lag.
func (f *Fleet) WaitAll(ctx context.Context, v int64, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for {
		n := f.Lagging(v)
		if n == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return n
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Check evaluates MarkerFlag on every client every period until ctx is
// done, and counts wrong evaluations: a value that is no published version
// (published() is the highest version handed to the publisher so far), a
// version lower than one the client served before, or the caller's default
// once the client has served a ruleset.
func (f *Fleet) Check(ctx context.Context, period time.Duration, published func() int64) {
	ec := sdk.NewContext("harness", nil)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		for i, c := range f.clients {
			f.checkOne(i, c.String(MarkerFlag, ec, "default"), published())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (f *Fleet) checkOne(i int, val string, published int64) {
	a := f.got[i]
	a.mu.Lock()
	defer a.mu.Unlock()
	if val == "default" {
		if a.seen > 0 {
			f.wrongEval(fmt.Sprintf("client %d: default after serving version %d", i, a.seen))
		}
		return
	}
	v, err := strconv.ParseInt(val, 10, 64)
	switch {
	case err != nil:
		f.wrongEval(fmt.Sprintf("client %d: marker %q is no version", i, val))
	case v > published:
		f.wrongEval(fmt.Sprintf("client %d: version %d was never published (highest %d)", i, v, published))
	case v < a.seen:
		f.wrongEval(fmt.Sprintf("client %d: went back from version %d to %d", i, a.seen, v))
	default:
		a.seen = v
	}
}

func (f *Fleet) wrongEval(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wrong++
	if len(f.wrongFirst) < 5 {
		f.wrongFirst = append(f.wrongFirst, msg)
	}
}

// Wrong returns the number of wrong evaluations and the first few.
func (f *Fleet) Wrong() (int64, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wrong, append([]string(nil), f.wrongFirst...)
}

// Statuses returns the clients' current states, counted.
func (f *Fleet) Statuses() map[sdk.State]int {
	out := map[sdk.State]int{}
	for _, c := range f.clients {
		out[c.Status().State]++
	}
	return out
}

// Close stops every client.
func (f *Fleet) Close() {
	for _, c := range f.clients {
		c.Close()
	}
}
