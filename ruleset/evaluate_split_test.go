package ruleset

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestSplitResultsMatchPick checks the precomputed results of default
// splits against picking and filling them, through every entry point, for
// many contexts and splits of two or more ranges, zero weights, bucket_by,
// non-boolean flags, and flags that don't get split results.
func TestSplitResultsMatchPick(t *testing.T) {
	three := []Variation{{Key: "a", Value: json.RawMessage(`"A"`)}, {Key: "b", Value: json.RawMessage(`"B"`)}, {Key: "c", Value: json.RawMessage(`"C"`)}}
	doc := benchDoc()
	// want maps each flag to whether it should have split results.
	want := map[string]bool{}
	add := func(f Flag, split bool) {
		doc.Flags[f.Key] = f
		want[f.Key] = split
	}
	for _, pct := range []int{0, 1, 25, 50, 99, 100} {
		add(rolloutFlag(fmt.Sprintf("rollout-%03d", pct), pct), true)
	}
	for i, w := range [][3]int{{3334, 3333, 3333}, {0, 5000, 5000}, {1, 0, 9999}, {0, 0, Buckets}} {
		add(Flag{Key: fmt.Sprintf("three-way-%d", i), Type: TypeString, Variations: three, Enabled: true, OffVariation: "a", Salt: fmt.Sprintf("s%d", i),
			Default: Serve{Split: []Weighted{{Variation: "c", Weight: w[2]}, {Variation: "a", Weight: w[0]}, {Variation: "b", Weight: w[1]}}}}, true)
	}
	byAccount := rolloutFlag("by-account-flag", 40)
	byAccount.BucketBy = "account"
	add(byAccount, true)
	long := rolloutFlag("a-flag-key-longer-than-sixteen-bytes", 30)
	long.Salt = "a salt that is much longer than the forty-eight bytes bucketOf pads"
	add(long, true)
	add(threeRuleFlag("with-rules-flag"), false)
	off := rolloutFlag("switched-off", 25)
	off.Enabled = false
	add(off, false)
	expiring := rolloutFlag("expiring-flag", 25)
	expiring.Expires = benchNow.Add(-time.Hour)
	add(expiring, false)
	scheduled := rolloutFlag("scheduled-flag", 25)
	scheduled.Schedule = []ScheduleStep{{At: benchNow.Add(-time.Hour), Enabled: true}}
	add(scheduled, false)
	add(plainBoolFlag("plain-bool-flag"), false)
	rs := mustLoadDoc(t, doc)

	clock := func() time.Time { return benchNow }
	for _, key := range rs.FlagKeys() {
		f := rs.table.get(key)
		if got := f.split != nil; got != want[key] {
			t.Errorf("%s: has split results = %v, want %v", key, got, want[key])
		}
		// The reference: the same flag without split results, which picks
		// and fills.
		ref := *f
		ref.split = nil
		for i := range 2000 {
			attrs := map[string]any{"country": []string{"US", "NL", "JP"}[i%3], "orders": i % 20}
			switch i % 3 {
			case 1:
				attrs["account"] = fmt.Sprintf("acct-%d", i/7)
			case 2:
				attrs["account"] = i / 5
			}
			c := NewContext(fmt.Sprintf("user-%d", i), attrs)
			if i == 0 {
				c = nil
			}
			var want Detail
			if ref.static != nil {
				want = *ref.static
			} else {
				ref.evaluate(&want, c, benchNow)
			}
			for name, got := range map[string]Detail{
				"Evaluate":          rs.Evaluate(key, c, benchNow),
				"EvaluateType":      rs.EvaluateType(key, f.typ, c, benchNow),
				"EvaluateTypeClock": rs.EvaluateTypeClock(key, f.typ, c, clock),
			} {
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: %s(%v) = %+v, picking gives %+v", key, name, c, got, want)
				}
			}
		}
	}
}
