package ruleset

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestSplitDetailMatchesEvaluate checks the precomputed results of flags
// whose answer is their default split against the general path (evaluate),
// through every entry point, for many keys and splits of two or more ranges,
// zero weights, bucket_by and non-boolean flags.
func TestSplitDetailMatchesEvaluate(t *testing.T) {
	three := []Variation{{Key: "a", Value: json.RawMessage(`"A"`)}, {Key: "b", Value: json.RawMessage(`"B"`)}, {Key: "c", Value: json.RawMessage(`"C"`)}}
	doc := benchDoc()
	add := func(f Flag) { doc.Flags[f.Key] = f }
	for _, pct := range []int{0, 1, 25, 50, 99, 100} {
		add(rolloutFlag(fmt.Sprintf("rollout-%03d", pct), pct))
	}
	for i, w := range [][3]int{{3334, 3333, 3333}, {0, 5000, 5000}, {1, 0, 9999}, {0, 0, Buckets}} {
		add(Flag{Key: fmt.Sprintf("three-way-%d", i), Type: TypeString, Variations: three, Enabled: true, OffVariation: "a", Salt: fmt.Sprintf("s%d", i),
			Default: Serve{Split: []Weighted{{Variation: "c", Weight: w[2]}, {Variation: "a", Weight: w[0]}, {Variation: "b", Weight: w[1]}}}})
	}
	byAccount := rolloutFlag("by-account-flag", 40)
	byAccount.BucketBy = "account"
	add(byAccount)
	long := rolloutFlag("a-flag-key-longer-than-sixteen-bytes", 30)
	long.Salt = "a salt that is much longer than the forty-eight bytes bucketOf pads"
	add(long)
	rs := mustLoadDoc(t, doc)

	split := 0
	for key, f := range rs.flags {
		if f.split == nil {
			t.Errorf("%s: no precomputed split results", key)
			continue
		}
		split++
		for i := range 2000 {
			var attrs map[string]any
			switch i % 3 {
			case 1:
				attrs = map[string]any{"account": fmt.Sprintf("acct-%d", i/7)}
			case 2:
				attrs = map[string]any{"account": i / 5}
			}
			c := NewContext(fmt.Sprintf("user-%d", i), attrs)
			if i == 0 {
				c = nil
			}
			var want Detail
			f.evaluate(&want, c, benchNow)
			clock := func() time.Time { return benchNow }
			for name, got := range map[string]Detail{
				"Evaluate":          rs.Evaluate(key, c, benchNow),
				"EvaluateType":      rs.EvaluateType(key, f.typ, c, benchNow),
				"EvaluateTypeClock": rs.EvaluateTypeClock(key, f.typ, c, clock),
			} {
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: %s(%v) = %+v, evaluate gives %+v", key, name, c, got, want)
				}
			}
		}
	}
	if split != len(doc.Flags) {
		t.Errorf("%d of %d flags have split results", split, len(doc.Flags))
	}

	// Flags whose answer is not always the default split keep the general
	// path.
	for _, f := range []Flag{threeRuleFlag("with-rules-flag"), func() Flag {
		f := rolloutFlag("switched-off", 25)
		f.Enabled = false
		return f
	}(), func() Flag {
		f := rolloutFlag("expiring-flag", 25)
		f.Expires = benchNow.Add(time.Hour)
		return f
	}(), func() Flag {
		f := rolloutFlag("scheduled-flag", 25)
		f.Schedule = []ScheduleStep{{At: benchNow, Enabled: false}}
		return f
	}()} {
		rs := mustLoadDoc(t, benchDoc(f))
		if rs.flags[f.Key].split != nil {
			t.Errorf("%s: has split results", f.Key)
		}
	}
}
