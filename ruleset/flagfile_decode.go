package ruleset

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// nodeDecoder turns yaml.Nodes into Go values, collecting a Problem, with the
// node's line and column, for everything it cannot take. Its methods report
// ok=false after adding a problem, so callers just skip the value.
type nodeDecoder struct {
	file  string
	probs Problems
	// failed holds the path of every problem and every prefix of it (up to
	// a '.' or '['), so that checks can skip what already failed in O(1).
	failed map[string]bool
	exact  map[string]bool
	// dropped counts the problems past maxProblemsPerFile.
	dropped int
}

// maxProblemsPerFile bounds the report of one file: past it, a broken or
// hostile file gets a count rather than megabytes of output.
const maxProblemsPerFile = 1000

// result returns the problems sorted by position, with a note of those
// dropped.
func (d *nodeDecoder) result() Problems {
	sortProblems(d.probs)
	if d.dropped > 0 {
		d.probs = append(d.probs, Problem{File: d.file, Message: fmt.Sprintf("and %d more problems", d.dropped)})
	}
	return d.probs
}

// mapEntry is one key: value pair of a YAML mapping.
type mapEntry struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

func (d *nodeDecoder) loc(n *yaml.Node) Location {
	if n == nil {
		return Location{File: d.file}
	}
	return Location{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *nodeDecoder) addf(n *yaml.Node, path, format string, args ...any) {
	d.addAt(d.loc(n), path, format, args...)
}

func (d *nodeDecoder) addAt(l Location, path, format string, args ...any) {
	if len(d.probs) < maxProblemsPerFile {
		d.probs = append(d.probs, Problem{File: l.File, Line: l.Line, Col: l.Col, Path: path, Message: fmt.Sprintf(format, args...)})
	} else {
		d.dropped++
	}
	if d.failed == nil {
		d.failed, d.exact = map[string]bool{}, map[string]bool{}
	}
	d.exact[path] = true
	for i := range len(path) {
		if path[i] == '.' || path[i] == '[' {
			d.failed[path[:i]] = true
		}
	}
	d.failed[path] = true
}

// describeNode names what a node holds, for "want X, got Y" messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!str", "!!timestamp":
			return fmt.Sprintf("the string %q", clip(n.Value))
		}
		return "a " + n.ShortTag() + " value"
	}
	return "nothing"
}

// clip shortens long input quoted back in messages.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// fields reads a mapping whose keys are field names. It reports a wrong node
// kind, unknown fields (suggesting the closest known one) and duplicates.
func (d *nodeDecoder) fields(n *yaml.Node, path, what string, known ...string) (map[string]mapEntry, bool) {
	entries, ok := d.entries(n, path, what)
	if !ok {
		return nil, false
	}
	out := make(map[string]mapEntry, len(entries))
	for _, e := range entries {
		if !containsString(known, e.key) {
			msg := fmt.Sprintf("unknown field %q in %s", clip(e.key), what)
			if s := closest(e.key, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.addf(e.keyNode, joinFieldPath(path, e.key), "%s", msg)
			continue
		}
		out[e.key] = e
	}
	return out, true
}

// fieldsAt is fields that also records in at where each known field's value
// stands, for problems found later.
func (d *nodeDecoder) fieldsAt(n *yaml.Node, path, what string, at fieldAt, known ...string) (map[string]mapEntry, bool) {
	m, ok := d.fields(n, path, what, known...)
	for k, e := range m {
		at[k] = d.loc(e.val)
	}
	return m, ok
}

// entries reads a mapping in file order, reporting duplicate and non-scalar
// keys.
func (d *nodeDecoder) entries(n *yaml.Node, path, what string) ([]mapEntry, bool) {
	if n.Kind != yaml.MappingNode {
		d.addf(n, path, "want %s (a mapping), got %s", what, describeNode(n))
		return nil, false
	}
	out := make([]mapEntry, 0, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
			d.addf(k, path, "want a name as key, got %s", describeNode(k))
			continue
		}
		if seen[k.Value] {
			d.addf(k, joinFieldPath(path, k.Value), "%q appears twice", clip(k.Value))
			continue
		}
		seen[k.Value] = true
		out = append(out, mapEntry{key: k.Value, keyNode: k, val: v})
	}
	return out, true
}

func (d *nodeDecoder) seq(n *yaml.Node, path, what string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n, path, "want %s (a list), got %s", what, describeNode(n))
		return nil, false
	}
	return n.Content, true
}

func (d *nodeDecoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.addf(n, path, "want a string, got %s", describeNode(n))
		return "", false
	}
	return n.Value, true
}

func (d *nodeDecoder) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.addf(n, path, "want true or false, got %s", describeNode(n))
		return false, false
	}
	return strings.EqualFold(n.Value, "true"), true
}

func (d *nodeDecoder) integer(n *yaml.Node, path string) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil {
			return i, true
		}
	}
	d.addf(n, path, "want a whole number, got %s", describeNode(n))
	return 0, false
}

