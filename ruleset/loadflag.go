package ruleset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
)

// Up to this many operands, a linear scan beats a map lookup.
const maxLinearOperands = 8

// compileFlag checks one flag and builds its query-ready form. It returns an
// error only to quarantine the flag (content newer than this package); other
// problems are recorded on the loader and give a nil flag.
func (l *loader) compileFlag(path func() string, key string, f *Flag) (*flag, error) {
	before := len(l.problems)
	if f.Key != key {
		l.addf(path()+".key", "key %q differs from the map key %q", f.Key, key)
	}
	switch f.Type {
	case TypeBoolean, TypeString, TypeNumber, TypeJSON:
	default:
		return nil, fmt.Errorf("%w: flag type %q", errUnknown, f.Type)
	}
	// Field by field: the slab's flag is zeroed already, and assigning a
	// whole flag literal copied all of it with write barriers.
	cf := l.flagSlab.new()
	cf.key, cf.typ, cf.enabled, cf.salt, cf.bucketBy = key, f.Type, f.Enabled, f.Salt, f.BucketBy
	if cf.salt == "" {
		cf.salt = key
	}
	if !f.Expires.IsZero() {
		cf.expires = f.Expires.UnixNano()
	}
	index := make(map[string]int, len(f.Variations))
	if len(f.Variations) == 0 {
		l.addf(path()+".variations", "a flag needs at least one variation")
	}
	cf.variations = l.variationSlab.make(len(f.Variations))[:0]
	for i, v := range f.Variations {
		// Paths are built only for problems: most flags have none, and
		// building them for every element showed in load profiles.
		if v.Key == "" {
			l.addf(elemPath(path()+".variations", i)+".key", "missing variation key")
		} else if _, dup := index[v.Key]; dup {
			l.addf(elemPath(path()+".variations", i)+".key", "duplicate variation %q", v.Key)
		}
		index[v.Key] = i
		val, err := decodeVariation(f.Type, v.Value)
		if err != nil {
			l.addf(elemPath(path()+".variations", i)+".value", "%v", err)
		}
		cf.variations = append(cf.variations, variation{key: v.Key, value: val})
	}
	vars := variationIndex{index: index, keys: f.Variations}
	cf.off = vars.lookup(l, path, ".off_variation", f.OffVariation)
	if len(f.Rules) > 0 {
		cf.rules = l.ruleSlab.make(len(f.Rules))[:0]
	}
	for i, r := range f.Rules {
		rpath := func() string { return elemPath(path()+".rules", i) }
		conds, err := l.compileConditions(rpath, r.Conditions, true)
		if err != nil {
			return nil, err
		}
		s, err := l.compileServe(func() string { return rpath() + ".serve" }, &r.Serve, vars)
		if err != nil {
			return nil, err
		}
		cf.rules = append(cf.rules, rule{name: r.Name, conds: conds, serve: s})
	}
	s, err := l.compileServe(func() string { return path() + ".default" }, &f.Default, vars)
	if err != nil {
		return nil, err
	}
	cf.def = s
	var last int64 = math.MinInt64
	for i, step := range f.Schedule {
		at := step.At.UnixNano()
		if at <= last {
			l.addf(fmt.Sprintf("%s.schedule[%d].at", path(), i), "schedule steps must be in strictly increasing time order")
		}
		last = at
		cf.schedule = append(cf.schedule, scheduleStep{at: at, enabled: step.Enabled})
	}
	if len(l.problems) > before {
		return nil, nil
	}
	cf.static = cf.staticDetail()
	cf.prepare()
	cf.needsTime = cf.expires != 0 || len(cf.schedule) > 0 || cf.def.kind == serveProgressive
	for _, r := range cf.rules {
		cf.needsTime = cf.needsTime || r.serve.kind == serveProgressive
	}
	return cf, nil
}

// variationIndex resolves variation names to indexes.
type variationIndex struct {
	index map[string]int
	keys  []Variation
}

