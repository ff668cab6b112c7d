package ruleset

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/go-playground/validator/v10"
)

// validateFlagFile checks what one file can tell on its own: struct rules,
// then the rules that relate fields to each other. Project-wide checks are in
// validate_project.go.
func validateFlagFile(d *nodeDecoder, f *flagFile) {
	v := newSpecValidator()
	if f.project != nil {
		d.checkStruct(v, f.project, "", f.project.at)
	}
	for _, fl := range f.flags {
		validateFlag(d, v, fl)
	}
	for _, s := range f.segments {
		d.checkStruct(v, s, s.path, s.at)
		for _, r := range s.Rules {
			d.checkStruct(v, r, r.path, r.at)
			for _, c := range r.When {
				validateCondition(d, v, c, false)
			}
		}
	}
}

func validateFlag(d *nodeDecoder, v *validator.Validate, f *flagSpec) {
	if d.exact[f.path] {
		return // not a mapping, or otherwise unreadable: nothing more to say
	}
	d.checkStruct(v, f, f.path, f.at)
	// A flag whose type or variations did not decode would only produce
	// echoes of that problem below.
	varsOK := !d.failedUnder(f.path+".type") && !d.failedUnder(f.path+".variations")
	for _, vr := range f.Variations {
		d.checkStruct(v, vr, vr.path, vr.at)
	}
	if varsOK && len(f.Variations) == 0 {
		d.addAt(f.at.loc("variations"), f.path+".variations", "a %s flag needs at least one variation", f.Type)
		varsOK = false
	}
	check := func(name string, l Location, path string) {
		if varsOK {
			f.checkVariation(d, name, l, path)
		}
	}
	if f.OffVariation != "" {
		check(f.OffVariation, f.at.loc("off_variation"), f.path+".off_variation")
	} else if varsOK && f.valueVariation("false") == "" {
		d.addAt(f.at.loc(""), f.path+".off_variation", "off_variation is required: name the variation served while the flag is off")
	}
	for _, e := range f.Envs {
		d.checkStruct(v, e, e.path, e.at)
		if e.OffVariation != "" {
			check(e.OffVariation, e.at.loc("off_variation"), e.path+".off_variation")
		}
		if e.Default != nil {
			validateServe(d, v, f, e.Default, varsOK)
		} else if (e.Enabled || len(e.Schedule) > 0) && varsOK && f.valueVariation("true") == "" {
			d.addAt(e.at.loc(""), e.path+".default", "default is required when the flag can be on: name the variation (or split) served when no rule matches")
		}
		for _, r := range e.Rules {
			d.checkStruct(v, r, r.path, r.at)
			if r.Serve != nil {
				validateServe(d, v, f, r.Serve, varsOK)
			}
			for _, c := range r.When {
				validateCondition(d, v, c, true)
			}
		}
		for i, s := range e.Schedule {
			d.checkStruct(v, s, s.path, s.at)
			if i > 0 && !s.At.IsZero() && !e.Schedule[i-1].At.IsZero() && !s.At.After(e.Schedule[i-1].At) {
				d.addAt(s.at.loc("at"), s.path+".at", "%s is not after the step before it (%s); steps must be in time order",
					s.At.Format(time.RFC3339), e.Schedule[i-1].At.Format(time.RFC3339))
			}
		}
	}
}

// failedUnder reports whether a problem was added at path or inside it.
func (d *nodeDecoder) failedUnder(path string) bool { return d.failed[path] }

// checkVariation reports name if the flag has no such variation.
func (f *flagSpec) checkVariation(d *nodeDecoder, name string, l Location, path string) bool {
	for _, v := range f.Variations {
		if v.Key == name {
			return true
		}
	}
	d.addAt(l, path, "unknown variation %q (have: %s)", clip(name), strings.Join(f.variationKeys(), ", "))
	return false
}

// valueVariation returns the first variation whose JSON value is raw, or "".
func (f *flagSpec) valueVariation(raw string) string {
	for _, v := range f.Variations {
		if bytes.Equal(v.Value, []byte(raw)) {
			return v.Key
		}
	}
	return ""
}

