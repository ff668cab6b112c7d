package ruleset

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"math"
	"time"
)

// A Ruleset does not keep its wire form (it was 40% of a loaded ruleset's
// heap). What the SDK needs the wire form for, telling whether two rulesets
// or two flags are the same content, it gets from fingerprints computed at
// load: a 64-bit hash of each flag, each segment and the document header
// (schema, environment, version, publish time, source).
//
// A fingerprint is a structural hash of the decoded wire struct: every field
// in a fixed order, lengths before contents (so no two values share a
// layout), times as instant and offset, variation values compacted, nil and
// empty lists told apart where Marshal tells them apart. It follows the canonical JSON (Marshal): two
// values get the same fingerprint if and only if they marshal to the same
// bytes, up to 64-bit hash collisions. Reordered map keys or reformatted
// variation values don't count as changes; a changed field does. The seed
// is random per process, so fingerprints compare only within one process
// and can't be steered into collisions from outside; two different flags
// get the same fingerprint with probability about 2^-64. It costs about
// 3 ms per 10,000 flags (BenchmarkFingerprint10000Flags), some 3% of Load.

// printSeed seeds every fingerprint in this process: fingerprints of two
// rulesets compare only if made with the same seed.
var printSeed = maphash.MakeSeed()

// printer computes fingerprints: it lays a value out in a buffer (appends
// are cheap, where many small writes to a maphash.Hash took four times as
// long) and hashes the buffer.
type printer struct {
	b   []byte
	buf bytes.Buffer // for compacting variation values
}

func newPrinter() *printer {
	return &printer{b: make([]byte, 0, 1024)}
}

// sum returns the fingerprint of what was written since the last sum and
// starts the next. It is never 0, which Ruleset reserves for "absent".
func (p *printer) sum() uint64 {
	s := maphash.Bytes(printSeed, p.b)
	p.b = p.b[:0]
	if s == 0 {
		s = 1
	}
	return s
}

func (p *printer) u64(v uint64) { p.b = binary.LittleEndian.AppendUint64(p.b, v) }

// int writes a small signed number in as few bytes as it needs.
func (p *printer) int(n int) { p.b = binary.AppendVarint(p.b, int64(n)) }

func (p *printer) tag(b byte) { p.b = append(p.b, b) }

func (p *printer) bool(b bool) {
	if b {
		p.tag(1)
	} else {
		p.tag(0)
	}
}

// size writes a length or count, in one byte when it is small: most are,
// and fewer bytes are faster to hash.
func (p *printer) size(n int) {
	if uint(n) < 0x80 {
		p.b = append(p.b, byte(n))
		return
	}
	p.b = binary.AppendUvarint(p.b, uint64(n))
}

func (p *printer) str(s string) {
	p.size(len(s))
	p.b = append(p.b, s...)
}

func (p *printer) bytes(b []byte) {
	p.size(len(b))
	p.b = append(p.b, b...)
}

// printList writes a list's length. Marshal writes a nil list as null and an
// empty one as [] unless the field is omitempty, when it writes neither:
// nilCounts says whether the difference shows.
func printList[T any](p *printer, s []T, nilCounts bool) {
	switch {
	case !nilCounts:
		p.size(len(s))
	case s == nil:
		p.size(0)
	default:
		p.size(len(s) + 1)
	}
}

// time writes t as Marshal would see it: the instant and the UTC offset
// (RFC 3339 shows both), or nothing at all for a zero time in an omitzero
// field.
func (p *printer) time(t time.Time, omitZero bool) {
	if omitZero && t.IsZero() {
		p.tag(0)
		return
	}
	_, offset := t.Zone()
	p.tag(1)
	p.u64(uint64(t.Unix()))
	p.u64(uint64(t.Nanosecond())<<32 | uint64(uint32(int32(offset))))
}

// raw writes a variation value as Marshal writes it: compacted, and null
// when absent.
func (p *printer) raw(v json.RawMessage) {
	if v == nil {
		v = json.RawMessage("null")
	} else if hasSpace(v) {
		p.buf.Reset()
		if json.Compact(&p.buf, v) == nil {
			v = p.buf.Bytes()
		}
	}
	p.bytes(v)
}

// hasSpace reports whether JSON text v may hold insignificant whitespace:
// any byte up to ' ' (inside strings, JSON allows none of the others raw).
// A loop, because bytes.ContainsAny was a sixth of fingerprinting.
func hasSpace(v []byte) bool {
	for _, c := range v {
		if c <= ' ' {
			return true
		}
	}
	return false
}

