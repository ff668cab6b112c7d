package ruleset

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// scanner reads JSON straight from the input bytes for the hand decoder.
// jsontext's streaming decoder was two thirds of load time: it keeps a
// state machine and a name table per object so that it can take input in
// pieces, and a ruleset is always whole in memory.
//
// The scanner is strict rather than complete. It accepts only what is
// plainly valid JSON and calls everything else errMalformed, which sends the
// whole document to the reflection decoder; that one reports the problem.
// Composite values it does not walk itself (unknown members, operands that
// are lists, JSON variation values) are checked by jsontext, so what the
// scanner accepts the reflection decoder accepts too.
type scanner struct {
	data []byte
	pos  int
	buf  []byte // scratch for decoding escaped strings
}

// errMalformed says the input is not plainly valid JSON. It never leaves
// this package's decoder.
var errMalformed = errors.New("ruleset: malformed JSON, leave to the reflection decoder")

// spaces8 is eight spaces read as one word: indentation is most of a
// pretty-printed ruleset's whitespace.
const spaces8 = 0x2020202020202020

// peek skips whitespace and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	d, i := s.data, s.pos
	for i < len(d) {
		c := d[i]
		if c > ' ' {
			s.pos = i
			return c
		}
		switch c {
		case '\n':
			// Indentation follows a newline: skip it a word at a time,
			// stopping at the first byte that is not a space.
			i++
			for i+8 <= len(d) {
				x := binary.LittleEndian.Uint64(d[i:i+8]) ^ spaces8
				if x != 0 {
					i += bits.TrailingZeros64(x) / 8
					break
				}
				i += 8
			}
		case ' ', '\t', '\r':
			i++
		default:
			s.pos = i
			return c
		}
	}
	s.pos = i
	return 0
}

// at reports whether the byte at pos is c, without skipping whitespace:
// cheaper than peek where there is usually none.
func (s *scanner) at(c byte) bool { return s.pos < len(s.data) && s.data[s.pos] == c }

// atEnd reports whether only whitespace is left.
func (s *scanner) atEnd() bool { return s.peek() == 0 && s.pos == len(s.data) }

// open consumes the opening bracket c of an object or list. Another kind of
// value is errFallback: valid JSON of a shape the hand decoder leaves alone.
func (s *scanner) open(c byte) error {
	if s.peek() != c {
		return errFallback
	}
	s.pos++
	return nil
}

// openOrNull reads null, reporting true, or the opening bracket c of an
// object or list. Another kind of value is errFallback.
func (s *scanner) openOrNull(c byte) (bool, error) {
	switch s.peek() {
	case c:
		s.pos++
		return false, nil
	case 'n':
		return true, s.literal("null")
	}
	return false, errFallback
}

// more starts element i of the object or list being read, which closes
// with closing: it consumes the comma before every element but the first,
// and reports false once it has consumed the closing bracket.
func (s *scanner) more(i int, closing byte) (bool, error) {
	c := s.peek()
	if c == closing {
		s.pos++
		return false, nil
	}
	if i == 0 {
		return true, nil
	}
	if c != ',' {
		return false, errMalformed
	}
	s.pos++
	if c := s.peek(); c == '}' || c == ']' {
		return false, errMalformed // a trailing comma
	}
	return true, nil
}

// name reads an object member's name and the colon after it. The name
// aliases the input; a name with escapes is errFallback, which keeps
// fieldSet's duplicate check simple.
func (s *scanner) name() ([]byte, error) {
	if !s.at('"') && s.peek() != '"' {
		return nil, errMalformed
	}
	start := s.pos
	b, err := s.str()
	if err != nil {
		return nil, err
	}
	if s.pos-start != len(b)+2 {
		return nil, errFallback
	}
	if !s.at(':') && s.peek() != ':' {
		return nil, errMalformed
	}
	s.pos++
	return b, nil
}

// str reads the string at pos and returns its contents: an alias of the
// input, or for a string with escapes a decoding in s.buf that is valid
// until the next read.
func (s *scanner) str() ([]byte, error) {
	d := s.data
	start := s.pos + 1
	// A word at a time up to the first byte that needs a closer look,
	// usually the closing quote.
	i := start
	for {
		if i+8 > len(d) {
			return s.strSlow(start, i)
		}
		if m := specialBytes(binary.LittleEndian.Uint64(d[i : i+8])); m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
		i += 8
	}
	if d[i] != '"' {
		return s.strSlow(start, i)
	}
	s.pos = i + 1
	return d[start:i], nil
}

