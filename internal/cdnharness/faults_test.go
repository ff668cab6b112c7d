package cdnharness_test

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnflags/cairn/internal/cdnharness"
	"github.com/cairnflags/cairn/publisher"
)

// topology is SDKs → front proxy → Varnish → back proxy → origin.
type topology struct {
	origin      *cdnharness.Origin
	front, back *cdnharness.Proxy
}

// fault is one way for the pipeline to break, and its repair.
type fault struct {
	name         string
	apply, clear func(ctx context.Context, tp *topology) error
}

func toxic(side, typ string, attrs map[string]any) fault {
	proxy := func(tp *topology) *cdnharness.Proxy {
		if side == "sdk-cdn" {
			return tp.front
		}
		return tp.back
	}
	return fault{
		name: side + "/" + typ,
		apply: func(ctx context.Context, tp *topology) error {
			return proxy(tp).AddToxic(ctx, cdnharness.Toxic{Name: typ, Type: typ, Attributes: attrs})
		},
		clear: func(ctx context.Context, tp *topology) error { return proxy(tp).RemoveToxic(ctx, typ) },
	}
}

func down(side string) fault {
	proxy := func(tp *topology) *cdnharness.Proxy {
		if side == "sdk-cdn" {
			return tp.front
		}
		return tp.back
	}
	return fault{
		name:  side + "/down",
		apply: func(ctx context.Context, tp *topology) error { return proxy(tp).SetEnabled(ctx, false) },
		clear: func(ctx context.Context, tp *topology) error { return proxy(tp).SetEnabled(ctx, true) },
	}
}

func originMode(m cdnharness.Mode) fault {
	return fault{
		name:  "origin/" + m.String(),
		apply: func(_ context.Context, tp *topology) error { tp.origin.SetMode(m); return nil },
		clear: func(_ context.Context, tp *topology) error { tp.origin.SetMode(cdnharness.ModeNormal); return nil },
	}
}

func faults() []fault {
	var fs []fault
	for _, side := range []string{"sdk-cdn", "cdn-origin"} {
		fs = append(fs,
			down(side),
			toxic(side, "latency", map[string]any{"latency": 300, "jitter": 100}),
			toxic(side, "timeout", map[string]any{"timeout": 0}), // a hang
			toxic(side, "reset_peer", map[string]any{"timeout": 0}),
			toxic(side, "bandwidth", map[string]any{"rate": 1}), // 1 KB/s
			toxic(side, "limit_data", map[string]any{"bytes": 600}),
		)
	}
	return append(fs, originMode(cdnharness.ModeNotFound), originMode(cdnharness.ModeServerError),
		originMode(cdnharness.ModeGarbage), originMode(cdnharness.ModeOlder))
}

// TestFaults breaks one part of the pipeline at a time, for longer than the
// CDN's TTL and grace together, while a new version is published. Every
// client must keep serving its last good ruleset, never evaluate a wrong
// value, and hold the newest version within the bound after the fault
// clears.
func TestFaults(t *testing.T) {
	tox := toxiproxy(t)
	varnishd(t)
	for _, f := range faults() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			runFault(t, tox, f)
		})
	}
}

const fetchTimeout = time.Second

