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
	if cd.code >= codeSegment {
		return cd.matchSpecial(c)
	}
	var v *value
	if cd.id.n != 0 && len(c.slots) != 0 {
		// The usual case, written out here so that finding the attribute
		// costs no call and compares integers only.
		mask := uint32(len(c.slots) - 1)
		for i := slotOf(cd.id.hash, c.shift); ; i = (i + 1) & mask {
			s := c.slots[i]
			if s == 0 {
				return false
			}
			if a := &c.attrs[s-1]; a.id == cd.id {
				v = &a.v
				break
			}
		}
	} else {
		v = c.lookupCond(cd)
	}
	if v == nil {
		return false
	}
	return cd.matchValue(v) != cd.negate
}

// matchSpecial applies the operators that don't test one attribute's value:
// segment membership and exists.
func (cd *condition) matchSpecial(c *Context) bool {
	if cd.code == codeExists {
		_, ok := c.lookupHashed(cd.attr, cd.attrHash)
		return ok
	}
	in := false
	for _, s := range cd.segments {
		if s.contains(c) {
			in = true
			break
		}
	}
	return in != cd.negate
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
		if v.kind == kindString && cd.strSet == nil {
			// The common case, here rather than in equalsAny so it costs
			// no call: hashes first, then the bytes of a hash match.
			for i, h := range cd.strHash {
				if h == v.h && sameBytes(cd.strs[i], v.s) {
					return true
				}
			}
			return false
		}
		return cd.equalsAny(v)
	case codeContains:
		if v.kind != kindString {
			return false
		}
		for _, s := range cd.strs {
			if strings.Contains(v.s, s) {
				return true
			}
		}
	case codeStartsWith:
		if v.kind != kindString {
			return false
		}
		for _, s := range cd.strs {
			if len(v.s) >= len(s) && sameBytes(v.s[:len(s)], s) {
				return true
			}
		}
	case codeEndsWith:
		if v.kind != kindString {
			return false
		}
		for _, s := range cd.strs {
			if len(v.s) >= len(s) && sameBytes(v.s[len(v.s)-len(s):], s) {
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
			if h == v.h && sameBytes(cd.strs[i], v.s) {
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

// sameBytes reports whether a and b are equal. The strings operators and
// lookups compare are mostly short (attribute names, country codes, email
// domains), so it compares overlapping words and never calls memequal: as a
// leaf it needs no stack frame, and it costs a fraction of == on them.
func sameBytes(a, b string) bool {
	n := len(a)
	if len(b) != n {
		return false
	}
	if n < 8 {
		if n >= 4 {
			return le32(a) == le32(b) && le32(a[n-4:]) == le32(b[n-4:])
		}
		return n == 0 || a[0] == b[0] && a[n/2] == b[n/2] && a[n-1] == b[n-1]
	}
	for i := 0; i < n-8; i += 8 {
		if le64(a[i:]) != le64(b[i:]) {
			return false
		}
	}
	return le64(a[n-8:]) == le64(b[n-8:])
}

func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
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
