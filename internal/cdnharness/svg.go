package cdnharness

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// palette colours the configurations in charts, in order.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

// WriteSVG draws the cumulative distribution of update latency of each
// result (the share of clients holding a new version against seconds since
// its publish), with each configuration's promised bound as a dashed line.
func WriteSVG(w io.Writer, results []*Result) error {
	const (
		width, height          = 720, 400
		left, right, top, bott = 60, 200, 30, 50
		pw, ph                 = width - left - right, height - top - bott
	)
	var xmax float64
	for _, r := range results {
		xmax = max(xmax, r.Bound.Seconds())
		for _, d := range r.Latencies {
			xmax = max(xmax, d.Seconds())
		}
	}
	xmax = math.Ceil(xmax + 0.5)
	x := func(s float64) float64 { return left + s/xmax*pw }
	y := func(f float64) float64 { return top + (1-f)*ph }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14">Update latency: share of clients holding a new version</text>`+"\n", left)
	step := max(1.0, math.Ceil(xmax/10))
	for s := 0.0; s <= xmax; s += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%g</text>`+"\n",
			x(s), top, x(s), top+ph, x(s), top+ph+16, s)
	}
	for f := 0.0; f <= 1.0001; f += 0.25 {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%d%%</text>`+"\n",
			left, y(f), left+pw, y(f), left-6, y(f)+4, int(f*100))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">seconds after the publish started</text>`+"\n", left+pw/2, height-10)
	for i, r := range results {
		col := palette[i%len(palette)]
		s := slices.Clone(r.Latencies)
		slices.Sort(s)
		var pts []string
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(0), y(0)))
		// At most maxSteps steps: a thousand clients times several versions
		// would make a chart of hundreds of kilobytes that looks the same.
		const maxSteps = 300
		for k := 0; k < min(len(s), maxSteps); k++ {
			j := k * len(s) / min(len(s), maxSteps)
			next := (k + 1) * len(s) / min(len(s), maxSteps)
			d := s[next-1]
			pts = append(pts, fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x(d.Seconds()), y(float64(j)/float64(len(s))), x(d.Seconds()), y(float64(next)/float64(len(s)))))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", col, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="4 3"/>`+"\n",
			x(r.Bound.Seconds()), top, x(r.Bound.Seconds()), top+ph, col)
		ly := top + 10 + i*36
		sum := Summarize(r.Latencies)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d">%s</text>`+"\n",
			left+pw+12, ly, left+pw+32, ly, col, left+pw+38, ly+4, html.EscapeString(r.Name))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">p99 %s, bound %s</text>`+"\n",
			left+pw+38, ly+18, secs(sum.P99), secs(r.Bound))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
