// Package diff compares two rulesets flag by flag and field by field, and
// says for every changed serve exactly which share of users changes
// variation, from the bucket ranges that evaluation uses.
package diff

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// Kind says whether a flag or segment was added, removed or changed.
type Kind string

// Kinds of change.
const (
	Added   Kind = "added"
	Removed Kind = "removed"
	Changed Kind = "changed"
)

// Report is everything that differs between two rulesets.
type Report struct {
	// From and To are the versions compared.
	From, To int64
	// Flags and Segments are sorted by key.
	Flags    []FlagChange
	Segments []SegmentChange
}

// Empty reports whether the rulesets serve the same flags and segments.
func (r Report) Empty() bool { return len(r.Flags) == 0 && len(r.Segments) == 0 }

// FlagChange is one flag that differs.
type FlagChange struct {
	Key  string
	Kind Kind
	// Fields lists what changed, for Kind Changed.
	Fields []FieldChange
}

// FieldChange is one field of a flag or segment that differs, rendered for
// people.
type FieldChange struct {
	// Field names it: "enabled", "default", "rules[1].serve", "variations"…
	Field         string
	Before, After string
	// Shift says which users change variation, for a changed serve whose
	// buckets are comparable (same salt and bucketing attribute); nil
	// otherwise.
	Shift *Shift
}

// SegmentChange is one segment that differs.
type SegmentChange struct {
	Key    string
	Kind   Kind
	Fields []FieldChange
}

// Compare returns what changed from a to b. now decides the current share
// of progressive rollouts. Either document may be nil, meaning empty.
func Compare(a, b *ruleset.Document, now time.Time) Report {
	a, b = orEmpty(a), orEmpty(b)
	r := Report{From: a.Version, To: b.Version}
	eachChange(a.Flags, b.Flags, func(fa, fb ruleset.Flag) []FieldChange { return compareFlag(fa, fb, now) },
		func(k string, kind Kind, fields []FieldChange) {
			r.Flags = append(r.Flags, FlagChange{Key: k, Kind: kind, Fields: fields})
		})
	eachChange(a.Segments, b.Segments, compareSegment, func(k string, kind Kind, fields []FieldChange) {
		r.Segments = append(r.Segments, SegmentChange{Key: k, Kind: kind, Fields: fields})
	})
	return r
}

// String renders the report one change per line: "+" added, "-" removed,
// "~" changed.
func (r Report) String() string {
	var b strings.Builder
	sign := map[Kind]string{Added: "+", Removed: "-", Changed: "~"}
	for _, f := range r.Flags {
		writeChange(&b, sign[f.Kind], "flag", f.Key, f.Fields)
	}
	for _, s := range r.Segments {
		writeChange(&b, sign[s.Kind], "segment", s.Key, s.Fields)
	}
	return b.String()
}

func writeChange(b *strings.Builder, sign, what, key string, fields []FieldChange) {
	if len(fields) == 0 {
		fmt.Fprintf(b, "%s %s %s\n", sign, what, key)
		return
	}
	for _, fc := range fields {
		fmt.Fprintf(b, "%s %s %s: %s: %s -> %s", sign, what, key, fc.Field, fc.Before, fc.After)
		if fc.Shift != nil {
			fmt.Fprintf(b, ": %s", fc.Shift)
		}
		b.WriteByte('\n')
	}
}

func orEmpty(d *ruleset.Document) *ruleset.Document {
	if d == nil {
		return &ruleset.Document{}
	}
	return d
}

// eachChange calls report, in key order, for every key added to, removed
// from or changed between a and b; compare lists a changed entry's fields.
func eachChange[V any](a, b map[string]V, compare func(V, V) []FieldChange, report func(key string, kind Kind, fields []FieldChange)) {
	for _, k := range unionKeys(a, b) {
		va, inA := a[k]
		vb, inB := b[k]
		switch {
		case !inA:
			report(k, Added, nil)
		case !inB:
			report(k, Removed, nil)
		default:
			if fields := compare(va, vb); len(fields) > 0 {
				report(k, Changed, fields)
			}
		}
	}
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