// lookup resolves key; an unknown one is a problem at path() + field.
func (v variationIndex) lookup(l *loader, path func() string, field, key string) int {
	if i, ok := v.index[key]; ok {
		return i
	}
	have := make([]string, len(v.keys))
	for i, k := range v.keys {
		have[i] = k.Key
	}
	l.addf(path()+field, "unknown variation %q (have: %s)", key, joinNames(have))
	return 0
}

func joinNames(names []string) string {
	var b bytes.Buffer
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}

func decodeVariation(t FlagType, raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("missing value")
	}
	if v, ok := decodeVariationFast(t, raw); ok {
		return v, nil
	}
	switch t {
	case TypeBoolean:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, fmt.Errorf("value %s is not a boolean", raw)
		}
		return b, nil
	case TypeString:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("value %s is not a string", raw)
		}
		return s, nil
	case TypeNumber:
		var n float64
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, fmt.Errorf("value %s is not a number", raw)
		}
		return n, nil
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("value is not valid JSON")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, fmt.Errorf("value is not valid JSON: %w", err)
	}
	return json.RawMessage(compact.Bytes()), nil
}

// decodeVariationFast decodes the common values without json.Unmarshal,
// which was a fifth of compile time; it gives up (false) on anything where
// Unmarshal's leniency (null, escapes, invalid UTF-8) or errors would show.
func decodeVariationFast(t FlagType, raw json.RawMessage) (any, bool) {
	switch t {
	case TypeBoolean:
		switch string(raw) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case TypeString:
		n := len(raw)
		if n < 2 || raw[0] != '"' || raw[n-1] != '"' {
			return nil, false
		}
		for _, c := range raw[1 : n-1] {
			if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
				return nil, false
			}
		}
		return string(raw[1 : n-1]), true
	case TypeNumber:
		if c := raw[0]; c != '-' && (c < '0' || c > '9') {
			return nil, false
		}
		if !json.Valid(raw) {
			return nil, false
		}
		n, err := strconv.ParseFloat(string(raw), 64)
		return n, err == nil
	}
	return nil, false
}

func (l *loader) compileServe(path func() string, s *Serve, vars variationIndex) (serve, error) {
	n := 0
	if s.Variation != "" {
		n++
	}
	if len(s.Split) > 0 {
		n++
	}
	if s.Progressive != nil {
		n++
	}
	if n != 1 {
		l.addf(path(), "serve needs exactly one of variation, split or progressive")
		return serve{}, nil
	}
	switch {
	case s.Variation != "":
		return serve{kind: serveVariation, variation: vars.lookup(l, path, ".variation", s.Variation)}, nil
	case s.Progressive != nil:
		p := s.Progressive
		pp := path() + ".progressive"
		cp := progressive{
			variation: vars.lookup(l, path, ".progressive.variation", p.Variation),
			rest:      vars.lookup(l, path, ".progressive.rest", p.Rest),
			start:     p.Start.UnixMilli(), end: p.End.UnixMilli(),
			from: p.FromWeight, to: p.ToWeight,
		}
		if p.Variation == p.Rest {
			l.addf(pp+".rest", "rest must differ from the ramped variation %q", p.Variation)
		}
		if cp.end <= cp.start {
			l.addf(pp+".end", "end %s is not after start %s", p.End.Format(time.RFC3339), p.Start.Format(time.RFC3339))
		}
		for _, w := range []struct {
			name string
			v    int
		}{{"from_weight", p.FromWeight}, {"to_weight", p.ToWeight}} {
			if w.v < 0 || w.v > Buckets {
				l.addf(pp+"."+w.name, "weight %d is outside 0..%d", w.v, Buckets)
			}
		}
		return serve{kind: serveProgressive, prog: cp}, nil
	}
	// Lay the ranges out in variation order, whatever order the split lists
	// them in, so that raising a weight only ever adds users to it.
	// Small flags keep the scratch on the stack.
	var weightBuf [8]int
	var seenBuf [8]bool
	var weights []int
	var seen []bool
	if n := len(vars.keys); n <= len(weightBuf) {
		weights, seen = weightBuf[:n], seenBuf[:n]
	} else {
		weights, seen = make([]int, n), make([]bool, n)
	}
	total := 0
	for i, w := range s.Split {
		wpath := func() string { return elemPath(path()+".split", i) }
		idx, ok := vars.index[w.Variation]
		if !ok {
			vars.lookup(l, wpath, ".variation", w.Variation)
			continue
		}
		if seen[idx] {
			l.addf(wpath()+".variation", "variation %q appears twice in the split", w.Variation)
		}
		seen[idx] = true
		if w.Weight < 0 || w.Weight > Buckets {
			l.addf(wpath()+".weight", "weight %d is outside 0..%d", w.Weight, Buckets)
			continue
		}
		weights[idx] = w.Weight
		total += w.Weight
	}
	if total != Buckets {
		l.addf(path()+".split", "weights add up to %d, not %d (100%%)", total, Buckets)
	}
	out := serve{kind: serveSplit}
	nonzero := 0
	for _, w := range weights {
		if w != 0 {
			nonzero++
		}
	}
	out.ranges = make([]bucketRange, 0, max(nonzero, 1))
	end := 0
	for idx, w := range weights {
		if w == 0 {
			continue
		}
		end += w
		out.ranges = append(out.ranges, bucketRange{end: end, variation: idx})
	}
	if len(out.ranges) == 0 {
		out.ranges = append(out.ranges, bucketRange{end: Buckets})
	}
	return out, nil
}

