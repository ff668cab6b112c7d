package ruleset

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file decodes rulesets by hand over jsontext tokens. Reflection-based
// unmarshaling (decodeReflect) was about 60% of load time; walking the
// tokens of the known shapes directly is several times faster.
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
	data []byte
	dec  *jsontext.Decoder
	// strs shares the storage of repeated short strings (variation keys,
	// operators, attribute names, operands) between flags.
	strs stringCache
	buf  []byte // scratch for unquoting escaped strings
}

// decodeFast decodes data by hand. It reports false when the reflection
// decoder must decode all of it instead: malformed JSON, or trouble outside
// the flags.
func decodeFast(data []byte) (*decoded, bool) {
	fd := &fastDecoder{data: data, dec: jsontext.NewDecoder(bytes.NewBuffer(data))}
	d, err := fd.document()
	if err != nil {
		return nil, false
	}
	return d, true
}

func (fd *fastDecoder) document() (*decoded, error) {
	d := &decoded{}
	if fd.dec.PeekKind() != '{' {
		return nil, errFallback
	}
	if _, err := fd.dec.ReadToken(); err != nil {
		return nil, err
	}
	for fd.more() {
		name, err := fd.name()
		if err != nil {
			return nil, err
		}
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
			err = fd.dec.SkipValue()
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := fd.dec.ReadToken(); err != nil {
		return nil, err
	}
	// Like Unmarshal, nothing but whitespace may follow.
	if _, err := fd.dec.ReadToken(); err != io.EOF {
		return nil, errFallback
	}
	return d, nil
}

// flags decodes the flags object. A flag the hand decoder can't take is
// decoded on its own by reflection, exactly as decodeReflect does when the
// document as a whole does not decode strictly.
func (fd *fastDecoder) flags(d *decoded) error {
	if fd.null() {
		return fd.skipNull()
	}
	if err := fd.open('{'); err != nil {
		return err
	}
	// Flags collect in fixed-size chunks first so that the map can be made
	// at its final size: grown a step at a time, it held 8 MB more for
	// 10,000 flags. Chunks, because a growing slice of Flags copies them
	// over and over.
	type keyed struct {
		key  string
		flag Flag
	}
	var chunks [][]keyed
	n := 0
	depth := fd.dec.StackDepth()
	for fd.more() {
		name, err := fd.name()
		if err != nil {
			return err
		}
		key := string(name)
		start := fd.dec.InputOffset()
		var f Flag
		err = fd.flag(key, &f)
		if err == errFallback {
			d.slowFlags++
			var raw []byte
			if raw, err = fd.rest(depth, start); err != nil {
				return err
			}
			f = Flag{}
			if ferr := decodeStrict(raw, &f); ferr != nil {
				if d.flagErrs == nil {
					d.flagErrs = map[string]error{}
				}
				d.flagErrs[key] = ferr
			}
		}
		if err != nil {
			return err
		}
		if len(chunks) == 0 || len(chunks[len(chunks)-1]) == cap(chunks[len(chunks)-1]) {
			chunks = append(chunks, make([]keyed, 0, min(64<<len(chunks), 1024)))
		}
		last := &chunks[len(chunks)-1]
		*last = append(*last, keyed{key, f})
		n++
	}
	d.Flags = make(map[string]Flag, n)
	for _, c := range chunks {
		for i := range c {
			d.Flags[c[i].key] = c[i].flag
		}
	}
	return fd.close()
}

// segments decodes the segments object. Rulesets have few segments, so each
// is decoded by reflection, as decodeReflect does.
func (fd *fastDecoder) segments(d *decoded) error {
	if fd.null() {
		return fd.skipNull()
	}
	if err := fd.open('{'); err != nil {
		return err
	}
	d.Segments = map[string]Segment{}
	for fd.more() {
		name, err := fd.name()
		if err != nil {
			return err
		}
		key := string(name)
		raw, err := fd.dec.ReadValue()
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
	}
	return fd.close()
}

// rest finishes the value the hand decoder gave up on, which began at
// offset start in an object at the given depth, and returns its bytes.
func (fd *fastDecoder) rest(depth int, start int64) ([]byte, error) {
	if fd.dec.InputOffset() == start {
		// Nothing of it read yet.
		if err := fd.dec.SkipValue(); err != nil {
			return nil, err
		}
	}
	for fd.dec.StackDepth() > depth {
		if _, err := fd.dec.ReadToken(); err != nil {
			return nil, err
		}
	}
	end := fd.dec.InputOffset()
	if start < 0 || end > int64(len(fd.data)) || start > end {
		return nil, errFallback
	}
	// Between the member name and its value: the colon and whitespace.
	return bytes.TrimLeft(fd.data[start:end], " \t\r\n:"), nil
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
	return list(fd, 2, func(v *Variation, name []byte) (err error) {
		switch string(name) {
		case "key":
			v.Key, err = fd.short()
		case "value":
			var raw jsontext.Value
			if raw, err = fd.dec.ReadValue(); err == nil {
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

// rawValue copies a variation's value out of the decoder's buffer.
func rawValue(raw jsontext.Value) json.RawMessage {
	switch string(raw) {
	case "true":
		return rawTrue
	case "false":
		return rawFalse
	}
	return append(json.RawMessage(nil), raw...)
}

func (fd *fastDecoder) rules() ([]Rule, error) {
	return list(fd, 0, func(r *Rule, name []byte) (err error) {
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
	return list(fd, 1, func(c *Condition, name []byte) (err error) {
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
	if fd.null() {
		return nil, fd.skipNull()
	}
	if err := fd.open('['); err != nil {
		return nil, err
	}
	out := []any{}
	for fd.more() {
		raw, err := fd.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		var v any
		switch raw.Kind() {
		case '"':
			v = fd.strs.make(fd.unquote(raw))
		case '0':
			n, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return nil, errFallback
			}
			v = n
		case 't':
			v = true
		case 'f':
			v = false
		case 'n':
		default:
			if err := jsonv2.Unmarshal(raw, &v); err != nil {
				return nil, errFallback
			}
		}
		out = append(out, v)
	}
	return out, fd.close()
}

func (fd *fastDecoder) serve(s *Serve) error {
	if fd.null() {
		*s = Serve{}
		return fd.skipNull()
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
	return list(fd, 2, func(w *Weighted, name []byte) (err error) {
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
func list[T any](fd *fastDecoder, capacity int, member func(t *T, name []byte) error) ([]T, error) {
	if fd.null() {
		return nil, fd.skipNull()
	}
	if err := fd.open('['); err != nil {
		return nil, err
	}
	out := make([]T, 0, capacity)
	for fd.more() {
		var zero T
		out = append(out, zero)
		t := &out[len(out)-1]
		if err := fd.object(func(name []byte) error { return member(t, name) }); err != nil {
			return nil, err
		}
	}
	return out, fd.close()
}

// object reads one object, handing each member's name to member, which
// reads the value.
func (fd *fastDecoder) object(member func(name []byte) error) error {
	if err := fd.open('{'); err != nil {
		return err
	}
	for fd.more() {
		name, err := fd.name()
		if err != nil {
			return err
		}
		if err := member(name); err != nil {
			return err
		}
	}
	return fd.close()
}

// more reports whether the object or list being read has another member.
// On malformed input it reports true, and the read that follows fails.
func (fd *fastDecoder) more() bool {
	k := fd.dec.PeekKind()
	return k != '}' && k != ']'
}

// null reports whether the next value is null.
func (fd *fastDecoder) null() bool { return fd.dec.PeekKind() == 'n' }

func (fd *fastDecoder) skipNull() error {
	_, err := fd.dec.ReadToken()
	return err
}

// open reads the start of an object or list of kind k.
func (fd *fastDecoder) open(k jsontext.Kind) error {
	if fd.dec.PeekKind() != k {
		return errFallback
	}
	_, err := fd.dec.ReadToken()
	return err
}

// close reads the end of an object or list.
func (fd *fastDecoder) close() error {
	_, err := fd.dec.ReadToken()
	return err
}

// name reads an object member's name. The result is valid until the next
// read.
func (fd *fastDecoder) name() ([]byte, error) {
	raw, err := fd.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	return fd.unquote(raw), nil
}

// unquote returns the contents of a string the decoder has validated; it
// aliases raw unless the string has escapes.
func (fd *fastDecoder) unquote(raw jsontext.Value) []byte {
	if len(raw) < 2 {
		return nil
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	b, err := jsontext.AppendUnquote(fd.buf[:0], raw)
	if err != nil {
		return nil // unreachable: the decoder validated the string
	}
	fd.buf = b
	return b
}

// text reads a string (null is ""), returning its contents valid until the
// next read.
func (fd *fastDecoder) text() ([]byte, error) {
	raw, err := fd.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	switch raw.Kind() {
	case '"':
		return fd.unquote(raw), nil
	case 'n':
		return nil, nil
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
	if fd.null() {
		return nil, fd.skipNull()
	}
	if err := fd.open('['); err != nil {
		return nil, err
	}
	out := []string{}
	for fd.more() {
		s, err := fd.short()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, fd.close()
}

func (fd *fastDecoder) bool() (bool, error) {
	raw, err := fd.dec.ReadValue()
	if err != nil {
		return false, err
	}
	switch raw.Kind() {
	case 't':
		return true, nil
	case 'f', 'n':
		return false, nil
	}
	return false, errFallback
}

// int64 reads a number that must be an integer. Only plain digits are
// taken; Unmarshal decides the rest (fractions, exponents, overflow).
func (fd *fastDecoder) int64() (int64, error) {
	raw, err := fd.dec.ReadValue()
	if err != nil {
		return 0, err
	}
	switch raw.Kind() {
	case 'n':
		return 0, nil
	case '0':
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
	raw, err := fd.dec.ReadValue()
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
	raw, err := fd.dec.ReadValue()
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
type stringCache [512]string

func (c *stringCache) make(b []byte) string {
	const maxCached = 64
	if len(b) < 2 || len(b) > maxCached {
		return string(b)
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
	i := h >> (64 - 9)
	if s := c[i]; s == string(b) {
		return s
	}
	s := string(b)
	c[i] = s
	return s
}