func (d *nodeDecoder) strList(n *yaml.Node, path, what string) ([]string, fieldAt, bool) {
	items, ok := d.seq(n, path, what)
	if !ok {
		return nil, nil, false
	}
	out := make([]string, 0, len(items))
	at := make(fieldAt, len(items))
	field := lastField(path)
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		s, ok := d.str(it, fmt.Sprintf("%s[%d]", path, i))
		if !ok {
			continue
		}
		// Every list of names is a set; a repeat is a slip worth a word.
		if seen[s] {
			d.addf(it, fmt.Sprintf("%s[%d]", path, i), "%q is listed twice", clip(s))
			continue
		}
		seen[s] = true
		at[fmt.Sprintf("%s[%d]", field, len(out))] = d.loc(it)
		out = append(out, s)
	}
	return out, at, true
}

// instant reads a date (2026-12-31, midnight UTC) or an RFC 3339 time.
func (d *nodeDecoder) instant(n *yaml.Node, path string) (time.Time, bool) {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!str" || n.ShortTag() == "!!timestamp") {
		if t, ok := parseInstant(n.Value); ok {
			return t, true
		}
	}
	d.addf(n, path, "want a date (2026-12-31) or an RFC 3339 time (2026-12-31T09:00:00Z), got %s", describeNode(n))
	return time.Time{}, false
}

// parseInstant accepts a date (midnight UTC) or an RFC 3339 time, and
// returns it in UTC.
func parseInstant(s string) (time.Time, bool) {
	if len(s) == len(time.DateOnly) {
		t, err := time.Parse(time.DateOnly, s)
		return t, err == nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

var percentPattern = regexp.MustCompile(`^([0-9]{1,3})(?:\.([0-9]{1,2}))?$`)

// percent reads a percentage with at most two decimals and returns it in
// buckets (out of Buckets), exactly: the text is parsed, never a float.
func (d *nodeDecoder) percent(n *yaml.Node, path string) (int, bool) {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		if b, ok := percentToBuckets(n.Value); ok {
			return b, true
		}
	}
	d.addf(n, path, "want a percentage from 0 to 100 with at most two decimals, got %s", describeNode(n))
	return 0, false
}

func percentToBuckets(s string) (int, bool) {
	m := percentPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	whole, _ := strconv.Atoi(m[1])
	frac := 0
	if m[2] != "" {
		frac, _ = strconv.Atoi((m[2] + "0")[:2])
	}
	b := whole*100 + frac
	if b > Buckets {
		return 0, false
	}
	return b, true
}

// bucketsToPercent renders buckets as the shortest exact percentage.
func bucketsToPercent(b int) string {
	s := strconv.Itoa(b / 100)
	switch frac := b % 100; {
	case frac == 0:
	case frac%10 == 0:
		s += "." + strconv.Itoa(frac/10)
	default:
		s += fmt.Sprintf(".%02d", frac)
	}
	return s
}

// operand reads one condition operand: a string, number or boolean. Dates
// stay strings; the operator decides what they mean.
func (d *nodeDecoder) operand(n *yaml.Node, path string) (any, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!timestamp":
			return n.Value, true
		case "!!bool":
			return strings.EqualFold(n.Value, "true"), true
		case "!!int", "!!float":
			if f, ok := yamlNumber(n); ok {
				return f, true
			}
		}
	}
	d.addf(n, path, "want a string, number or boolean, got %s", describeNode(n))
	return nil, false
}

// yamlNumber reads an !!int or !!float scalar as a finite float64.
func yamlNumber(n *yaml.Node) (float64, bool) {
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// jsonValue converts a YAML value to JSON, for json flags. Keys become
// strings; NaN and infinities, binary and custom tags are refused.
func (d *nodeDecoder) jsonValue(n *yaml.Node, path string) (json.RawMessage, bool) {
	before := len(d.probs)
	v := d.plainValue(n, path, 0)
	if len(d.probs) > before {
		return nil, false
	}
	raw, err := json.Marshal(v)
	if err != nil {
		d.addf(n, path, "cannot encode as JSON: %v", err)
		return nil, false
	}
	return raw, true
}

// plainValue converts a YAML node to the values encoding/json produces.
// Problems are added to d; the returned value is then meaningless.
func (d *nodeDecoder) plainValue(n *yaml.Node, path string, depth int) any {
	if depth > maxValueDepth {
		d.addf(n, path, "nested deeper than %d levels", maxValueDepth)
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		entries, _ := d.entries(n, path, "an object")
		m := make(map[string]any, len(entries))
		for _, e := range entries {
			m[e.key] = d.plainValue(e.val, joinFieldPath(path, e.key), depth+1)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = d.plainValue(c, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		return l
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!str", "!!timestamp":
			return n.Value
		case "!!bool":
			return strings.EqualFold(n.Value, "true")
		case "!!int", "!!float":
			if f, ok := yamlNumber(n); ok {
				return f
			}
			d.addf(n, path, "%q is not a number JSON can hold", clip(n.Value))
			return nil
		}
	}
	d.addf(n, path, "want a JSON value, got %s", describeNode(n))
	return nil
}

func joinFieldPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// lastField returns the last dotted element of a path.
func lastField(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closest returns the candidate within edit distance 2 of word, or "" when
// there is none, for "did you mean" hints.
func closest(word string, candidates []string) string {
	if len(word) > 64 {
		return ""
	}
	best, bestDist := "", 3
	for _, c := range candidates {
		if dist := editDistance(word, c); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