// specialBytes marks, with its top bit, each byte of w that a string can't
// hold as it is: a quote, a backslash, a control byte or a non-ASCII byte.
// Bytes above the first marked one may be marked wrongly (borrows carry
// upward), so only the lowest mark is to be trusted.
func specialBytes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	control := (w - 0x20*ones) & ^w & highs
	return zero(w^('"'*ones)) | zero(w^('\\'*ones)) | control | w&highs
}

// strSlow finishes a string from i on byte by byte: one that holds escapes
// or non-ASCII bytes, which jsontext and utf8 check, or one that ends within
// eight bytes of the input's end.
func (s *scanner) strSlow(start, i int) ([]byte, error) {
	d := s.data
	escaped := false
	for ; i < len(d) && d[i] != '"'; i++ {
		switch c := d[i]; {
		case c == '\\':
			escaped = true
			i++ // the escaped byte can't end the string
		case c < 0x20:
			return nil, errMalformed
		}
	}
	if i >= len(d) {
		return nil, errMalformed
	}
	s.pos = i + 1
	if !escaped {
		if !utf8.Valid(d[start:i]) {
			return nil, errMalformed
		}
		return d[start:i], nil
	}
	b, err := jsontext.AppendUnquote(s.buf[:0], d[start-1:i+1])
	if err != nil {
		return nil, errMalformed
	}
	s.buf = b
	return b, nil
}

// number reads a number, checked against JSON's grammar, and returns its
// text.
func (s *scanner) number() ([]byte, error) {
	d, start := s.data, s.pos
	i := start
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i+1)
	default:
		return nil, errMalformed
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return nil, errMalformed
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return nil, errMalformed
		}
		i = j
	}
	s.pos = i
	return d[start:i], nil
}

func digits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}

// literal reads true, false or null, whichever word starts at pos.
func (s *scanner) literal(word string) error {
	end := s.pos + len(word)
	if end > len(s.data) || string(s.data[s.pos:end]) != word {
		return errMalformed
	}
	s.pos = end
	return nil
}

// value reads any value and returns its bytes. Objects and lists are found
// by matching brackets, then checked whole by jsontext (which also rejects
// duplicate names and bad UTF-8 inside them, as the reflection decoder
// would).
func (s *scanner) value() ([]byte, error) {
	c := s.peek()
	start := s.pos
	var err error
	switch c {
	case '"':
		_, err = s.str()
	case 't':
		err = s.literal("true")
	case 'f':
		err = s.literal("false")
	case 'n':
		err = s.literal("null")
	case '{', '[':
		return s.composite()
	default:
		_, err = s.number()
	}
	if err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

// composite reads the object or list at pos.
func (s *scanner) composite() ([]byte, error) {
	d, start := s.data, s.pos
	depth := 0
	for i := start; i < len(d); i++ {
		switch d[i] {
		case '"':
			for i++; i < len(d) && d[i] != '"'; i++ {
				if d[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				raw := jsontext.Value(d[start : i+1])
				if !raw.IsValid() {
					return nil, errMalformed
				}
				s.pos = i + 1
				return raw, nil
			}
		}
	}
	return nil, errMalformed
}

// fieldSet remembers an object's member names so that a repeated one is
// caught, as jsontext rejects it. Names are told apart by length first:
// most members of one object differ in length, so few are compared at all.
type fieldSet struct {
	lengths uint64 // bit n: some name of length n (64 and over share bit 63)
	names   [16][]byte
	n       int
}

// add records name, reporting errMalformed for a repeat and errFallback for
// an object with more members than any the hand decoder reads.
func (f *fieldSet) add(name []byte) error {
	bit := uint64(1) << min(len(name), 63)
	if f.lengths&bit != 0 {
		for _, seen := range f.names[:f.n] {
			if string(seen) == string(name) {
				return errMalformed
			}
		}
	}
	if f.n == len(f.names) {
		return errFallback
	}
	f.lengths |= bit
	f.names[f.n] = name
	f.n++
	return nil
}