func runFault(t *testing.T, tox *cdnharness.Toxiproxy, f fault) {
	ctx := t.Context()
	origin, store, srv := controlledOrigin(t)
	originAddr := mustHost(t, srv.URL)
	name := fmt.Sprintf("cairn-%d", envSeq.Add(1)+time.Now().UnixNano()%1e6)
	back, err := tox.CreateProxy(ctx, name+"-back", originAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = back.Delete(context.Background()) })
	v := startVarnish(t, back.Listen, originAddr)
	front, err := tox.CreateProxy(ctx, name+"-front", v.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = front.Delete(context.Background()) })
	tp := &topology{origin: origin, front: front, back: back}

	cc := fmt.Sprintf("public, max-age=%d, stale-while-revalidate=%d", int(ciTTL.Seconds()), int(ciTTL.Seconds()))
	pub := publisher.New(store, publisher.WithCacheControl(cc, ""), publisher.WithGzip(true))
	env := freshEnv("fault")
	var published atomic.Int64
	// publish returns how long the publish took: the clients can't have
	// the version before it is written.
	publish := func(v int64) time.Duration {
		t.Helper()
		published.Store(v)
		start := time.Now()
		if r, err := pub.Publish(ctx, cdnharness.MarkedDocument(env, 100, v), publisher.PublishOptions{}); err != nil || r.Version != v {
			t.Fatalf("publish %d: %+v %v", v, r, err)
		}
		return time.Since(start)
	}
	publish(1)
	fleet, err := cdnharness.StartFleet(cdnharness.FleetConfig{
		URL: "http://" + front.Listen + "/" + publisher.CurrentKey(env), Clients: ciClients,
		Poll: ciPoll, Jitter: ciJitter,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	checkCtx, stop := context.WithCancel(ctx)
	checked := make(chan struct{})
	go func() { defer close(checked); fleet.Check(checkCtx, 50*time.Millisecond, published.Load) }()
	defer func() { stop(); <-checked }()

	// Bound on reaching a version in good times, and after a fault clears:
	// the TTL, an origin fetch that may still be timing out, the longest
	// wait between polls (poll or backoff, jittered), one request timeout
	// (twice the poll interval, the fleet's default).
	good := ciTTL + time.Duration(float64(ciPoll)*(1+ciJitter))
	recovery := ciTTL + fetchTimeout + time.Duration(float64(ciPoll)*(1+ciJitter)) + 2*ciPoll
	if n := fleet.WaitAll(ctx, 1, 2*good+5*time.Second); n > 0 {
		t.Fatalf("%d clients never got version 1", n)
	}
	took := publish(2)
	if n := fleet.WaitAll(ctx, 2, good+took+slack); n > 0 {
		t.Fatalf("%d clients did not get version 2 within %v", n, good+took+slack)
	}

	wireBefore := fleet.Wire.Counts()
	if err := f.apply(ctx, tp); err != nil {
		t.Fatal(err)
	}
	publish(3)
	// Longer than TTL + grace: the CDN's stale copy runs out too.
	hold := 2*ciTTL + time.Second
	time.Sleep(hold)
	during := diffWire(fleet.Wire.Counts(), wireBefore)
	if n := fleet.Lagging(2); n > 0 {
		t.Errorf("%d clients lost version 2 during the fault", n)
	}
	states := fleet.Statuses()
	if err := f.clear(ctx, tp); err != nil {
		t.Fatal(err)
	}
	cleared := time.Now()
	lag := fleet.WaitAll(ctx, 3, recovery+slack)
	var worst time.Duration
	for i := range fleet.Len() {
		if at, ok := fleet.Arrived(i, 3); ok {
			worst = max(worst, at.Sub(cleared))
		}
	}
	t.Logf("during the fault the clients got %v and were %v; after it cleared the last client had version 3 in %v (bound %v); origin saw %v",
		during, states, worst.Round(time.Millisecond), recovery, origin.Requests())
	if lag > 0 {
		t.Errorf("%d clients did not reach version 3 within %v of the fault clearing", lag, recovery+slack)
	}
	stop()
	<-checked
	if n, first := fleet.Wrong(); n > 0 {
		t.Errorf("%d wrong evaluations, first: %q", n, first)
	}
	if f.name == "cdn-origin/down" && during[503].Responses == 0 {
		t.Errorf("origin down past grace: want 503s from Varnish, got %v", during)
	}
}

func diffWire(after, before map[int]cdnharness.WireCount) map[int]cdnharness.WireCount {
	out := map[int]cdnharness.WireCount{}
	for k, a := range after {
		b := before[k]
		if n := a.Responses - b.Responses; n > 0 {
			out[k] = cdnharness.WireCount{Responses: n, HeaderBytes: a.HeaderBytes - b.HeaderBytes, BodyBytes: a.BodyBytes - b.BodyBytes}
		}
	}
	return out
}

func mustHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
