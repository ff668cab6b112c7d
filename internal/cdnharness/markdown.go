package cdnharness

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the results as the tables of BENCHMARKS.md's
// "Freshness and cost" section.
func WriteMarkdown(w io.Writer, results []*Result) error {
	var b strings.Builder
	b.WriteString("| configuration | TTL | poll ± jitter | bound | p50 | p90 | p99 | max | missed | wrong evals |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range results {
		s := Summarize(r.Latencies)
		fmt.Fprintf(&b, "| %s | %s | %s ± %.0f%% | %s | %s | %s | %s | %s | %d | %d |\n",
			r.Name, secs(r.TTL), secs(r.Poll), r.Jitter*100, secs(r.Bound),
			secs(s.P50), secs(s.P90), secs(s.P99), secs(s.Max), r.Missing, r.Wrong)
	}
	b.WriteString("\n| configuration | clients | measured for | origin requests | per minute | per TTL | client requests | CDN hit rate |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range results {
		if !r.HasStats {
			continue
		}
		hits := float64(r.Origin.CacheHit) / float64(max(r.Origin.ClientReq, 1)) // grace hits are hits too
		fmt.Fprintf(&b, "| %s | %d | %s | %d | %.1f | %.2f | %d | %.2f%% |\n",
			r.Name, r.Clients, secs(r.Duration), r.Origin.BackendReq, r.OriginPerMinute(), r.OriginPerTTL(), r.Origin.ClientReq, hits*100)
	}
	b.WriteString("\n| configuration | ruleset (gzip) | 200s | bytes per 200 | 304s | bytes per 304 |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range results {
		ok, nm := r.Wire[200], r.Wire[304]
		fmt.Fprintf(&b, "| %s | %d B | %d | %s | %d | %s |\n", r.Name, r.RulesetBytes,
			ok.Responses, perResp(ok), nm.Responses, perResp(nm))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func perResp(c WireCount) string {
	if c.Responses == 0 {
		return "–"
	}
	return fmt.Sprintf("%d B (%d headers + %d body)", (c.HeaderBytes+c.BodyBytes)/c.Responses,
		c.HeaderBytes/c.Responses, c.BodyBytes/c.Responses)
}
