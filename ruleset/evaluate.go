package ruleset

import (
	"time"
)

// Evaluate decides flagKey for context c at instant now. It is pure: no I/O,
// no clock, no locks, and no allocation. A nil c is an anonymous context with
// an empty key. A missing flag gives ReasonFlagNotFound and a quarantined one
// ReasonError; in both cases Value is nil and the caller serves its default.
func (rs *Ruleset) Evaluate(flagKey string, c *Context, now time.Time) (d Detail) {
	if rs == nil {
		return failed(ReasonError, ErrNoRuleset)
	}
	var f *flag
	if wordKey(flagKey) && len(rs.table.slots) != 0 {
		f = rs.table.getWords(flagKey)
	} else {
		f = rs.table.getAny(flagKey)
	}
	if f == nil {
		return failed(ReasonFlagNotFound, ErrFlagNotFound)
	}
	if f.static != nil {
		return *f.static
	}
	if f.split != nil {
		return *f.split.at(bucketOf(f, orEmpty(c)))
	}
	// Filling the named result in place saves copying the Detail twice.
	f.evaluate(&d, c, now)
	return d
}

// EvaluateType is Evaluate for a caller that expects a given type: when the
// flag's type differs it returns ReasonTypeMismatch with no value.
// TypeNumber serves integer and floating-point callers alike.
func (rs *Ruleset) EvaluateType(flagKey string, want FlagType, c *Context, now time.Time) (d Detail) {
	f := rs.find(flagKey, want)
	if f.static != nil {
		return *f.static
	}
	if f.split != nil {
		return *f.split.at(bucketOf(f, orEmpty(c)))
	}
	f.evaluate(&d, c, now)
	return d
}

// EvaluateTypeClock is EvaluateType that reads the time from clock, and
// only for the flags whose result can depend on it (a schedule, a
// progressive rollout or an expiry date). Reading the clock costs as much
// as evaluating a plain flag, so an SDK on the hot path should use this.
func (rs *Ruleset) EvaluateTypeClock(flagKey string, want FlagType, c *Context, clock func() time.Time) (d Detail) {
	f := rs.find(flagKey, want)
	if f.static != nil {
		return *f.static
	}
	if f.split != nil {
		return *f.split.at(bucketOf(f, orEmpty(c)))
	}
	var now time.Time
	if f.needsTime {
		now = clock()
	}
	f.evaluate(&d, c, now)
	return d
}

// find looks a flag up for a typed evaluation. When it can't be evaluated
// it returns a stand-in whose static result says why, so that callers
// branch once and don't build a failure Detail they won't return.
func (rs *Ruleset) find(flagKey string, want FlagType) *flag {
	if rs == nil {
		return &noRuleset
	}
	var f *flag
	if wordKey(flagKey) && len(rs.table.slots) != 0 {
		f = rs.table.getWords(flagKey)
	} else {
		f = rs.table.getAny(flagKey)
	}
	if f == nil {
		return &flagNotFound
	}
	if f.quarantine == nil && f.typ != want {
		return &typeMismatch
	}
	return f
}

// The stand-ins find returns, each with its answer as the static result.
// They are never modified.
var (
	noRuleset    = flag{static: ptr(failed(ReasonError, ErrNoRuleset))}
	flagNotFound = flag{static: ptr(failed(ReasonFlagNotFound, ErrFlagNotFound))}
	typeMismatch = flag{static: ptr(failed(ReasonTypeMismatch, ErrTypeMismatch))}
)

func ptr[T any](v T) *T { return &v }

// evaluate fills d, which must be zero.
func (f *flag) evaluate(d *Detail, c *Context, now time.Time) {
	on := f.enabled
	if !f.plain {
		var done bool
		if on, done = f.state(d, now); done {
			return
		}
	}
	if !on {
		d.fill(f, f.off, ReasonOff)
		d.RuleIndex = -1
		return
	}
	c = orEmpty(c)
	if i := firstMatch(f.rules, c); i >= 0 {
		r := &f.rules[i]
		// Most rules serve one variation: that costs no call.
		idx, split := r.serve.variation, false
		if r.serve.kind != serveVariation {
			idx, split = r.serve.pick(f, c, now)
		}
		d.fill(f, idx, ReasonTargetMatch)
		d.RuleIndex = i
		d.RuleName = r.name
		d.InSplit = split
		return
	}
	idx, split := f.def.pick(f, c, now)
	reason := ReasonDefault
	if split {
		reason = ReasonSplit
	}
	d.fill(f, idx, reason)
	d.RuleIndex = -1
	d.InSplit = split
}

// firstMatch returns the index of the first rule whose conditions c meets,
// or -1. It is apart from evaluate so that the loop around the condition
// calls keeps only what it needs in registers, where evaluate's would
// reload everything evaluate holds after each call.
func firstMatch(rules []rule, c *Context) int {
	for i := range rules {
		if matchAll(rules[i].conds, c) {
			return i
		}
	}
	return -1
}

// state handles what few flags have, apart from evaluate's common path: a
// quarantine (it fills d and reports done), an expiry date (it sets
// d.Expired) and a schedule. It reports whether the flag is on at now. It
// is correct for any flag, so a flag that prepare did not mark plain only
// takes the longer way.
func (f *flag) state(d *Detail, now time.Time) (on, done bool) {
	if f.quarantine != nil {
		*d = failed(ReasonError, f.quarantine)
		return false, true
	}
	if f.expires != 0 {
		d.Expired = now.UnixNano() >= f.expires
	}
	return f.enabledAt(now), false
}

