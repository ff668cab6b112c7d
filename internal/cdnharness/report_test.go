package cdnharness_test

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cairnflags/cairn/internal/cdnharness"
)

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := cdnharness.Summarize(ds)
	if s.N != 100 || s.P50 != 50*time.Millisecond || s.P90 != 90*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Fatalf("got %+v", s)
	}
	if (cdnharness.Summarize(nil) != cdnharness.Summary{}) {
		t.Fatal("empty input: want a zero Summary")
	}
}

func TestReports(t *testing.T) {
	rs := []*cdnharness.Result{{
		Name: "3 clients, <TTL>", Clients: 3, TTL: 10 * time.Second, Poll: 5 * time.Second, Jitter: 0.2, Bound: 16 * time.Second,
		Latencies: []time.Duration{time.Second, 2 * time.Second, 15 * time.Second}, Duration: time.Minute, HasStats: true,
		Origin: cdnharness.Stats{BackendReq: 6, CacheHit: 30, ClientReq: 36},
		Wire:   map[int]cdnharness.WireCount{200: {Responses: 3, HeaderBytes: 900, BodyBytes: 7500}, 304: {Responses: 33, HeaderBytes: 9900}},
	}}
	var svg strings.Builder
	if err := cdnharness.WriteSVG(&svg, rs); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(strings.NewReader(svg.String()))
	for {
		if _, err := d.Token(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("SVG is not well-formed XML: %v", err)
			}
			break
		}
	}
	var md strings.Builder
	if err := cdnharness.WriteMarkdown(&md, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| 3 clients, <TTL> | 10.0 s | 5.0 s ± 20% | 16.0 s | 2.0 s |", "| 6 | 6.0 | 1.00 |", "2800 B (300 headers + 2500 body)", "300 B (300 headers + 0 body)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}
