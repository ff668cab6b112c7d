package ruleset

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// sourceText maps yaml.Node positions back to byte offsets in the text they
// were parsed from, so that an edit can replace exactly the bytes of one
// value and leave every other byte (comments, order, spacing) alone.
type sourceText struct {
	src        []byte
	lineStarts []int
	json       bool // the file is JSON: quote every key and string
}

var errNotInPlace = errors.New("cannot be edited in place")

func newSourceText(src []byte, json bool) *sourceText {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &sourceText{src: src, lineStarts: starts, json: json}
}

// start returns the byte offset of n's first character. yaml.Node columns
// count characters, not bytes.
func (t *sourceText) start(n *yaml.Node) (int, error) {
	if n.Line < 1 || n.Line > len(t.lineStarts) || n.Column < 1 {
		return 0, fmt.Errorf("position %d:%d outside the file: %w", n.Line, n.Column, errNotInPlace)
	}
	off := t.lineStarts[n.Line-1]
	for range n.Column - 1 {
		if off >= len(t.src) || t.src[off] == '\n' {
			return 0, fmt.Errorf("position %d:%d outside the file: %w", n.Line, n.Column, errNotInPlace)
		}
		_, size := utf8.DecodeRune(t.src[off:])
		off += size
	}
	return off, nil
}

// end returns the offset just after the last character of n's text.
func (t *sourceText) end(n *yaml.Node) (int, error) {
	switch {
	case n.Kind == yaml.ScalarNode:
		off, err := t.start(n)
		if err != nil {
			return 0, err
		}
		return t.scalarEnd(n, off)
	case (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle != 0:
		off, err := t.start(n)
		if err != nil {
			return 0, err
		}
		return t.flowEnd(off)
	case (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && len(n.Content) > 0:
		return t.end(n.Content[len(n.Content)-1])
	}
	return 0, fmt.Errorf("a %s: %w", describeNode(n), errNotInPlace)
}

func (t *sourceText) scalarEnd(n *yaml.Node, off int) (int, error) {
	src := t.src
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0 && off < len(src) && src[off] == '"':
		for i := off + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0 && off < len(src) && src[off] == '\'':
		for i := off + 1; i < len(src); i++ {
			if src[i] != '\'' {
				continue
			}
			if i+1 < len(src) && src[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, nil
		}
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) == 0 && !strings.Contains(n.Value, "\n") &&
		bytes.HasPrefix(src[off:], []byte(n.Value)):
		return off + len(n.Value), nil
	}
	return 0, fmt.Errorf("value %q at %d:%d: %w", clip(n.Value), n.Line, n.Column, errNotInPlace)
}

// flowEnd returns the offset after the bracket that closes the flow
// collection opening at off, skipping brackets inside quoted strings.
func (t *sourceText) flowEnd(off int) (int, error) {
	depth := 0
	src := t.src
	for i := off; i < len(src); i++ {
		switch src[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(src) && (src[i] != '\'' || i+1 < len(src) && src[i+1] == '\''); i++ {
				if src[i] == '\'' {
					i++
				}
			}
		}
	}
	return 0, fmt.Errorf("unclosed flow collection: %w", errNotInPlace)
}

// lineEnd returns the offset of the newline ending the line that holds off,
// or len(src).
func (t *sourceText) lineEnd(off int) int {
	if i := bytes.IndexByte(t.src[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(t.src)
}

// splice returns the text with src[from:to] replaced by repl.
func (t *sourceText) splice(from, to int, repl string) []byte {
	out := make([]byte, 0, len(t.src)-(to-from)+len(repl))
	out = append(out, t.src[:from]...)
	out = append(out, repl...)
	return append(out, t.src[to:]...)
}

// scalar renders s as a YAML (or JSON) string scalar that reads back as s:
// plain when that is unambiguous, quoted otherwise.
func (t *sourceText) scalar(s string) string {
	if t.json || !keyPattern.MatchString(s) {
		return strconv.Quote(s)
	}
	var n yaml.Node
	if yaml.Unmarshal([]byte("v: "+s), &n) == nil && len(n.Content) == 1 && len(n.Content[0].Content) == 2 {
		if v := n.Content[0].Content[1]; v.ShortTag() == "!!str" && v.Value == s {
			return s
		}
	}
	return strconv.Quote(s)
}

// mapValue returns the key and value nodes of key in mapping n, or nils.
func mapValue(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// indentOf returns the indentation of a block mapping's keys.
func indentOf(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 || n.Content[0].Column < 1 {
		return ""
	}
	return strings.Repeat(" ", n.Content[0].Column-1)
}

// insertEntry adds key with a value to mapping m. For a block mapping the
// entry goes on new lines after the last entry, indented like the others,
// and block(indent) renders the value (text after "key:"); for a flow
// mapping (or a JSON object) it goes first and flow renders the value.
func (t *sourceText) insertEntry(m *yaml.Node, key string, block func(indent string) string, flow string) ([]byte, error) {
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s at %d:%d is not a mapping: %w", describeNode(m), m.Line, m.Column, errNotInPlace)
	}
	if m.Style&yaml.FlowStyle != 0 {
		off, err := t.start(m)
		if err != nil {
			return nil, err
		}
		entry := t.scalar(key) + ": " + flow
		if len(m.Content) > 0 {
			entry += ", "
		}
		return t.splice(off+1, off+1, entry), nil
	}
	if t.json || len(m.Content) == 0 {
		return nil, fmt.Errorf("mapping at %d:%d: %w", m.Line, m.Column, errNotInPlace)
	}
	last, err := t.end(m)
	if err != nil {
		return nil, err
	}
	at := t.lineEnd(last)
	indent := indentOf(m)
	return t.splice(at, at, "\n"+indent+t.scalar(key)+":"+block(indent)), nil
}
