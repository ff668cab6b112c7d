package ruleset

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// sink keeps benchmark results alive so the compiler can't drop the work.
var sink Detail

var benchNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func boolVariations() []Variation {
	return []Variation{{Key: "on", Value: json.RawMessage("true")}, {Key: "off", Value: json.RawMessage("false")}}
}

func benchDoc(flags ...Flag) *Document {
	d := &Document{Schema: SchemaVersion, Environment: "production", Version: 1, Flags: map[string]Flag{}, Segments: map[string]Segment{}}
	for _, f := range flags {
		d.Flags[f.Key] = f
	}
	return d
}

func mustLoadDoc(tb testing.TB, d *Document) *Ruleset {
	tb.Helper()
	data, err := Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}
	rs, err := Load(data)
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

func plainBoolFlag(key string) Flag {
	return Flag{Key: key, Type: TypeBoolean, Variations: boolVariations(), Enabled: true, OffVariation: "off", Salt: key, Default: Serve{Variation: "on"}}
}

func rolloutFlag(key string, pct int) Flag {
	f := plainBoolFlag(key)
	f.Default = Serve{Split: []Weighted{{Variation: "on", Weight: pct * 100}, {Variation: "off", Weight: Buckets - pct*100}}}
	return f
}

// threeRuleFlag is the reference flag: an in over 5 values, an ends
// with, a numeric >=, then a 50/50 split.
func threeRuleFlag(key string) Flag {
	f := rolloutFlag(key, 50)
	f.Rules = []Rule{
		{Name: "markets", Conditions: []Condition{{Attribute: "country", Op: OpIn, Values: []any{"NL", "BE", "DE", "FR", "LU"}}}, Serve: Serve{Variation: "on"}},
		{Name: "staff", Conditions: []Condition{{Attribute: "email", Op: OpEndsWith, Values: []any{"@acme.example"}}}, Serve: Serve{Variation: "on"}},
		{Name: "big-spenders", Conditions: []Condition{{Attribute: "orders", Op: OpGreaterEq, Values: []any{10.0}}}, Serve: Serve{Variation: "off"}},
	}
	return f
}

func benchContext() *Context {
	return NewContext("user-8c5b1e6a", map[string]any{
		"country": "US", "email": "jane@example.com", "orders": 12, "plan": "pro", "app_version": "4.2.0",
	})
}

func BenchmarkEvaluateBoolNoAlloc(b *testing.B) {
	rs := mustLoadDoc(b, benchDoc(plainBoolFlag("new-checkout")))
	c := benchContext()
	b.ReportAllocs()
	for b.Loop() {
		sink = rs.Evaluate("new-checkout", c, benchNow)
	}
}

func BenchmarkEvaluateRollout25NoAlloc(b *testing.B) {
	rs := mustLoadDoc(b, benchDoc(rolloutFlag("new-checkout", 25)))
	c := benchContext()
	b.ReportAllocs()
	for b.Loop() {
		sink = rs.Evaluate("new-checkout", c, benchNow)
	}
}

func BenchmarkEvaluateThreeRulesNoAlloc(b *testing.B) {
	rs := mustLoadDoc(b, benchDoc(threeRuleFlag("payment-service")))
	c := benchContext()
	if d := rs.Evaluate("payment-service", c, benchNow); d.RuleIndex != 2 {
		b.Fatalf("context should match the third rule, got %+v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		sink = rs.Evaluate("payment-service", c, benchNow)
	}
}

func BenchmarkEvaluateLookupNoAlloc(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprintf("flags=%d", n), func(b *testing.B) {
			d := benchDoc()
			for i := range n {
				f := rolloutFlag(fmt.Sprintf("flag-%05d", i), 25)
				d.Flags[f.Key] = f
			}
			rs := mustLoadDoc(b, d)
			c := benchContext()
			keys := make([]string, 64)
			for i := range keys {
				keys[i] = fmt.Sprintf("flag-%05d", (i*7919)%n)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sink = rs.Evaluate(keys[i&63], c, benchNow)
				i++
			}
		})
	}
}

func BenchmarkEvaluateParallelNoAlloc(b *testing.B) {
	rs := mustLoadDoc(b, benchDoc(threeRuleFlag("payment-service")))
	c := benchContext()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var local Detail
		for pb.Next() {
			local = rs.Evaluate("payment-service", c, benchNow)
		}
		_ = local
	})
}

func manyFlags(n int) *Document {
	d := benchDoc()
	for i := range n {
		var f Flag
		switch i % 3 {
		case 0:
			f = plainBoolFlag(fmt.Sprintf("flag-%05d", i))
		case 1:
			f = rolloutFlag(fmt.Sprintf("flag-%05d", i), i%100)
		default:
			f = threeRuleFlag(fmt.Sprintf("flag-%05d", i))
		}
		f.Description = "generated flag for load benchmarks"
		d.Flags[f.Key] = f
	}
	return d
}

var loadSink *Ruleset

// loadBenchRuleset is the 10,000-flag ruleset the load benchmarks read, as
// published: indented JSON.
func loadBenchRuleset(b *testing.B) []byte {
	b.Helper()
	data, err := Marshal(manyFlags(10000))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	return data
}

func BenchmarkLoad10000Flags(b *testing.B) {
	data := loadBenchRuleset(b)
	for b.Loop() {
		rs, err := Load(data)
		if err != nil {
			b.Fatal(err)
		}
		loadSink = rs
	}
	// Heap held by one loaded ruleset: what Load adds and keeps, with the
	// input alive on both sides of the measurement, after two collections
	// (the second empties sync.Pool victim caches).
	data = nil
	loadSink = nil
	raw := loadBenchRuleset(b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	rs, _ := Load(raw)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-held")
	runtime.KeepAlive(raw)
	runtime.KeepAlive(rs)
}

// BenchmarkDecode10000Flags is the decoding part of BenchmarkLoad10000Flags
// alone: the hand decoder over the same ruleset, without compiling.
func BenchmarkDecode10000Flags(b *testing.B) {
	data := loadBenchRuleset(b)
	for b.Loop() {
		if _, ok := decodeFast(data); !ok {
			b.Fatal("left to the reflection decoder")
		}
	}
}