// value writes a condition operand: what decoding JSON into any gives, and
// anything else by its JSON encoding.
func (p *printer) value(v any) {
	switch v := v.(type) {
	case nil:
		p.tag('n')
	case bool:
		p.tag('b')
		p.bool(v)
	case string:
		p.tag('s')
		p.str(v)
	case float64:
		p.tag('d')
		p.u64(math.Float64bits(v))
	case []any:
		if v == nil {
			p.tag('n')
			return
		}
		p.tag('l')
		p.size(len(v))
		for _, e := range v {
			p.value(e)
		}
	case map[string]any:
		if v == nil {
			p.tag('n')
			return
		}
		// Marshal sorts object keys, so their order doesn't count.
		p.tag('o')
		p.size(len(v))
		for _, k := range sortedKeys(v) {
			p.str(k)
			p.value(v[k])
		}
	default:
		// Not something a decoder makes; compare by its encoding.
		b, err := json.Marshal(v)
		if err != nil {
			// Marshal fails on it too: fall back to Go's rendering.
			b = fmt.Appendf(nil, "%T %#v", v, v)
		}
		p.tag('j')
		p.bytes(b)
	}
}

func (p *printer) strs(s []string) {
	p.size(len(s))
	for _, e := range s {
		p.str(e)
	}
}

func (p *printer) conditions(cs []Condition) {
	printList(p, cs, true)
	for i := range cs {
		c := &cs[i]
		p.str(c.Attribute)
		p.str(string(c.Op))
		p.size(len(c.Values))
		for _, v := range c.Values {
			p.value(v)
		}
	}
}

func (p *printer) serve(s *Serve) {
	p.str(s.Variation)
	p.size(len(s.Split))
	for _, w := range s.Split {
		p.str(w.Variation)
		p.int(w.Weight)
	}
	if s.Progressive == nil {
		p.tag(0)
		return
	}
	g := s.Progressive
	p.tag(1)
	p.str(g.Variation)
	p.str(g.Rest)
	p.time(g.Start, false)
	p.time(g.End, false)
	p.int(g.FromWeight)
	p.int(g.ToWeight)
}

// flag returns the fingerprint of f.
func (p *printer) flag(f *Flag) uint64 {
	p.str(f.Key)
	p.str(string(f.Type))
	p.str(f.Description)
	p.str(f.Owner)
	p.strs(f.Tags)
	p.time(f.Expires, true)
	printList(p, f.Variations, true)
	for i := range f.Variations {
		p.str(f.Variations[i].Key)
		p.raw(f.Variations[i].Value)
	}
	p.bool(f.Enabled)
	p.str(f.OffVariation)
	p.str(f.Salt)
	p.str(f.BucketBy)
	p.size(len(f.Rules))
	for i := range f.Rules {
		r := &f.Rules[i]
		p.str(r.Name)
		p.conditions(r.Conditions)
		p.serve(&r.Serve)
	}
	p.serve(&f.Default)
	p.size(len(f.Schedule))
	for _, s := range f.Schedule {
		p.time(s.At, false)
		p.bool(s.Enabled)
	}
	return p.sum()
}

// segment returns the fingerprint of s.
func (p *printer) segment(s *Segment) uint64 {
	p.str(s.Key)
	p.str(s.Description)
	p.strs(s.Included)
	p.strs(s.Excluded)
	p.size(len(s.Rules))
	for i := range s.Rules {
		p.conditions(s.Rules[i].Conditions)
	}
	return p.sum()
}

// header returns the fingerprint of everything in d but its flags and
// segments.
func (p *printer) header(d *Document) uint64 {
	p.u64(uint64(d.Schema))
	p.str(d.Environment)
	p.u64(uint64(d.Version))
	p.time(d.PublishedAt, true)
	s := &d.Source
	p.str(s.Kind)
	p.str(s.Commit)
	p.str(s.Author)
	p.str(s.Tool)
	p.str(s.Message)
	p.u64(uint64(s.RollbackOf))
	p.size(len(s.OutOfBand))
	for _, e := range s.OutOfBand {
		p.str(e.Flag)
		p.str(e.Change)
		p.str(e.By)
		p.time(e.At, true)
		p.u64(uint64(e.Version))
	}
	return p.sum()
}
