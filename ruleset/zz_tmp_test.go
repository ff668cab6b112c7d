package ruleset

import "testing"

func BenchmarkTmpDecodeFast(b *testing.B) {
	data, _ := Marshal(manyFlags(10000))
	b.ReportAllocs()
	for b.Loop() {
		d, ok := decodeFast(data)
		if !ok {
			b.Fatal("fallback")
		}
		_ = d
	}
}
