package ruleset

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// KeyAttribute is the attribute name that conditions use to test the
// targeting key itself.
const KeyAttribute = "key"

// Context is who (or what) a flag is evaluated for: a targeting key plus
// attributes. Build it once per request or user with NewContext and reuse it
// for every flag; it is immutable and safe for concurrent use.
type Context struct {
	key    string
	keyVal value // the key as an attribute, for conditions on "key"
	// keyBytes holds the key, zero-padded, when it fits, so that bucketing
	// copies it with fixed-size moves.
	keyBytes [48]byte
	attrs    []attribute // sorted by name
	// slots is an open-addressing table over attrs: 1 + the index of the
	// attribute whose name hashes there (see slotOf), 0 when empty. At most
	// half full, so a lookup, found or not, usually reads one slot; a scan
	// would read every attribute before a missing one.
	slots []int32
	shift uint8 // 32 - log2(len(slots))
}

type attribute struct {
	name string
	id   attrID
	v    value
}

// attrID identifies an attribute name with integers, so that a lookup
// compares integers, not bytes: its FNV-1a hash, its length, and two words
// that hold all of its bytes when it is at most 16 bytes long. Two names of
// up to 16 bytes are equal exactly when their attrIDs are.
type attrID struct {
	hash   uint32
	n      uint32 // length; 0 also marks a condition with no usable attrID
	w0, w1 uint64
}

func makeAttrID(s string) attrID {
	id := attrID{hash: nameHash(s), n: uint32(len(s))}
	switch n := len(s); {
	case n >= 8:
		// For names over 16 bytes the words leave out the middle; lookups
		// of such names compare the strings.
		id.w0, id.w1 = le64(s), le64(s[n-8:])
	case n >= 4:
		id.w0, id.w1 = uint64(le32(s)), uint64(le32(s[n-4:]))
	case n > 0:
		id.w0 = uint64(s[0]) | uint64(s[n/2])<<8 | uint64(s[n-1])<<16
	}
	return id
}

// nameHash is FNV-1a of an attribute name. Contexts and rulesets are built
// apart, so the hash must not depend on a per-process seed; it is computed
// when either is built, never while evaluating.
func nameHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

type valueKind uint8

const (
	kindInvalid valueKind = iota
	kindString
	kindNumber
	kindBool
	kindList
)

// value is an attribute converted once, when the context is built, into the
// forms the operators need, so that evaluation does no parsing.
type value struct {
	kind valueKind
	s    string
	h    uint32 // nameHash(s) for strings: equality tests compare it first
	n    float64
	b    bool
	list []value
	ver  *semver.Version // set when s parses as a semantic version
	time int64           // Unix nanoseconds; valid when hasTime
	// hasTime is set for time.Time values, numbers (Unix seconds) and
	// strings in RFC 3339 or YYYY-MM-DD form.
	hasTime bool
}

// NewContext builds a context. Attribute values may be strings, booleans,
// any Go integer or float type, json.Number, time.Time, or slices of those
// ([]string, []any, …); a list attribute meets a condition when any element
// does. Values of other types are kept but meet no condition except exists.
// The attribute "key" is reserved: conditions on "key" test the targeting key.
func NewContext(key string, attrs map[string]any) *Context {
	c := &Context{key: key, keyVal: stringValue(key), attrs: make([]attribute, 0, len(attrs))}
	if len(key) <= len(c.keyBytes) {
		copy(c.keyBytes[:], key)
	}
	for name, raw := range attrs {
		if name == KeyAttribute {
			continue
		}
		c.attrs = append(c.attrs, attribute{name: name, id: makeAttrID(name), v: toValue(raw, 0)})
	}
	sort.Slice(c.attrs, func(i, j int) bool { return c.attrs[i].name < c.attrs[j].name })
	size := 8
	for size < 2*len(c.attrs) {
		size <<= 1
	}
	c.slots = make([]int32, size)
	c.shift = uint8(32 - bits.TrailingZeros(uint(size)))
	for i, a := range c.attrs {
		j := slotOf(a.id.hash, c.shift)
		for c.slots[j] != 0 {
			j = (j + 1) & uint32(size-1)
		}
		c.slots[j] = int32(i + 1)
	}
	return c
}

// Key returns the targeting key.
func (c *Context) Key() string { return c.key }

// Attribute returns an attribute as given to NewContext, converted to its
// canonical form (string, float64, bool, []any, or nil if absent).
func (c *Context) Attribute(name string) (any, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.lookup(name)
	if !ok {
		return nil, false
	}
	return v.canonical(), true
}

// String renders the context for logs and CLI output.
func (c *Context) String() string {
	if c == nil {
		return "{}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{key=%q", c.key)
	for _, a := range c.attrs {
		fmt.Fprintf(&b, " %s=%v", a.name, a.v.canonical())
	}
	b.WriteString("}")
	return b.String()
}

