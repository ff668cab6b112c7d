package sdk

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// Sinks keep benchmark results alive so the compiler can't drop the work.
var (
	sinkBool    bool
	sinkDetail  ruleset.Detail
	sinkClient  *Client
	sinkRuleset *ruleset.Ruleset
)

var benchNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// benchFlag has three rules (set membership, suffix, numeric) in front of a
// 50/50 split: a realistic flag that reaches bucketing for most contexts.
func benchFlag(key string) ruleset.Flag {
	f := boolFlag(key, true)
	f.Default = ruleset.Serve{Split: []ruleset.Weighted{{Variation: "var0", Weight: 5000}, {Variation: "var1", Weight: 5000}}}
	f.Rules = []ruleset.Rule{
		{Name: "markets", Conditions: []ruleset.Condition{{Attribute: "country", Op: ruleset.OpIn, Values: []any{"NL", "BE", "DE", "FR", "LU"}}}, Serve: ruleset.Serve{Variation: "var0"}},
		{Name: "staff", Conditions: []ruleset.Condition{{Attribute: "email", Op: ruleset.OpEndsWith, Values: []any{"@acme.example"}}}, Serve: ruleset.Serve{Variation: "var0"}},
		{Name: "big-spenders", Conditions: []ruleset.Condition{{Attribute: "orders", Op: ruleset.OpGreaterEq, Values: []any{10.0}}}, Serve: ruleset.Serve{Variation: "var1"}},
	}
	return f
}

func benchDoc(version int64, flags int) *ruleset.Document {
	d := testDoc("production", version)
	for i := range flags {
		key := fmt.Sprintf("flag-%05d", i)
		d.Flags[key] = benchFlag(key)
	}
	d.Flags["checkout"] = benchFlag("checkout")
	return d
}

var benchContext = NewContext("user-12345", map[string]any{"country": "US", "email": "a@b.example", "orders": 3})

