package envelope

import (
	"bytes"
	"fmt"
)

// parseCanonical reads an envelope in exactly the form Sign writes:
//
//	{"payload":"B64","payloadType":"TYPE","signatures":[{"keyid":"ID","sig":"B64"},…]}
//
// with an optional final newline. Every string must consist of characters
// JSON never escapes, so this form is the one encoding/json would write
// too. Reading only this form means any change to the object is refused,
// not just the changes the signature covers, and it is several times
// faster than a general JSON decoder on a large payload, which matters on
// every poll.
func parseCanonical(data []byte) (*Envelope, error) {
	p := canonParser{rest: bytes.TrimSuffix(data, []byte("\n"))}
	var env Envelope
	p.lit(`{"payload":"`)
	env.Payload = p.str(&base64Chars)
	p.lit(`","payloadType":"`)
	env.PayloadType = p.str(&typeChars)
	p.lit(`","signatures":[`)
	for p.err == nil && !p.peek(']') {
		if len(env.Signatures) > 0 {
			p.lit(",")
		}
		p.lit(`{"keyid":"`)
		id := p.str(&idChars)
		p.lit(`","sig":"`)
		sig := p.str(&base64Chars)
		p.lit(`"}`)
		env.Signatures = append(env.Signatures, Signature{KeyID: id, Sig: sig})
		if len(env.Signatures) > maxSignatures {
			p.fail("more than %d signatures", maxSignatures)
		}
	}
	p.lit("]}")
	if p.err == nil && len(p.rest) > 0 {
		p.fail("data after the envelope")
	}
	if p.err != nil {
		return nil, fmt.Errorf("%w: not in the canonical form Cairn writes: %w", ErrMalformed, p.err)
	}
	return &env, nil
}

// maxSignatures bounds the work a hostile envelope can ask for.
const maxSignatures = 16

type canonParser struct {
	rest []byte
	err  error
}

func (p *canonParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

func (p *canonParser) lit(s string) {
	if p.err != nil {
		return
	}
	if !bytes.HasPrefix(p.rest, []byte(s)) {
		p.fail("want %q", s)
		return
	}
	p.rest = p.rest[len(s):]
}

func (p *canonParser) peek(c byte) bool { return len(p.rest) > 0 && p.rest[0] == c }

// str reads up to the next quote, every byte of which must be in ok.
func (p *canonParser) str(ok *charSet) string {
	if p.err != nil {
		return ""
	}
	end := bytes.IndexByte(p.rest, '"')
	if end < 0 {
		p.fail("unterminated string")
		return ""
	}
	for _, c := range p.rest[:end] {
		if !ok[c] {
			p.fail("unexpected character %q in a string", c)
			return ""
		}
	}
	s := string(p.rest[:end])
	p.rest = p.rest[end:]
	return s
}

// charSet says which bytes may appear in a string. A table rather than a
// function: the payload is checked byte by byte on every poll.
type charSet [256]bool

// Character classes: the base64 alphabet; what CheckKeyID allows; and
// printable ASCII but for what JSON escapes (", \ and, in encoding/json,
// <, > and &).
var base64Chars, idChars, typeChars = makeSet(isBase64), makeSet(isIDChar), makeSet(isTypeChar)

func makeSet(ok func(byte) bool) charSet {
	var s charSet
	for c := range 256 {
		s[c] = ok(byte(c))
	}
	return s
}

func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

func isIDChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

func isTypeChar(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}
