package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// Shift is the users a changed serve moves from one variation to another,
// counted in buckets out of ruleset.Buckets. It is exact: a user's bucket
// does not depend on the ruleset, only on the flag's salt and bucketing
// attribute, so the users who change variation are those whose bucket now
// lies in a range of another variation.
type Shift struct {
	// Moved is the number of buckets whose variation changes.
	Moved int
	// Moves splits Moved by (From, To), sorted by From then To.
	Moves []Move
}

// Move is the buckets that go from one variation to another.
type Move struct {
	From, To string
	Buckets  int
}

// Percent is the share of the serve's users that changes variation.
func (s Shift) Percent() float64 { return float64(s.Moved) * 100 / ruleset.Buckets }

// String renders the shift, e.g. "moves 10.00% of users from off to on" or
// "moves 33.33% of users: 16.67% from b to a, 16.66% from b to c".
func (s Shift) String() string {
	switch len(s.Moves) {
	case 0:
		return "moves no users"
	case 1:
		return s.Moves[0].String()
	}
	parts := make([]string, len(s.Moves))
	for i, m := range s.Moves {
		parts[i] = fmt.Sprintf("%s from %s to %s", percent(m.Buckets), m.From, m.To)
	}
	return fmt.Sprintf("moves %s of users: %s", percent(s.Moved), strings.Join(parts, ", "))
}

// String renders the move, e.g. "moves 10.00% of users from off to on".
func (m Move) String() string {
	return fmt.Sprintf("moves %s of users from %s to %s", percent(m.Buckets), m.From, m.To)
}

// percent renders buckets as an exact percentage: 1 bucket is 0.01%.
func percent(buckets int) string {
	return fmt.Sprintf("%d.%02d%%", buckets/100, buckets%100)
}

// span is the buckets below end (and at or above the previous span's end)
// that get variation.
type span struct {
	end       int
	variation string
}

// ranges lays a serve out on the buckets the way evaluation does: a single
// variation holds them all; a split's ranges follow the order in which the
// flag lists its variations, not the split's order; a progressive rollout's
// variation holds the low buckets up to its weight at now.
func ranges(f ruleset.Flag, s ruleset.Serve, now time.Time) []span {
	switch {
	case s.Progressive != nil:
		w := progressiveWeight(s.Progressive, now)
		return compact([]span{{w, s.Progressive.Variation}, {ruleset.Buckets, s.Progressive.Rest}})
	case len(s.Split) > 0:
		weight := map[string]int{}
		for _, w := range s.Split {
			weight[w.Variation] += w.Weight
		}
		var out []span
		end := 0
		for _, v := range f.Variations {
			if weight[v.Key] > 0 {
				end += weight[v.Key]
				out = append(out, span{end, v.Key})
			}
		}
		return compact(out)
	}
	return []span{{ruleset.Buckets, s.Variation}}
}

// progressiveWeight is the ramped variation's share at now, in buckets, as
// evaluation computes it: linear in milliseconds from FromWeight at Start to
// ToWeight at End, truncated, flat outside.
func progressiveWeight(p *ruleset.Progressive, now time.Time) int {
	ms, start, end := now.UnixMilli(), p.Start.UnixMilli(), p.End.UnixMilli()
	switch {
	case ms <= start:
		return p.FromWeight
	case ms >= end:
		return p.ToWeight
	}
	return p.FromWeight + int(int64(p.ToWeight-p.FromWeight)*(ms-start)/(end-start))
}

// compact drops empty spans, clamps to the bucket space and merges
// neighbours with the same variation.
func compact(in []span) []span {
	var out []span
	prev := 0
	for _, s := range in {
		s.end = min(max(s.end, 0), ruleset.Buckets)
		if s.end <= prev {
			continue
		}
		if n := len(out); n > 0 && out[n-1].variation == s.variation {
			out[n-1].end = s.end
		} else {
			out = append(out, s)
		}
		prev = s.end
	}
	return out
}

// compareRanges walks both layouts together and counts the buckets whose
// variation differs.
func compareRanges(a, b []span) Shift {
	moved := map[[2]string]int{}
	i, j, pos := 0, 0, 0
	for i < len(a) && j < len(b) {
		end := min(a[i].end, b[j].end)
		if a[i].variation != b[j].variation {
			moved[[2]string{a[i].variation, b[j].variation}] += end - pos
		}
		pos = end
		if a[i].end == end {
			i++
		}
		if b[j].end == end {
			j++
		}
	}
	var s Shift
	for k, n := range moved {
		s.Moved += n
		s.Moves = append(s.Moves, Move{From: k[0], To: k[1], Buckets: n})
	}
	slices.SortFunc(s.Moves, func(x, y Move) int {
		return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To))
	})
	return s
}