// staticDetail precomputes the result of a flag whose answer can't depend on
// the context or the instant, so evaluating it is a lookup and a copy.
func (f *flag) staticDetail() *Detail {
	if f.quarantine != nil || f.expires != 0 || len(f.schedule) > 0 {
		return nil
	}
	// Decided before the Detail is made: made first, it was allocated for
	// every flag and dropped for most.
	var d Detail
	switch {
	case !f.enabled:
		d.fill(f, f.off, ReasonOff)
	case len(f.rules) == 0 && f.def.kind == serveVariation:
		d.fill(f, f.def.variation, ReasonDefault)
	default:
		return nil
	}
	d.RuleIndex = -1
	static := d // d itself stays on the stack: only this copy escapes
	return &static
}

// splitResults precomputes, for a flag whose answer is always its default
// split (on, plain, no rules), the result that each of the split's ranges
// gives, so that evaluating it is a bucket, a range search and one copy of
// a whole Detail. Nil for other flags: the results take 112 bytes per
// range, which flags with rules would pay for a smaller gain.
func (f *flag) splitResults() splitResults {
	if !f.plain || !f.enabled || len(f.rules) != 0 || f.def.kind != serveSplit || len(f.def.ranges) == 0 {
		return nil
	}
	rs := make(splitResults, len(f.def.ranges))
	for i, r := range f.def.ranges {
		rs[i] = splitResult{end: r.end, detail: Detail{RuleIndex: -1, InSplit: true}}
		rs[i].detail.fill(f, r.variation, ReasonSplit)
	}
	return rs
}

// at is the result for bucket b: the first range with b < end, as in pick.
// Weights add up to Buckets (Load checks), so the last range is the answer
// when no earlier one is, and the safe one if that were ever not so.
func (rs splitResults) at(b int) *Detail {
	last := len(rs) - 1
	for i := range rs[:last] {
		if b < rs[i].end {
			return &rs[i].detail
		}
	}
	return &rs[last].detail
}

// orEmpty is c, or the anonymous context for a nil one.
func orEmpty(c *Context) *Context {
	if c == nil {
		return &emptyContext
	}
	return c
}

// prepare precomputes what evaluation reads beyond the compiled flag. Load
// calls it once the flag has compiled without problems.
func (f *flag) prepare() {
	f.plain = f.quarantine == nil && f.expires == 0 && len(f.schedule) == 0
	f.split = f.splitResults()
	if f.bucketing() {
		f.saltPad = padSalt(f.salt)
	}
	for i := range f.rules {
		prepareConditions(f.rules[i].conds)
	}
}

// prepareConditions sets the attrIDs of conditions. Segments, which flags
// share and may compile concurrently, are prepared once, by prepare.
func prepareConditions(conds []condition) {
	for i := range conds {
		cd := &conds[i]
		if cd.attr != "" && cd.attr != KeyAttribute && len(cd.attr) <= 16 {
			cd.id = makeAttrID(cd.attr)
		}
	}
}

// prepare precomputes what evaluating the segment's conditions reads.
func (s *segment) prepare() {
	for _, conds := range s.rules {
		prepareConditions(conds)
	}
}

// bucketing reports whether any of the flag's serves buckets.
func (f *flag) bucketing() bool {
	if f.def.kind != serveVariation {
		return true
	}
	for i := range f.rules {
		if f.rules[i].serve.kind != serveVariation {
			return true
		}
	}
	return false
}

// emptyContext stands in for a nil *Context. It is never modified.
var emptyContext = Context{keyVal: stringValue("")}

func (d *Detail) fill(f *flag, idx int, reason Reason) {
	v := &f.variations[idx]
	d.Value = v.value
	d.VariationKey = v.key
	d.VariationIndex = idx
	d.Reason = reason
}

func (f *flag) enabledAt(now time.Time) bool {
	if len(f.schedule) == 0 {
		return f.enabled
	}
	t := now.UnixNano()
	on := f.enabled
	for _, s := range f.schedule {
		if s.at > t {
			break
		}
		on = s.enabled
	}
	return on
}

// pick returns the variation index to serve and whether bucketing chose it.
func (s *serve) pick(f *flag, c *Context, now time.Time) (int, bool) {
	switch s.kind {
	case serveSplit:
		b := bucketOf(f, c)
		for _, r := range s.ranges {
			if b < r.end {
				return r.variation, true
			}
		}
		// Weights add up to Buckets (Load checks), so this is unreachable;
		// the last range is the safe answer if it ever isn't.
		return s.ranges[len(s.ranges)-1].variation, true
	case serveProgressive:
		if bucketOf(f, c) < s.prog.weightAt(now) {
			return s.prog.variation, true
		}
		return s.prog.rest, true
	}
	return s.variation, false
}

// weightAt is the ramped variation's share, in buckets, at now: linear from
// from at start to to at end, flat outside.
func (p *progressive) weightAt(now time.Time) int {
	ms := now.UnixMilli()
	switch {
	case ms <= p.start:
		return p.from
	case ms >= p.end:
		return p.to
	}
	return p.from + int(int64(p.to-p.from)*(ms-p.start)/(p.end-p.start))
}