func benchClient(b *testing.B, opts ...Option) *Client {
	b.Helper()
	c, err := New("", append([]Option{WithBootstrap(marshal(b, benchDoc(1, 0)))}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

// overBare measures how much longer client() takes than bare(), in ns per
// call. The two run in short interleaved rounds and each side keeps its
// fastest round: on a shared machine other processes only ever add time,
// so the minimum is the closest to the undisturbed cost. (testing.Benchmark
// can't nest inside a benchmark.)
func overBare(bare, client func()) float64 {
	const rounds, n = 41, 20_000
	best := func(f func()) time.Duration {
		start := time.Now()
		for range n {
			f()
		}
		return time.Since(start)
	}
	minBare, minClient := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for range rounds {
		minBare = min(minBare, best(bare))
		minClient = min(minClient, best(client))
	}
	return float64(minClient-minBare) / n
}

// BenchmarkRulesetBool is bare evaluation with a fixed instant: the floor.
func BenchmarkRulesetBool(b *testing.B) {
	c := benchClient(b)
	rs := c.Ruleset()
	b.ReportAllocs()
	for b.Loop() {
		sinkDetail = rs.EvaluateType("checkout", ruleset.TypeBoolean, benchContext, benchNow)
	}
}

// BenchmarkRulesetBoolTimeNow is bare evaluation at time.Now(), which any
// caller evaluating at the current time pays.
func BenchmarkRulesetBoolTimeNow(b *testing.B) {
	c := benchClient(b)
	rs := c.Ruleset()
	b.ReportAllocs()
	for b.Loop() {
		sinkDetail = rs.EvaluateType("checkout", ruleset.TypeBoolean, benchContext, time.Now())
	}
}

// BenchmarkClientBoolNoAlloc is Client.Bool with the default clock; it
// reports its cost over bare evaluation at a fixed instant as
// ns-over-bare/op. The client reads the clock only for flags that depend on
// time, so for this flag it pays no time.Now.
func BenchmarkClientBoolNoAlloc(b *testing.B) {
	c := benchClient(b)
	rs := c.Ruleset()
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = c.Bool("checkout", benchContext, false)
	}
	b.ReportMetric(overBare(
		func() { sinkDetail = rs.EvaluateType("checkout", ruleset.TypeBoolean, benchContext, benchNow) },
		func() { sinkBool = c.Bool("checkout", benchContext, false) },
	), "ns-over-bare/op")
}

// BenchmarkClientBoolFixedClockNoAlloc is Client.Bool with a clock that
// returns a fixed instant, against bare evaluation at that instant: the
// wrapper's own cost.
func BenchmarkClientBoolFixedClockNoAlloc(b *testing.B) {
	c := benchClient(b, WithClock(func() time.Time { return benchNow }))
	rs := c.Ruleset()
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = c.Bool("checkout", benchContext, false)
	}
	b.ReportMetric(overBare(
		func() { sinkDetail = rs.EvaluateType("checkout", ruleset.TypeBoolean, benchContext, benchNow) },
		func() { sinkBool = c.Bool("checkout", benchContext, false) },
	), "ns-over-bare/op")
}

// BenchmarkClientBoolDetailNoAlloc covers the Detail form.
func BenchmarkClientBoolDetailNoAlloc(b *testing.B) {
	c := benchClient(b)
	b.ReportAllocs()
	var d Detail[bool]
	for b.Loop() {
		d = c.BoolDetail("checkout", benchContext, false)
	}
	sinkBool = d.Value
}

// BenchmarkClientBoolParallelSwapNoAlloc evaluates from every P while
// another goroutine swaps between two rulesets every millisecond.
func BenchmarkClientBoolParallelSwapNoAlloc(b *testing.B) {
	c := benchClient(b)
	a := c.current.Load()
	rs2, err := ruleset.Load(marshal(b, benchDoc(2, 0)))
	if err != nil {
		b.Fatal(err)
	}
	other := &snapshot{rs: rs2, origin: "bench"}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-t.C:
				if i%2 == 0 {
					c.current.Store(other)
				} else {
					c.current.Store(a)
				}
			}
		}
	})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var v bool
		for pb.Next() {
			v = c.Bool("checkout", benchContext, false)
		}
		sinkBoolMu.Lock()
		sinkBool = v
		sinkBoolMu.Unlock()
	})
	close(stop)
	wg.Wait()
}

var sinkBoolMu sync.Mutex

// BenchmarkClientExposureLogger is Client.Bool with an exposure logger, on
// the deduplicated path (the same context again and again).
func BenchmarkClientExposureLogger(b *testing.B) {
	c := benchClient(b, WithExposureLogger(func(Exposure) {}))
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = c.Bool("checkout", benchContext, false)
	}
}

// BenchmarkClientHeap10kFlags loads a 10,000-flag ruleset into a client per
// iteration (ns/op is the load time, plus a bare load for comparison) and reports the heap the client holds
// once loaded, measured after GC, as heap-MiB; next to it the heap of the
// bare loaded ruleset (ruleset-heap-MiB) and the ruleset's size on the wire
// (json-MiB).
func BenchmarkClientHeap10kFlags(b *testing.B) {
	data := marshal(b, benchDoc(1, 10000))
	var held, bare int64
	b.ReportAllocs()
	for b.Loop() {
		held = heapHeld(func() {
			c, err := New("", WithBootstrap(data))
			if err != nil {
				b.Fatal(err)
			}
			sinkClient = c
		})
		sinkClient.Close()
		sinkClient = nil
		// The bare ruleset, measured in the same conditions (the first
		// load in a process measures lower, so both take turns).
		bare = heapHeld(func() { sinkRuleset, _ = ruleset.Load(data) })
		sinkRuleset = nil
	}
	b.ReportMetric(float64(held)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(bare)/(1<<20), "ruleset-heap-MiB")
	b.ReportMetric(float64(len(data))/(1<<20), "json-MiB")
}

// heapHeld is how much more live heap there is after build than before,
// each measured after a full GC; build keeps what it made reachable.
func heapHeld(build func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}
