package ruleset

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// This file decodes rulesets by hand, reading the bytes with scanner.
// Reflection-based unmarshaling (decodeReflect) was about 60% of load time;
// walking the known shapes directly is several times faster.
//
// The hand decoder never decides anything on its own. Whenever input is not
// plainly a value of the shape it knows (an unknown member, a wrong kind, a
// number that is not a plain integer, a null flag), it gives up on that part
// and hands the same bytes to the reflection decoder: a whole flag when the
// trouble is inside one flag, the whole document otherwise. So problems,
// paths, line:col positions and quarantines come from one place, and the
// fast path only has to be right about the inputs it accepts; the
// differential tests (decode_test.go) hold it to that.

// errFallback says the hand decoder met something it leaves to the
// reflection decoder. It never leaves this file.
var errFallback = errors.New("ruleset: leave to the reflection decoder")

// decode decodes a ruleset: by hand when it can, else by reflection.
func decode(data []byte) (*decoded, *Problem) {
	if d, ok := decodeFast(data); ok {
		return d, nil
	}
	return decodeReflect(data)
}

// fastDecoder holds one hand decoding's state.
type fastDecoder struct {
	scanner
	// strs shares the storage of repeated short strings (variation keys,
	// operators, attribute names, operands) between flags, and nums the
	// boxes of repeated numeric operands.
	strs stringCache
	nums numberCache
	// The lists of every flag, gathered in scratch space and then copied
	// into shared chunks: one allocation per chunk instead of several per
	// list was a third of the hand decoder's allocations.
	variationBuf listBuffer[Variation]
	ruleBuf      listBuffer[Rule]
	conditionBuf listBuffer[Condition]
	splitBuf     listBuffer[Weighted]
	operandBuf   listBuffer[any]
	tagBuf       listBuffer[string]
	// workers, when not zero, is how many parts the flags object is
	// decoded in, however large; tests set it.
	workers int
}

// decodeFast decodes data by hand. It reports false when the reflection
// decoder must decode all of it instead: malformed JSON, or trouble outside
// the flags.
func decodeFast(data []byte) (*decoded, bool) {
	return decodeFastIn(data, 0)
}

// decodeFastIn is decodeFast with the flags object decoded in the given
// number of parts (0: as many as is worth it).
func decodeFastIn(data []byte, workers int) (*decoded, bool) {
	fd := &fastDecoder{scanner: scanner{data: data}, workers: workers}
	d, err := fd.document()
	if err != nil {
		return nil, false
	}
	return d, true
}

