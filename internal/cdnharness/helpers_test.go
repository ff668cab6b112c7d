package cdnharness_test

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnflags/cairn/internal/cdnharness"
	"github.com/cairnflags/cairn/publisher/file"
)

// CI-size figures: small enough for .ci/run on two shared cores, the same
// shape as the full-size run in BENCHMARKS.md (TTL 10 s, poll 5 s, 1,000
// clients).
const (
	ciClients = 50
	ciTTL     = 2 * time.Second
	ciPoll    = time.Second
	ciJitter  = 0.2
)

// slack absorbs scheduling delays on a loaded two-core machine under the
// race detector; the measured figures are logged so that a creeping delay
// shows.
var slack = map[bool]time.Duration{false: 2 * time.Second, true: 6 * time.Second}[raceEnabled]

func varnishd(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(cdnharness.EnvVarnishd)
	if bin == "" {
		t.Skipf("Varnish not configured: set %s to a varnishd binary (scripts/cdn.sh install; . /tmp/cairn-cdn/env)", cdnharness.EnvVarnishd)
	}
	return bin
}

func toxiproxy(t *testing.T) *cdnharness.Toxiproxy {
	t.Helper()
	u := os.Getenv(cdnharness.EnvToxiproxy)
	if u == "" {
		t.Skipf("Toxiproxy not configured: set %s (scripts/realparts.sh start toxiproxy; . /tmp/cairn-realparts/env)", cdnharness.EnvToxiproxy)
	}
	return &cdnharness.Toxiproxy{URL: u}
}

func startVarnish(t *testing.T, backend, originHost string) *cdnharness.Varnish {
	t.Helper()
	v, err := cdnharness.StartVarnish(t.Context(), cdnharness.VarnishConfig{
		Bin: varnishd(t), Dir: t.TempDir(), Backend: backend, OriginHost: originHost, FetchTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := v.Close(); err != nil {
			t.Error(err)
		}
	})
	return v
}

// controlledOrigin is an Origin over a fresh file store, served on
// 127.0.0.1.
func controlledOrigin(t *testing.T) (*cdnharness.Origin, *file.Store, *httptest.Server) {
	t.Helper()
	store, err := file.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := cdnharness.NewOrigin(store)
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	return o, store, srv
}

var envSeq atomic.Int64

// freshEnv names an environment no earlier run in this process used.
func freshEnv(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, envSeq.Add(1))
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// checkRun fails t unless every client got every version within the bound
// (plus slack) and no evaluation was wrong, and logs the figures.
func checkRun(t *testing.T, r *cdnharness.Result) {
	t.Helper()
	s := cdnharness.Summarize(r.Latencies)
	t.Logf("%s: %d clients, %d versions: p50 %v p90 %v p99 %v max %v (bound %v, publish %v each); origin %d requests in %v (%.2f per TTL); wire %v",
		r.Name, r.Clients, r.Versions, s.P50, s.P90, s.P99, s.Max, r.Bound, r.PublishTime/time.Duration(r.Versions),
		r.Origin.BackendReq, r.Duration.Round(time.Millisecond), r.OriginPerTTL(), r.Wire)
	if r.Missing > 0 {
		t.Errorf("%d (client, version) pairs never arrived", r.Missing)
	}
	if r.Wrong > 0 {
		t.Errorf("%d wrong evaluations, first: %q", r.Wrong, r.WrongFirst)
	}
	// A latency counts from the start of its publish, so the publish's own
	// time (slow under -race) is part of it.
	if s.Max > r.Bound+r.MaxPublish+slack {
		t.Errorf("slowest client took %v, bound %v + publish %v + %v slack", s.Max, r.Bound, r.MaxPublish, slack)
	}
	if len(r.Latencies) == 0 || slices.Min(r.Latencies) < 0 {
		t.Errorf("latencies %v", r.Latencies)
	}
}
