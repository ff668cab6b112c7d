package diff

import (
	"fmt"
	"strings"

	"github.com/cairnflags/cairn/ruleset"
)

// compareSegment lists the fields that differ between two versions of a
// segment; key lists are summarized by what was added and removed.
func compareSegment(a, b ruleset.Segment) []FieldChange {
	var out []FieldChange
	if fc, ok := compareKeys("included", a.Included, b.Included); ok {
		out = append(out, fc)
	}
	if fc, ok := compareKeys("excluded", a.Excluded, b.Excluded); ok {
		out = append(out, fc)
	}
	if ra, rb := jsonString(a.Rules), jsonString(b.Rules); ra != rb {
		out = append(out, FieldChange{Field: "rules", Before: fmt.Sprintf("%d rules", len(a.Rules)), After: fmt.Sprintf("%d rules", len(b.Rules))})
		if len(a.Rules) == len(b.Rules) {
			out[len(out)-1].After += " (conditions changed)"
		}
	}
	if a.Description != b.Description {
		out = append(out, FieldChange{Field: "description", Before: a.Description, After: b.Description})
	}
	return out
}

func compareKeys(field string, a, b []string) (FieldChange, bool) {
	inA := map[string]bool{}
	for _, k := range a {
		inA[k] = true
	}
	inB := map[string]bool{}
	for _, k := range b {
		inB[k] = true
	}
	var added, removed []string
	for _, k := range b {
		if !inA[k] {
			added = append(added, k)
		}
	}
	for _, k := range a {
		if !inB[k] {
			removed = append(removed, k)
		}
	}
	if len(added) == 0 && len(removed) == 0 {
		return FieldChange{}, false
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ","))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ","))
	}
	return FieldChange{Field: field, Before: fmt.Sprintf("%d keys", len(a)), After: fmt.Sprintf("%d keys (%s)", len(b), strings.Join(parts, "; "))}, true
}
