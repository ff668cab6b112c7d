package publisher_test

import (
	"fmt"
	"testing"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/storetest"
	"github.com/cairnflags/cairn/ruleset"
)

// BenchmarkPublish publishes to the file backend, validation included, and
// reports the ruleset's size raw and gzipped.
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("flags=%d", n), func(b *testing.B) {
			p, _ := newPublisher(b)
			docs := []*ruleset.Document{storetest.Document(env, n, 1), storetest.Document(env, n, 2)}
			raw, err := ruleset.Marshal(docs[0])
			if err != nil {
				b.Fatal(err)
			}
			gz, err := gzipSize(raw)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				res, err := p.Publish(b.Context(), docs[i%2], publisher.PublishOptions{})
				if err != nil || res.Unchanged {
					b.Fatalf("publish: %+v, %v", res, err)
				}
				i++
			}
			b.ReportMetric(float64(len(raw)), "raw-bytes")
			b.ReportMetric(float64(gz), "gzip-bytes")
		})
	}
}
