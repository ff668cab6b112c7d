package ruleset

import "testing"

// TestNoAllocBenchmarks runs every benchmark whose name ends in NoAlloc and
// fails if any reports an allocation: the promise is checked on every test
// run, not only when someone reads benchmark output.
func TestNoAllocBenchmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs benchmarks; skipped with -short")
	}
	benches := map[string]func(*testing.B){
		"BenchmarkEvaluateBoolNoAlloc":       BenchmarkEvaluateBoolNoAlloc,
		"BenchmarkEvaluateRollout25NoAlloc":  BenchmarkEvaluateRollout25NoAlloc,
		"BenchmarkEvaluateThreeRulesNoAlloc": BenchmarkEvaluateThreeRulesNoAlloc,
		"BenchmarkEvaluateParallelNoAlloc":   BenchmarkEvaluateParallelNoAlloc,
	}
	// BenchmarkEvaluateLookupNoAlloc has sub-benchmarks, which
	// testing.Benchmark doesn't run; TestEvaluationAllocatesNothing covers
	// lookups of present and missing flags.
	for name, fn := range benches {
		r := testing.Benchmark(fn)
		if r.N == 0 {
			t.Errorf("%s did not run", name)
			continue
		}
		if a := r.AllocsPerOp(); a != 0 {
			t.Errorf("%s: %d allocs/op, want 0", name, a)
		}
	}
}