// compileConditions checks and prepares conditions. Segment operators are
// allowed only in flag rules (segments can't nest, so there are no cycles).
func (l *loader) compileConditions(path func() string, conds []Condition, allowSegments bool) ([]condition, error) {
	out := l.conditionSlab.make(len(conds))[:0]
	for i := range conds {
		cpath := func() string { return elemPath(path()+".conditions", i) }
		cd, err := l.compileCondition(cpath, &conds[i], allowSegments)
		if err != nil {
			return nil, err
		}
		out = append(out, cd)
	}
	return out, nil
}

func (l *loader) compileCondition(path func() string, c *Condition, allowSegments bool) (condition, error) {
	code, ok := opcodes[c.Op]
	if !ok {
		return condition{}, fmt.Errorf("%w: operator %q", errUnknown, c.Op)
	}
	cd := condition{attr: c.Attribute, attrHash: nameHash(c.Attribute), code: code}
	segmentOp := c.Op == OpInSegment || c.Op == OpNotInSegment
	if !segmentOp && c.Attribute == "" {
		l.addf(path()+".attribute", "missing attribute")
	}
	cd.negate = c.Op == OpNotEquals || c.Op == OpNotIn || c.Op == OpNotInSegment
	vpath := func() string { return path() + ".values" }
	wantOne := func() bool {
		if len(c.Values) != 1 {
			l.addf(vpath(), "operator %s takes exactly one value, got %d", c.Op, len(c.Values))
			return false
		}
		return true
	}
	wantSome := func() bool {
		if len(c.Values) == 0 {
			l.addf(vpath(), "operator %s needs at least one value", c.Op)
			return false
		}
		return true
	}
	switch c.Op {
	case OpExists:
		if len(c.Values) != 0 {
			l.addf(vpath(), "operator exists takes no values")
		}
	case OpEquals, OpNotEquals, OpIn, OpNotIn:
		if (c.Op == OpEquals || c.Op == OpNotEquals) && !wantOne() {
			break
		}
		if !wantSome() {
			break
		}
		if n := countStrings(c.Values); n > 0 {
			cd.strs, cd.strHash = make([]string, 0, n), make([]uint32, 0, n)
		}
		for i, v := range c.Values {
			switch x := v.(type) {
			case string:
				cd.strs = append(cd.strs, x)
				cd.strHash = append(cd.strHash, nameHash(x))
			case float64:
				cd.nums = append(cd.nums, x)
			case bool:
				cd.bools = append(cd.bools, x)
			default:
				l.addf(fmt.Sprintf("%s[%d]", vpath(), i), "value must be a string, number or boolean")
			}
		}
		if len(cd.strs) > maxLinearOperands {
			cd.strSet = make(map[string]struct{}, len(cd.strs))
			for _, s := range cd.strs {
				cd.strSet[s] = struct{}{}
			}
		}
	case OpContains, OpStartsWith, OpEndsWith, OpMatches:
		if !wantSome() {
			break
		}
		if c.Op != OpMatches {
			cd.strs = make([]string, 0, countStrings(c.Values))
		}
		for i, v := range c.Values {
			s, ok := v.(string)
			if !ok {
				l.addf(fmt.Sprintf("%s[%d]", vpath(), i), "operator %s takes strings", c.Op)
				continue
			}
			if c.Op != OpMatches {
				cd.strs = append(cd.strs, s)
				continue
			}
			re, err := regexp.Compile(s)
			if err != nil {
				l.addf(fmt.Sprintf("%s[%d]", vpath(), i), "invalid regular expression: %v", err)
				continue
			}
			cd.regexes = append(cd.regexes, re)
		}
	case OpLess, OpLessEq, OpGreater, OpGreaterEq:
		if !wantOne() {
			break
		}
		n, ok := c.Values[0].(float64)
		if !ok {
			l.addf(vpath()+"[0]", "operator %s takes a number", c.Op)
		}
		cd.nums = []float64{n}
	case OpSemverEq, OpSemverLess, OpSemverLessEq, OpSemverGt, OpSemverGtEq:
		if !wantOne() {
			break
		}
		s, _ := c.Values[0].(string)
		ver, err := semver.NewVersion(s)
		if err != nil {
			l.addf(vpath()+"[0]", "operator %s takes a semantic version, got %v", c.Op, c.Values[0])
			break
		}
		cd.version = ver
	case OpBefore, OpAfter:
		if !wantOne() {
			break
		}
		s, _ := c.Values[0].(string)
		t, ok := parseTime(s)
		if !ok {
			l.addf(vpath()+"[0]", "operator %s takes a date (YYYY-MM-DD) or RFC 3339 time, got %v", c.Op, c.Values[0])
			break
		}
		cd.time = t.UnixNano()
	case OpInSegment, OpNotInSegment:
		if !allowSegments {
			l.addf(path()+".op", "segment rules can't refer to other segments")
			break
		}
		if !wantSome() {
			break
		}
		for i, v := range c.Values {
			key, _ := v.(string)
			if err, unknown := l.unknownSegments[key]; unknown {
				return condition{}, fmt.Errorf("segment %q: %w", key, err)
			}
			s, ok := l.segments[key]
			if !ok {
				l.addf(fmt.Sprintf("%s[%d]", vpath(), i), "unknown segment %v", v)
				continue
			}
			cd.segments = append(cd.segments, s)
		}
	}
	return cd, nil
}

func (l *loader) compileSegment(path func() string, key string, s *Segment) (*segment, error) {
	before := len(l.problems)
	if s.Key != key {
		l.addf(path()+".key", "key %q differs from the map key %q", s.Key, key)
	}
	cs := &segment{key: key, included: toSet(s.Included), excluded: toSet(s.Excluded)}
	for i, r := range s.Rules {
		conds, err := l.compileConditions(func() string { return elemPath(path()+".rules", i) }, r.Conditions, false)
		if err != nil {
			return nil, err
		}
		cs.rules = append(cs.rules, conds)
	}
	if len(l.problems) > before {
		return nil, nil
	}
	return cs, nil
}

// elemPath renders a list element's path; cheaper than fmt.Sprintf. Paths
// are passed down as functions and rendered only for problems: building one
// for every element of every flag was a tenth of load time.
func elemPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func toSet(keys []string) map[string]struct{} {
	set := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		set[k] = struct{}{}
	}
	return set
}

// countStrings counts the strings among operands, so that the lists built
// from them are allocated once at their final size.
func countStrings(values []any) int {
	n := 0
	for _, v := range values {
		if _, ok := v.(string); ok {
			n++
		}
	}
	return n
}