func validateServe(d *nodeDecoder, v *validator.Validate, f *flagSpec, s *serveSpec, varsOK bool) {
	switch {
	case s.Variation != "":
		if varsOK {
			f.checkVariation(d, s.Variation, s.at.loc(""), s.path)
		}
	case s.Split != nil:
		total := 0
		for _, w := range s.Split {
			if varsOK {
				f.checkVariation(d, w.Variation, s.at.loc("split."+w.Variation), s.path+".split."+w.Variation)
			}
			total += w.Weight
		}
		if total != Buckets && !d.failedUnder(s.path+".split") {
			d.addAt(s.at.loc("split"), s.path+".split", "percentages add up to %s, not 100", bucketsToPercent(total))
		}
	case s.Progressive != nil:
		g := s.Progressive
		d.checkStruct(v, g, g.path, g.at)
		if g.Rest == "" && len(f.Variations) == 2 && varsOK {
			// With two variations, "rest" can only be the other one.
			for _, v := range f.Variations {
				if v.Key != g.Variation {
					g.Rest = v.Key
				}
			}
		}
		if varsOK && g.Variation != "" {
			f.checkVariation(d, g.Variation, g.at.loc("variation"), g.path+".variation")
		}
		switch {
		case g.Rest == "" && varsOK:
			d.addAt(g.at.loc(""), g.path+".rest", "rest is required: name the variation everyone else gets")
		case g.Rest != "" && varsOK:
			f.checkVariation(d, g.Rest, g.at.loc("rest"), g.path+".rest")
		}
		if g.Rest != "" && g.Rest == g.Variation {
			d.addAt(g.at.loc("rest"), g.path+".rest", "rest must differ from variation %q", g.Variation)
		}
		if !g.Start.IsZero() && !g.End.IsZero() && !g.End.After(g.Start) {
			d.addAt(g.at.loc("end"), g.path+".end", "end %s is not after start %s",
				g.End.Format(time.RFC3339), g.Start.Format(time.RFC3339))
		}
	}
}

// validateCondition checks that the operator has the operands it needs, of
// the types it needs. Segment operators are only for flag rules: segments
// cannot nest. Whether a named segment exists is a project check.
func validateCondition(d *nodeDecoder, v *validator.Validate, c *condSpec, inFlag bool) {
	d.checkStruct(v, c, c.path, c.at)
	if !containsOperator(c.Op) || d.failedUnder(c.path+".value") || d.failedUnder(c.path+".values") {
		return
	}
	field := c.valueField
	if field == "" {
		field = "value"
	}
	vpath := c.path + "." + field
	vloc := c.at.loc(field)
	at := func(i int) (string, Location) {
		if field != "values" {
			return vpath, vloc
		}
		return fmt.Sprintf("%s[%d]", vpath, i), c.at.loc(fmt.Sprintf("values[%d]", i))
	}
	segmentOp := c.Op == OpInSegment || c.Op == OpNotInSegment
	switch {
	case segmentOp && c.Attribute != "":
		d.addAt(c.at.loc("attribute"), c.path+".attribute", "operator %s takes no attribute", c.Op)
	case !segmentOp && c.Attribute == "":
		d.addAt(c.at.loc(""), c.path+".attribute", "operator %s needs an attribute", c.Op)
	}
	switch c.Op {
	case OpExists:
		if c.valueField != "" {
			d.addAt(vloc, vpath, "operator exists takes no value")
		}
		return
	case OpEquals, OpNotEquals, OpLess, OpLessEq, OpGreater, OpGreaterEq,
		OpSemverEq, OpSemverLess, OpSemverLessEq, OpSemverGt, OpSemverGtEq, OpBefore, OpAfter:
		if len(c.Values) != 1 {
			hint := ""
			if c.Op == OpEquals || c.Op == OpNotEquals {
				hint = " (use op: in or not_in for a list)"
			}
			d.addAt(vloc, vpath, "operator %s takes exactly one value, got %d%s", c.Op, len(c.Values), hint)
			return
		}
	default:
		if len(c.Values) == 0 {
			d.addAt(vloc, vpath, "operator %s needs at least one value", c.Op)
			return
		}
	}
	for i, val := range c.Values {
		p, l := at(i)
		s, isString := val.(string)
		switch c.Op {
		case OpContains, OpStartsWith, OpEndsWith:
			if !isString {
				d.addAt(l, p, "operator %s takes strings, got %v", c.Op, val)
			}
		case OpMatches:
			if !isString {
				d.addAt(l, p, "operator matches takes regular expressions, got %v", val)
			} else if _, err := regexp.Compile(s); err != nil {
				d.addAt(l, p, "invalid regular expression: %v", err)
			}
		case OpLess, OpLessEq, OpGreater, OpGreaterEq:
			if _, ok := val.(float64); !ok {
				d.addAt(l, p, "operator %s takes a number, got %s", c.Op, describeOperand(val))
			}
		case OpSemverEq, OpSemverLess, OpSemverLessEq, OpSemverGt, OpSemverGtEq:
			if _, err := semver.NewVersion(s); !isString || err != nil {
				d.addAt(l, p, "operator %s takes a semantic version such as \"2.4.1\", got %s", c.Op, describeOperand(val))
			}
		case OpBefore, OpAfter:
			t, ok := parseInstant(s)
			if !isString || !ok {
				d.addAt(l, p, "operator %s takes a date (2026-12-31) or an RFC 3339 time, got %s", c.Op, describeOperand(val))
				continue
			}
			// One spelling on the wire, whatever was written.
			c.Values[i] = t.Format(time.RFC3339Nano)
		case OpInSegment, OpNotInSegment:
			if !inFlag {
				d.addAt(l, p, "segment rules cannot refer to other segments")
			} else if !isString || !keyPattern.MatchString(s) {
				d.addAt(l, p, "operator %s takes segment keys, got %s", c.Op, describeOperand(val))
			}
		}
	}
}

func describeOperand(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", clip(s))
	}
	return fmt.Sprint(v)
}
