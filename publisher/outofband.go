package publisher

import (
	"cmp"
	"slices"

	"github.com/cairnflags/cairn/ruleset"
)

// reconcileOutOfBand compares a publish from git (next) with the out-of-band
// edits recorded in the current ruleset. A flag whose value in git equals
// its published value is caught up: its records are cleared. A flag git
// would change undoes an edit: that is an *OutOfBandError unless overwrite.
func reconcileOutOfBand(env string, cur, next *ruleset.Document, overwrite bool) (cleared, undone []string, err error) {
	byFlag := map[string][]ruleset.OutOfBandEdit{}
	for _, e := range cur.Source.OutOfBand {
		byFlag[e.Flag] = append(byFlag[e.Flag], e)
	}
	var undoneEdits []ruleset.OutOfBandEdit
	for flag, edits := range byFlag {
		if sameFlag(cur, next, flag) {
			cleared = append(cleared, flag)
			continue
		}
		undone = append(undone, flag)
		undoneEdits = append(undoneEdits, edits...)
	}
	slices.Sort(cleared)
	slices.Sort(undone)
	if len(undone) > 0 && !overwrite {
		slices.SortFunc(undoneEdits, func(a, b ruleset.OutOfBandEdit) int {
			return cmp.Compare(a.Version, b.Version)
		})
		return nil, nil, &OutOfBandError{Environment: env, Flags: undone, Edits: undoneEdits}
	}
	return cleared, undone, nil
}

// sameFlag reports whether flag key is the same in a and b, absent from
// both counting as the same.
func sameFlag(a, b *ruleset.Document, key string) bool {
	fa, inA := a.Flags[key]
	fb, inB := b.Flags[key]
	if inA != inB {
		return false
	}
	return !inA || sameJSON(fa, fb)
}

// sameFlagsAndSegments reports whether two documents serve the same flags
// and segments.
func sameFlagsAndSegments(a, b *ruleset.Document) bool {
	return sameJSON(orEmpty(a.Flags), orEmpty(b.Flags)) && sameJSON(orEmpty(a.Segments), orEmpty(b.Segments))
}

func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}
