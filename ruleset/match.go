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
	if cd.code == codeSegment {
		in := false
		for _, s := range cd.segments {
			if s.contains(c) {
				in = true
				break
			}
		}
		return in != cd.negate
	}
	v, ok := c.lookupHashed(cd.attr, cd.attrHash)
	if !ok {
		return false
	}
	if cd.code == codeExists {
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
	switch cd.code {
	case codeEquals:
		return cd.equalsAny(v)
	case codeContains, codeStartsWith, codeEndsWith:
		if v.kind != kindString {
			return false
		}
		for _, s := range cd.strs {
			if stringOp(cd.code, v.s, s) {
				return true
			}
		}
	case codeMatches:
		if v.kind != kindString {
			return false
		}
		for _, re := range cd.regexes {
			if re.MatchString(v.s) {
				return true
			}
		}
	case codeLess, codeLessEq, codeGreater, codeGreaterEq:
		if v.kind != kindNumber || v.n != v.n { // NaN orders with nothing
			return false
		}
		return compare(cd.code, cmpFloat(v.n, cd.nums[0]))
	case codeSemverEq, codeSemverLess, codeSemverLessEq, codeSemverGt, codeSemverGtEq:
		if v.ver == nil {
			return false
		}
		return compare(cd.code, v.ver.Compare(cd.version))
	case codeBefore:
		return v.hasTime && v.time < cd.time
	case codeAfter:
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
		for i, h := range cd.strHash {
			if h == v.h && cd.strs[i] == v.s {
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

func stringOp(code opcode, s, operand string) bool {
	switch code {
	case codeContains:
		return strings.Contains(s, operand)
	case codeStartsWith:
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
func compare(code opcode, c int) bool {
	switch code {
	case codeLess, codeSemverLess:
		return c < 0
	case codeLessEq, codeSemverLessEq:
		return c <= 0
	case codeGreater, codeSemverGt:
		return c > 0
	case codeGreaterEq, codeSemverGtEq:
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