func (fd *fastDecoder) document() (*decoded, error) {
	d := &decoded{}
	err := fd.object(func(name []byte) (err error) {
		switch string(name) {
		case "schema":
			d.Schema, err = fd.int()
		case "environment":
			d.Environment, err = fd.str()
		case "version":
			d.Version, err = fd.int64()
		case "published_at":
			err = fd.lenient(&d.PublishedAt)
		case "source":
			err = fd.lenient(&d.Source)
		case "flags":
			err = fd.flags(d)
		case "segments":
			err = fd.segments(d)
		default:
			// Readers ignore unknown top-level fields.
			_, err = fd.value()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// Like Unmarshal, nothing but whitespace may follow.
	if !fd.atEnd() {
		return nil, errMalformed
	}
	return d, nil
}

// flags decodes the flags object, a part at a time on several goroutines
// when it is large (see flagparts.go). A flag the hand decoder can't take
// is decoded on its own by reflection, exactly as decodeReflect does when
// the document as a whole does not decode strictly.
func (fd *fastDecoder) flags(d *decoded) error {
	if null, err := fd.openOrNull('{'); null || err != nil {
		return err
	}
	parts, err := fd.flagParts()
	if err != nil {
		return err
	}
	d.flagParts = len(parts)
	n := 0
	for _, p := range parts {
		n += p.n
		d.slowFlags += p.slowFlags
		for k, err := range p.flagErrs {
			if d.flagErrs == nil {
				d.flagErrs = map[string]error{}
			}
			d.flagErrs[k] = err
		}
	}
	d.hasFlags = true
	d.flagList = make([]keyedFlagRef, 0, n)
	for _, p := range parts {
		for _, c := range p.chunks {
			for i := range c {
				d.flagList = append(d.flagList, keyedFlagRef{c[i].key, &c[i].flag})
			}
		}
	}
	// Canonical rulesets list flags in key order already.
	byKey := func(a, b keyedFlagRef) int { return strings.Compare(a.key, b.key) }
	if !slices.IsSortedFunc(d.flagList, byKey) {
		slices.SortFunc(d.flagList, byKey)
	}
	for i := 1; i < len(d.flagList); i++ {
		if d.flagList[i].key == d.flagList[i-1].key {
			return errMalformed // a repeated flag key
		}
	}
	return nil
}

// flagPart is a run of consecutive members of the flags object, decoded.
type flagPart struct {
	// Flags collect in fixed-size chunks: a growing slice of Flags would
	// copy them over and over.
	chunks    [][]keyedFlag
	n         int
	slowFlags int
	flagErrs  map[string]error
}

type keyedFlag struct {
	key  string
	flag Flag
}

// flagMembers decodes members of the flags object into p, from the member
// at the scanner's position, until the object closes (it reports -1) or
// the next member starts exactly at one of stops, ascending offsets (it
// reports which).
func (fd *fastDecoder) flagMembers(p *flagPart, stops []int) (int, error) {
	next := 0
	for i := 0; ; i++ {
		if ok, err := fd.more(i, '}'); !ok {
			return -1, err
		}
		for next < len(stops) && stops[next] < fd.pos {
			next++ // passed by: not a member boundary after all
		}
		if i > 0 && next < len(stops) && stops[next] == fd.pos {
			return next, nil
		}
		name, err := fd.name()
		if err != nil {
			return 0, err
		}
		key := string(name)
		// Each flag is decoded in place in its chunk: a Flag of its own
		// would escape to the heap through the member closures.
		if len(p.chunks) == 0 || len(p.chunks[len(p.chunks)-1]) == cap(p.chunks[len(p.chunks)-1]) {
			p.chunks = append(p.chunks, make([]keyedFlag, 0, min(64<<len(p.chunks), 1024)))
		}
		last := &p.chunks[len(p.chunks)-1]
		*last = append(*last, keyedFlag{key: key})
		f := &(*last)[len(*last)-1].flag
		fd.peek()
		start := fd.pos
		err = fd.flag(key, f)
		if err == errFallback {
			p.slowFlags++
			fd.pos = start
			var raw []byte
			if raw, err = fd.value(); err != nil {
				return 0, err
			}
			*f = Flag{}
			if ferr := decodeStrict(raw, f); ferr != nil {
				if p.flagErrs == nil {
					p.flagErrs = map[string]error{}
				}
				p.flagErrs[key] = ferr
			}
		}
		if err != nil {
			return 0, err
		}
		p.n++
	}
}

// segments decodes the segments object. Rulesets have few segments, so each
// is decoded by reflection, as decodeReflect does.
func (fd *fastDecoder) segments(d *decoded) error {
	if null, err := fd.openOrNull('{'); null || err != nil {
		return err
	}
	d.Segments = map[string]Segment{}
	n := 0
	for i := 0; ; i++ {
		if ok, err := fd.more(i, '}'); !ok {
			if err != nil {
				return err
			}
			break
		}
		name, err := fd.name()
		if err != nil {
			return err
		}
		key := string(name)
		raw, err := fd.value()
		if err != nil {
			return err
		}
		var s Segment
		if serr := decodeStrict(raw, &s); serr != nil {
			if d.segmentErrs == nil {
				d.segmentErrs = map[string]error{}
			}
			d.segmentErrs[key] = serr
		}
		d.Segments[key] = s
		n++
	}
	if len(d.Segments) != n {
		return errMalformed // a repeated segment key
	}
	return nil
}

func (fd *fastDecoder) flag(key string, f *Flag) error {
	return fd.object(func(name []byte) (err error) {
		switch string(name) {
		case "key":
			f.Key, err = fd.strAs(key)
		case "type":
			var t string
			t, err = fd.short()
			f.Type = FlagType(t)
		case "description":
			f.Description, err = fd.str()
		case "owner":
			f.Owner, err = fd.short()
		case "tags":
			f.Tags, err = fd.stringList()
		case "expires":
			err = fd.strict(&f.Expires)
		case "variations":
			f.Variations, err = fd.variations()
		case "enabled":
			f.Enabled, err = fd.bool()
		case "off_variation":
			f.OffVariation, err = fd.short()
		case "salt":
			f.Salt, err = fd.strAs(key)
		case "bucket_by":
			f.BucketBy, err = fd.short()
		case "rules":
			f.Rules, err = fd.rules()
		case "default":
			err = fd.serve(&f.Default)
		case "schedule":
			err = fd.strict(&f.Schedule)
		default:
			return errFallback
		}
		return err
	})
}

func (fd *fastDecoder) variations() ([]Variation, error) {
	return list(fd, &fd.variationBuf, func(v *Variation, name []byte) (err error) {
		switch string(name) {
		case "key":
			v.Key, err = fd.short()
		case "value":
			var raw []byte
			if raw, err = fd.value(); err == nil {
				v.Value = rawValue(raw)
			}
		default:
			return errFallback
		}
		return err
	})
}

// Shared copies of the commonest variation values. Capacity equals length,
// so an append by a careless reader copies rather than overwrites.
var (
	rawTrue  = json.RawMessage("true")[:4:4]
	rawFalse = json.RawMessage("false")[:5:5]
)

// rawValue copies a variation's value out of the input.
func rawValue(raw []byte) json.RawMessage {
	switch string(raw) {
	case "true":
		return rawTrue
	case "false":
		return rawFalse
	}
	return append(json.RawMessage(nil), raw...)
}

func (fd *fastDecoder) rules() ([]Rule, error) {
	return list(fd, &fd.ruleBuf, func(r *Rule, name []byte) (err error) {
		switch string(name) {
		case "name":
			r.Name, err = fd.short()
		case "conditions":
			r.Conditions, err = fd.conditions()
		case "serve":
			err = fd.serve(&r.Serve)
		default:
			return errFallback
		}
		return err
	})
}

func (fd *fastDecoder) conditions() ([]Condition, error) {
	return list(fd, &fd.conditionBuf, func(c *Condition, name []byte) (err error) {
		switch string(name) {
		case "attribute":
			c.Attribute, err = fd.short()
		case "op":
			var op string
			op, err = fd.short()
			c.Op = Operator(op)
		case "values":
			c.Values, err = fd.values()
		default:
			return errFallback
		}
		return err
	})
}

// values decodes condition operands as Unmarshal does into []any: strings,
// float64s, booleans, nil; nested lists and objects by reflection.
func (fd *fastDecoder) values() ([]any, error) {
	if null, err := fd.openOrNull('['); null || err != nil {
		return nil, err
	}
	out := fd.operandBuf.start()
	for i := 0; ; i++ {
		if ok, err := fd.more(i, ']'); !ok {
			return fd.operandBuf.finish(out), err
		}
		var v any
		switch c := fd.peek(); {
		case c == '"':
			b, err := fd.scanner.str()
			if err != nil {
				return nil, err
			}
			v = fd.strs.boxed(b)
		case c == '-' || '0' <= c && c <= '9':
			b, err := fd.number()
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseFloat(string(b), 64)
			if err != nil {
				return nil, errFallback
			}
			v = fd.nums.boxed(n)
		default:
			raw, err := fd.value()
			if err != nil {
				return nil, err
			}
			switch string(raw) {
			case "true":
				v = true
			case "false":
				v = false
			case "null":
			default:
				// Its own variable: taking v's address would move v to
				// the heap on every operand.
				var nested any
				if err := jsonv2.Unmarshal(raw, &nested); err != nil {
					return nil, errFallback
				}
				v = nested
			}
		}
		out = append(out, v)
	}
}

func (fd *fastDecoder) serve(s *Serve) error {
	if fd.null() {
		*s = Serve{}
		return fd.literal("null")
	}
	return fd.object(func(name []byte) (err error) {
		switch string(name) {
		case "variation":
			s.Variation, err = fd.short()
		case "split":
			s.Split, err = fd.split()
		case "progressive":
			err = fd.strict(&s.Progressive)
		default:
			return errFallback
		}
		return err
	})
}

func (fd *fastDecoder) split() ([]Weighted, error) {
	return list(fd, &fd.splitBuf, func(w *Weighted, name []byte) (err error) {
		switch string(name) {
		case "variation":
			w.Variation, err = fd.short()
		case "weight":
			w.Weight, err = fd.int()
		default:
			return errFallback
		}
		return err
	})
}

// list reads null or a list of objects, each member of each object handed
// to member with the element being filled. The result is never nil for a
// list, as the reflection decoder's isn't.
func list[T any](fd *fastDecoder, buf *listBuffer[T], member func(t *T, name []byte) error) ([]T, error) {
	if null, err := fd.openOrNull('['); null || err != nil {
		return nil, err
	}
	out := buf.start()
	for i := 0; ; i++ {
		if ok, err := fd.more(i, ']'); !ok {
			return buf.finish(out), err
		}
		var zero T
		out = append(out, zero)
		t := &out[len(out)-1]
		if err := fd.object(func(name []byte) error { return member(t, name) }); err != nil {
			return nil, err
		}
	}
}

// listBuffer gathers the elements of one list at a time in scratch space
// and hands the finished lists out of a slab. Lists of one type never
// nest, so one scratch slice per type is enough.
type listBuffer[T any] struct {
	scratch []T
	out     slab[T]
}

// start returns the empty scratch slice to append a list's elements to.
func (b *listBuffer[T]) start() []T { return b.scratch[:0] }

// finish copies the list gathered in items out of scratch space.
func (b *listBuffer[T]) finish(items []T) []T {
	b.scratch = items[:0]
	if len(items) == 0 {
		return []T{}
	}
	out := b.out.make(len(items))
	copy(out, items)
	return out
}

// object reads one object, handing each member's name to member, which
// reads the value.
func (fd *fastDecoder) object(member func(name []byte) error) error {
	if err := fd.open('{'); err != nil {
		return err
	}
	var seen fieldSet
	for i := 0; ; i++ {
		if ok, err := fd.more(i, '}'); !ok {
			return err
		}
		name, err := fd.name()
		if err != nil {
			return err
		}
		if err := seen.add(name); err != nil {
			return err
		}
		if err := member(name); err != nil {
			return err
		}
	}
}

// null reports whether the next value is null.
func (fd *fastDecoder) null() bool { return fd.peek() == 'n' }

// text reads a string (null is ""), returning its contents valid until the
// next read.
func (fd *fastDecoder) text() ([]byte, error) {
	switch fd.peek() {
	case '"':
		return fd.scanner.str()
	case 'n':
		return nil, fd.literal("null")
	}
	return nil, errFallback
}

// str reads a string that is likely unique.
func (fd *fastDecoder) str() (string, error) {
	b, err := fd.text()
	return string(b), err
}

// short reads a string that is likely to repeat across flags.
func (fd *fastDecoder) short() (string, error) {
	b, err := fd.text()
	return fd.strs.make(b), err
}

// strAs reads a string that usually equals s, sharing s's storage if so.
func (fd *fastDecoder) strAs(s string) (string, error) {
	b, err := fd.text()
	if string(b) == s {
		return s, err
	}
	return string(b), err
}

// stringList reads a list of strings.
func (fd *fastDecoder) stringList() ([]string, error) {
	if null, err := fd.openOrNull('['); null || err != nil {
		return nil, err
	}
	out := fd.tagBuf.start()
	for i := 0; ; i++ {
		if ok, err := fd.more(i, ']'); !ok {
			return fd.tagBuf.finish(out), err
		}
		s, err := fd.short()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}

func (fd *fastDecoder) bool() (bool, error) {
	switch fd.peek() {
	case 't':
		return true, fd.literal("true")
	case 'f':
		return false, fd.literal("false")
	case 'n':
		return false, fd.literal("null")
	}
	return false, errFallback
}

// int64 reads a number that must be an integer. Only plain digits are
// taken; Unmarshal decides the rest (fractions, exponents, overflow).
func (fd *fastDecoder) int64() (int64, error) {
	switch c := fd.peek(); {
	case c == 'n':
		return 0, fd.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		raw, err := fd.number()
		if err != nil {
			return 0, err
		}
		if bytes.ContainsAny(raw, ".eE") {
			return 0, errFallback
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return 0, errFallback
		}
		return n, nil
	}
	return 0, errFallback
}

func (fd *fastDecoder) int() (int, error) {
	n, err := fd.int64()
	if err != nil {
		return 0, err
	}
	if int64(int(n)) != n {
		return 0, errFallback
	}
	return int(n), nil
}

// strict decodes the next value into v by reflection, as decodeStrict
// would. For rare parts (times, schedules, progressive rollouts) that
// aren't worth decoding by hand.
func (fd *fastDecoder) strict(v any) error {
	raw, err := fd.value()
	if err != nil {
		return err
	}
	if decodeStrict(raw, v) != nil {
		return errFallback
	}
	return nil
}

// lenient decodes the next value into v by reflection, tolerating unknown
// members as decodeReflect does outside flags and segments.
func (fd *fastDecoder) lenient(v any) error {
	raw, err := fd.value()
	if err != nil {
		return err
	}
	if jsonv2.Unmarshal(raw, v, jsonOptions) != nil {
		return errFallback
	}
	return nil
}

// stringCache shares the storage of repeated strings: a direct-mapped cache
// keyed by a hash of the first and last bytes, as go-json-experiment does
// for map keys. A miss costs one allocation, as without it.
type stringCache [512]cachedString

type cachedString struct {
	s string
	// box is s as an interface value, made the first time s is an
	// operand: boxing a string allocates.
	box any
}

func (c *stringCache) make(b []byte) string {
	e := c.entry(b)
	if e == nil {
		return string(b)
	}
	return e.s
}

// boxed returns the string b holds as an interface value.
func (c *stringCache) boxed(b []byte) any {
	e := c.entry(b)
	if e == nil {
		return string(b)
	}
	if e.box == nil {
		e.box = e.s
	}
	return e.box
}

// entry returns the cache entry for b, holding b, or nil for a string too
// short or too long to cache.
func (c *stringCache) entry(b []byte) *cachedString {
	const maxCached = 64
	if len(b) < 1 || len(b) > maxCached {
		return nil
	}
	var h uint64
	if len(b) >= 8 {
		h = binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(b[len(b)-8:])*31
	} else {
		for _, x := range b {
			h = h<<8 | uint64(x)
		}
	}
	h ^= uint64(len(b))
	h *= 0x9e3779b97f4a7c15
	e := &c[h>>(64-9)]
	if e.s != string(b) {
		*e = cachedString{s: string(b)}
	}
	return e
}

// numberCache shares the boxes of repeated numeric operands, as
// stringCache does for strings.
type numberCache [64]struct {
	bits uint64
	box  any
}

func (c *numberCache) boxed(n float64) any {
	bits := math.Float64bits(n)
	e := &c[(bits*0x9e3779b97f4a7c15)>>(64-6)]
	if e.box == nil || e.bits != bits {
		e.bits, e.box = bits, n
	}
	return e.box
}