func (c *Context) lookup(name string) (*value, bool) {
	return c.lookupHashed(name, nameHash(name))
}

// lookupHashed finds the attribute name, whose nameHash is hash.
func (c *Context) lookupHashed(name string, hash uint32) (*value, bool) {
	if name == KeyAttribute {
		return &c.keyVal, true
	}
	if len(c.slots) == 0 {
		return nil, false
	}
	mask := uint32(len(c.slots) - 1)
	for i := slotOf(hash, c.shift); ; i = (i + 1) & mask {
		s := c.slots[i]
		if s == 0 {
			return nil, false
		}
		if a := &c.attrs[s-1]; a.id.hash == hash && sameBytes(a.name, name) {
			return &a.v, true
		}
	}
}

// slotOf is where an attribute whose name hashes to hash starts probing in
// a table of 1<<(32-shift) slots. It takes the top bits of a Fibonacci
// multiply, which depend on every bit of the hash; FNV-1a's low bits depend
// only on the low bits of each byte.
func slotOf(hash uint32, shift uint8) uint32 {
	return hash * 0x9E3779B1 >> shift
}

// lookupCond finds a condition's attribute when match can't on its own: the
// condition has no attrID (a long name, "key", or not prepared).
func (c *Context) lookupCond(cd *condition) *value {
	v, _ := c.lookupHashed(cd.attr, cd.attrHash)
	return v
}

// Lists nested deeper than this are cut off, so a hostile context can't make
// NewContext recurse without bound.
const maxListDepth = 8

func toValue(raw any, depth int) value {
	switch x := raw.(type) {
	case string:
		return stringValue(x)
	case bool:
		return value{kind: kindBool, b: x}
	case float64:
		return numberValue(x)
	case float32:
		return numberValue(float64(x))
	case int:
		return numberValue(float64(x))
	case int8:
		return numberValue(float64(x))
	case int16:
		return numberValue(float64(x))
	case int32:
		return numberValue(float64(x))
	case int64:
		return numberValue(float64(x))
	case uint:
		return numberValue(float64(x))
	case uint8:
		return numberValue(float64(x))
	case uint16:
		return numberValue(float64(x))
	case uint32:
		return numberValue(float64(x))
	case uint64:
		return numberValue(float64(x))
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return stringValue(string(x))
		}
		return numberValue(f)
	case time.Time:
		s := x.UTC().Format(time.RFC3339Nano)
		return value{kind: kindString, s: s, h: nameHash(s), time: x.UnixNano(), hasTime: true}
	case []string:
		list := make([]value, len(x))
		for i, s := range x {
			list[i] = stringValue(s)
		}
		return value{kind: kindList, list: list}
	case []any:
		if depth >= maxListDepth {
			return value{}
		}
		list := make([]value, len(x))
		for i, e := range x {
			list[i] = toValue(e, depth+1)
		}
		return value{kind: kindList, list: list}
	}
	// Other slices ([]int, []float64, …) through reflection: rare, and only
	// at context build time.
	rv := reflect.ValueOf(raw)
	if rv.Kind() == reflect.Slice && depth < maxListDepth {
		list := make([]value, rv.Len())
		for i := range list {
			list[i] = toValue(rv.Index(i).Interface(), depth+1)
		}
		return value{kind: kindList, list: list}
	}
	return value{}
}

func numberValue(f float64) value {
	v := value{kind: kindNumber, n: f}
	if !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 9e9 {
		v.time = int64(f * 1e9)
		v.hasTime = true
	}
	return v
}

func stringValue(s string) value {
	v := value{kind: kindString, s: s, h: nameHash(s)}
	if looksLikeVersion(s) {
		if ver, err := semver.NewVersion(s); err == nil {
			v.ver = ver
		}
	}
	if t, ok := parseTime(s); ok {
		v.time = t.UnixNano()
		v.hasTime = true
	}
	return v
}

func looksLikeVersion(s string) bool {
	if len(s) > 0 && (s[0] == 'v' || s[0] == 'V') {
		s = s[1:]
	}
	return len(s) > 0 && len(s) <= 256 && s[0] >= '0' && s[0] <= '9'
}

// parseTime accepts RFC 3339 timestamps and plain dates (midnight UTC).
func parseTime(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if len(s) == 10 {
		t, err := time.Parse(time.DateOnly, s)
		return t, err == nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func (v *value) canonical() any {
	switch v.kind {
	case kindString:
		return v.s
	case kindNumber:
		return v.n
	case kindBool:
		return v.b
	case kindList:
		out := make([]any, len(v.list))
		for i := range v.list {
			out[i] = v.list[i].canonical()
		}
		return out
	}
	return nil
}
