package ruleset

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// flagEntry is what a Ruleset keeps of one flag's wire form.
type flagEntry struct {
	key string
	// print is the wire Flag's fingerprint (see fingerprint.go); 0 for a
	// quarantined flag, which counts as absent, as it was from the
	// Document.
	print uint64
	info  *flagInfo // nil when the flag has no owner, expiry or segment
}

// flagInfo is the rest of a flag's wire form that a Ruleset keeps: what
// the SDK logs about an expired flag, and which segments the flag uses.
type flagInfo struct {
	owner    string
	expires  time.Time
	segments []string // the segments its conditions name, sorted
}

// segmentEntry is what a Ruleset keeps of one segment's wire form.
type segmentEntry struct {
	key   string
	print uint64 // the wire Segment's fingerprint, never 0
}

// newFlagInfo gathers what f's entry keeps beside its fingerprint; nil
// when there is nothing to keep, as for most flags.
func newFlagInfo(f *Flag) *flagInfo {
	var segs []string
	for i := range f.Rules {
		for _, c := range f.Rules[i].Conditions {
			if c.Op != OpInSegment && c.Op != OpNotInSegment {
				continue
			}
			for _, v := range c.Values {
				if s, ok := v.(string); ok && !slices.Contains(segs, s) {
					segs = append(segs, s)
				}
			}
		}
	}
	if f.Owner == "" && f.Expires.IsZero() && segs == nil {
		return nil
	}
	sort.Strings(segs)
	return &flagInfo{owner: f.Owner, expires: f.Expires, segments: segs}
}

// FlagMeta is what a flag says about itself for people rather than for
// evaluation.
type FlagMeta struct {
	// Owner is who to ask about the flag.
	Owner string
	// Expires is when the flag should be gone from the code; zero for
	// never.
	Expires time.Time
}

// FlagMeta returns a flag's owner and expiry date, for messages such as
// the SDK's warning that an evaluated flag has expired. It reports false
// when there is no such flag or it is quarantined.
func (rs *Ruleset) FlagMeta(key string) (FlagMeta, bool) {
	e := rs.entry(key)
	if e == nil || e.print == 0 {
		return FlagMeta{}, false
	}
	if e.info == nil {
		return FlagMeta{}, true
	}
	return FlagMeta{Owner: e.info.owner, Expires: e.info.expires}, true
}

// entry finds a flag's entry, or nil.
func (rs *Ruleset) entry(key string) *flagEntry {
	i, ok := slices.BinarySearchFunc(rs.entries, key, func(e flagEntry, k string) int { return strings.Compare(e.key, k) })
	if !ok {
		return nil
	}
	return &rs.entries[i]
}

// SameContent reports whether rs and other hold the same ruleset: the same
// header (schema, environment, version, publish time, source) and the same
// flags and segments, each compared by its canonical JSON (Marshal) through
// its fingerprint, so that the same content in other bytes (formatting,
// member order) is the same. Quarantined flags and segments this version
// does not understand are left out of the comparison, as they were left out
// of the Document. A client uses it to tell a harmless re-encoding of the
// version it has from a conflicting one. A false "same" would take a 64-bit
// hash collision.
func (rs *Ruleset) SameContent(other *Ruleset) bool {
	if rs == nil || other == nil {
		return rs == other
	}
	if rs.header != other.header || rs.schema != other.schema || rs.environment != other.environment || rs.version != other.version {
		return false
	}
	if !slices.Equal(rs.segments, other.segments) {
		return false
	}
	a, b := rs.entries, other.entries
	for {
		a, b = skipAbsent(a), skipAbsent(b)
		if len(a) == 0 || len(b) == 0 {
			return len(a) == len(b)
		}
		if a[0].key != b[0].key || a[0].print != b[0].print {
			return false
		}
		a, b = a[1:], b[1:]
	}
}

// skipAbsent drops the quarantined flags at the start of entries.
func skipAbsent(entries []flagEntry) []flagEntry {
	for len(entries) > 0 && entries[0].print == 0 {
		entries = entries[1:]
	}
	return entries
}

// ChangedFlags lists, sorted, the flags whose evaluation may differ between
// old and rs, for change listeners: flags added, removed or redefined
// (compared by canonical JSON, so reformatting and member order don't
// count), and flags that use a segment that was added, removed or
// redefined. A nil old stands for an empty ruleset: every flag is new.
// Quarantined flags count as absent, so a flag that becomes quarantined is
// removed and one that stops being so is added. The result is nil when
// nothing changed.
func (rs *Ruleset) ChangedFlags(old *Ruleset) []string {
	var oldFlags []flagEntry
	var oldSegs []segmentEntry
	if old != nil {
		oldFlags, oldSegs = old.entries, old.segments
	}
	changedSegs := changedSegments(oldSegs, rs.segments)
	var out []string
	a, b := oldFlags, rs.entries
	for {
		a, b = skipAbsent(a), skipAbsent(b)
		switch {
		case len(a) == 0 && len(b) == 0:
			return out
		case len(b) == 0 || len(a) > 0 && a[0].key < b[0].key:
			out = append(out, a[0].key) // removed
			a = a[1:]
		case len(a) == 0 || b[0].key < a[0].key:
			out = append(out, b[0].key) // added
			b = b[1:]
		default:
			if a[0].print != b[0].print || b[0].usesAny(changedSegs) {
				out = append(out, b[0].key)
			}
			a, b = a[1:], b[1:]
		}
	}
}

// changedSegments returns the keys of the segments added, removed or
// redefined between old and next (both sorted), or nil for none.
func changedSegments(old, next []segmentEntry) map[string]bool {
	var changed map[string]bool
	mark := func(key string) {
		if changed == nil {
			changed = map[string]bool{}
		}
		changed[key] = true
	}
	for len(old) > 0 || len(next) > 0 {
		switch {
		case len(next) == 0 || len(old) > 0 && old[0].key < next[0].key:
			mark(old[0].key)
			old = old[1:]
		case len(old) == 0 || next[0].key < old[0].key:
			mark(next[0].key)
			next = next[1:]
		default:
			if old[0].print != next[0].print {
				mark(next[0].key)
			}
			old, next = old[1:], next[1:]
		}
	}
	return changed
}

// usesAny reports whether the flag's conditions name one of segs.
func (e *flagEntry) usesAny(segs map[string]bool) bool {
	if len(segs) == 0 || e.info == nil {
		return false
	}
	for _, s := range e.info.segments {
		if segs[s] {
			return true
		}
	}
	return false
}
