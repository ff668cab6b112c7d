package diff

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// compareFlag lists the fields that differ between two versions of a flag.
func compareFlag(a, b ruleset.Flag, now time.Time) []FieldChange {
	var out []FieldChange
	add := func(field, before, after string) {
		if before != after {
			out = append(out, FieldChange{Field: field, Before: before, After: after})
		}
	}
	add("type", string(a.Type), string(b.Type))
	add("variations", describeVariations(a.Variations), describeVariations(b.Variations))
	add("enabled", fmt.Sprint(a.Enabled), fmt.Sprint(b.Enabled))
	add("schedule", describeSchedule(a.Schedule), describeSchedule(b.Schedule))
	add("off_variation", a.OffVariation, b.OffVariation)
	add("salt", a.Salt, b.Salt)
	add("bucket_by", orTargetingKey(a.BucketBy), orTargetingKey(b.BucketBy))

	// Bucket ranges are only comparable when users land in the same buckets.
	sameBuckets := a.Salt == b.Salt && a.BucketBy == b.BucketBy
	if len(a.Rules) != len(b.Rules) {
		add("rules", fmt.Sprintf("%d rules", len(a.Rules)), fmt.Sprintf("%d rules", len(b.Rules)))
	}
	for i := range min(len(a.Rules), len(b.Rules)) {
		ra, rb := a.Rules[i], b.Rules[i]
		name := fmt.Sprintf("rules[%d]", i)
		if rb.Name != "" {
			name = fmt.Sprintf("rules[%d] (%s)", i, rb.Name)
		}
		add(name+".name", ra.Name, rb.Name)
		add(name+".conditions", jsonString(ra.Conditions), jsonString(rb.Conditions))
		if fc, ok := compareServe(name+".serve", a, b, ra.Serve, rb.Serve, sameBuckets, now); ok {
			out = append(out, fc)
		}
	}
	if fc, ok := compareServe("default", a, b, a.Default, b.Default, sameBuckets, now); ok {
		out = append(out, fc)
	}
	add("description", a.Description, b.Description)
	add("owner", a.Owner, b.Owner)
	add("tags", strings.Join(a.Tags, ","), strings.Join(b.Tags, ","))
	add("expires", describeTime(a.Expires), describeTime(b.Expires))
	return out
}

// compareServe reports a changed serve, with the users it moves. A serve
// whose words are equal can still move users when the flag reordered its
// variations, since split ranges follow that order.
func compareServe(field string, fa, fb ruleset.Flag, a, b ruleset.Serve, sameBuckets bool, now time.Time) (FieldChange, bool) {
	before, after := DescribeServe(a), DescribeServe(b)
	ra, rb := ranges(fa, a, now), ranges(fb, b, now)
	var shift *Shift
	if sameBuckets || (len(ra) == 1 && len(rb) == 1) {
		s := compareRanges(ra, rb)
		shift = &s
	}
	if before == after && (shift == nil || shift.Moved == 0) {
		return FieldChange{}, false
	}
	return FieldChange{Field: field, Before: before, After: after, Shift: shift}, true
}

// DescribeServe renders a serve compactly for people and audit records:
// "on", "split(off:9000,on:1000)", or
// "progressive(on 0->10000 from 2026-01-01T00:00:00Z to 2026-01-02T00:00:00Z, rest off)".
func DescribeServe(s ruleset.Serve) string {
	switch {
	case s.Progressive != nil:
		p := s.Progressive
		return fmt.Sprintf("progressive(%s %d->%d from %s to %s, rest %s)", p.Variation, p.FromWeight, p.ToWeight,
			describeTime(p.Start), describeTime(p.End), p.Rest)
	case len(s.Split) > 0:
		parts := make([]string, len(s.Split))
		for i, w := range s.Split {
			parts[i] = fmt.Sprintf("%s:%d", w.Variation, w.Weight)
		}
		return "split(" + strings.Join(parts, ",") + ")"
	}
	return s.Variation
}

func describeVariations(vs []ruleset.Variation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Key + "=" + compactJSON(v.Value)
	}
	return strings.Join(parts, ", ")
}

func describeSchedule(steps []ruleset.ScheduleStep) string {
	if len(steps) == 0 {
		return "none"
	}
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s at %s", map[bool]string{true: "on", false: "off"}[s.Enabled], describeTime(s.At))
	}
	return strings.Join(parts, ", ")
}

func describeTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

func orTargetingKey(attr string) string {
	if attr == "" {
		return "targeting key"
	}
	return attr
}

func compactJSON(raw json.RawMessage) string {
	b, err := json.Marshal(raw)
	if err != nil {
		return string(raw)
	}
	return string(b)
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
