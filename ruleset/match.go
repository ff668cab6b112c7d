package ruleset

import "strings"

func matchAll(conds []condition, c *Context) bool {
	for i := range conds {
		if !conds[i].match(c) {
			return false
		}
	}
	return true
}

// match applies one condition. A missing attribute fails every operator but
// the segment ones (membership does not hang on one attribute), negated ones
// included: "country not in [NL]" does not hold for a context with no country.
func (cd *condition) match(c *Context) bool {
	switch cd.op {
	case OpInSegment, OpNotInSegment:
		in := false
		for _, s := range cd.segments {
			if s.contains(c) {
				in = true
				break
			}
		}
		return in != cd.negate
	}
	v, ok := c.lookup(cd.attr)
	if !ok {
		return false
	}
	if cd.op == OpExists {
		return true
	}
	return cd.matchValue(v) != cd.negate
}

// matchValue tests the positive form of the operator; a list attribute
// matches when any element does.
func (cd *condition) matchValue(v *value) bool {
	if v.kind == kindList {
		for i := range v.list {
			if cd.matchValue(&v.list[i]) {
				return true
			}
		}
		return false
	}
	switch cd.op {
	case OpEquals, OpNotEquals, OpIn, OpNotIn:
		return cd.equalsAny(v)
	case OpContains, OpStartsWith, OpEndsWith:
		if v.kind != kindString {
			return false
		}
		for _, s := range cd.strs {
			if stringOp(cd.op, v.s, s) {
				return true
			}
		}
	case OpMatches:
		if v.kind != kindString {
			return false
		}
		for _, re := range cd.regexes {
			if re.MatchString(v.s) {
				return true
			}
		}
	case OpLess, OpLessEq, OpGreater, OpGreaterEq:
		if v.kind != kindNumber || v.n != v.n { // NaN orders with nothing
			return false
		}
		return compare(cd.op, cmpFloat(v.n, cd.nums[0]))
	case OpSemverEq, OpSemverLess, OpSemverLessEq, OpSemverGt, OpSemverGtEq:
		if v.ver == nil {
			return false
		}
		return compare(cd.op, v.ver.Compare(cd.version))
	case OpBefore:
		return v.hasTime && v.time < cd.time
	case OpAfter:
		return v.hasTime && v.time > cd.time
	}
	return false
}

func (cd *condition) equalsAny(v *value) bool {
	switch v.kind {
	case kindString:
		if cd.strSet != nil {
			_, ok := cd.strSet[v.s]
			return ok
		}
		for _, s := range cd.strs {
			if s == v.s {
				return true
			}
		}
	case kindNumber:
		for _, n := range cd.nums {
			if n == v.n {
				return true
			}
		}
	case kindBool:
		for _, b := range cd.bools {
			if b == v.b {
				return true
			}
		}
	}
	return false
}

func stringOp(op Operator, s, operand string) bool {
	switch op {
	case OpContains:
		return strings.Contains(s, operand)
	case OpStartsWith:
		return strings.HasPrefix(s, operand)
	}
	return strings.HasSuffix(s, operand)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare maps a three-way comparison result onto an ordering operator.
func compare(op Operator, c int) bool {
	switch op {
	case OpLess, OpSemverLess:
		return c < 0
	case OpLessEq, OpSemverLessEq:
		return c <= 0
	case OpGreater, OpSemverGt:
		return c > 0
	case OpGreaterEq, OpSemverGtEq:
		return c >= 0
	}
	return c == 0
}

func (s *segment) contains(c *Context) bool {
	if _, ok := s.included[c.key]; ok {
		return true
	}
	if _, ok := s.excluded[c.key]; ok {
		return false
	}
	for _, conds := range s.rules {
		if matchAll(conds, c) {
			return true
		}
	}
	return false
}
