package sdk

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/cairnflags/cairn/ruleset"
)

// changedFlags lists the flags whose evaluation may differ between old
// (nil for none) and next: added, removed, redefined, or using a segment
// that was. Each is compared by its canonical JSON, so reordered map keys
// in the file do not count as changes.
func changedFlags(old, next *ruleset.Document) []string {
	if old == nil {
		old = &ruleset.Document{}
	}
	segs := map[string]bool{}
	for key := range union(old.Segments, next.Segments) {
		a, inOld := old.Segments[key]
		b, inNew := next.Segments[key]
		if inOld != inNew || !sameJSON(a, b) {
			segs[key] = true
		}
	}
	var out []string
	for key := range union(old.Flags, next.Flags) {
		a, inOld := old.Flags[key]
		b, inNew := next.Flags[key]
		if inOld != inNew || !sameJSON(a, b) || usesSegment(&b, segs) {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

func union[V any](a, b map[string]V) map[string]struct{} {
	keys := make(map[string]struct{}, len(b))
	for k := range a {
		keys[k] = struct{}{}
	}
	for k := range b {
		keys[k] = struct{}{}
	}
	return keys
}

func sameJSON(a, b any) bool {
	aj, errA := json.Marshal(a)
	bj, errB := json.Marshal(b)
	// A value that can't be encoded can't be compared: call it changed.
	return errA == nil && errB == nil && bytes.Equal(aj, bj)
}

func usesSegment(f *ruleset.Flag, changed map[string]bool) bool {
	if len(changed) == 0 {
		return false
	}
	for _, r := range f.Rules {
		for _, cond := range r.Conditions {
			if cond.Op != ruleset.OpInSegment && cond.Op != ruleset.OpNotInSegment {
				continue
			}
			for _, v := range cond.Values {
				if s, ok := v.(string); ok && changed[s] {
					return true
				}
			}
		}
	}
	return false
}
