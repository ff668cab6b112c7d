package ruleset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// MaxRulesetSize bounds what Load accepts; a ruleset is a few megabytes at
// the very most (10,000 flags is about 5 MB uncompressed).
const MaxRulesetSize = 64 << 20

// errUnknown marks content from a newer format version. A flag that holds
// some is quarantined instead of failing the whole ruleset.
var errUnknown = errors.New("not supported by this version of cairn")

// rawDocument decodes the envelope while leaving flags and segments raw, so
// that each can be checked (and quarantined) on its own.
type rawDocument struct {
	Schema      int                        `json:"schema"`
	Environment string                     `json:"environment"`
	Version     int64                      `json:"version"`
	PublishedAt time.Time                  `json:"published_at"`
	Source      Source                     `json:"source"`
	Flags       map[string]json.RawMessage `json:"flags"`
	Segments    map[string]json.RawMessage `json:"segments"`
}

// Load parses and checks a wire ruleset (it came over the network: nothing
// is trusted) and compiles it into its query-ready form. A ruleset that is
// malformed, or wrong in a way this package understands, is an error of type
// Problems naming every problem by field path. A flag that uses a field,
// type or operator newer than this package knows is not an error: it is
// quarantined (see Ruleset.Quarantined) and the other flags load. Load never
// panics.
func Load(data []byte) (*Ruleset, error) {
	return LoadNamed("", data)
}

// LoadNamed is Load for input that came from a named file or URL; the name
// prefixes every problem reported.
func LoadNamed(name string, data []byte) (*Ruleset, error) {
	rs, ps := load(data)
	if len(ps) > 0 {
		for i := range ps {
			ps[i].File = name
		}
		return nil, ps
	}
	return rs, nil
}

func load(data []byte) (*Ruleset, Problems) {
	if len(data) > MaxRulesetSize {
		return nil, Problems{{Message: fmt.Sprintf("ruleset is %d bytes, more than the %d allowed", len(data), MaxRulesetSize)}}
	}
	var raw rawDocument
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, Problems{jsonProblem(data, err)}
	}
	l := loader{}
	switch {
	case raw.Schema < 1:
		l.addf("schema", "missing or invalid schema version %d", raw.Schema)
	case raw.Environment == "":
		l.addf("environment", "missing environment")
	case raw.Version < 0:
		l.addf("version", "negative version %d", raw.Version)
	}
	if raw.Flags == nil {
		l.addf("flags", "missing flags")
	}
	if len(l.problems) > 0 {
		return nil, l.problems
	}
	rs := &Ruleset{
		doc: &Document{
			Schema: raw.Schema, Environment: raw.Environment, Version: raw.Version,
			PublishedAt: raw.PublishedAt, Source: raw.Source,
			Flags: make(map[string]Flag, len(raw.Flags)), Segments: make(map[string]Segment, len(raw.Segments)),
		},
		flags:       make(map[string]*flag, len(raw.Flags)),
		segments:    make(map[string]*segment, len(raw.Segments)),
		quarantined: map[string]string{},
		publishedAt: raw.PublishedAt,
	}
	// Segments first: flags point at them. A segment from a newer format is
	// left out, and every flag that uses it is quarantined.
	unknownSegments := map[string]error{}
	for _, key := range sortedKeys(raw.Segments) {
		path := "segments." + key
		var s Segment
		if err := decodeStrict(raw.Segments[key], &s); err != nil {
			l.decodeError(path, err, func(e error) { unknownSegments[key] = e })
			continue
		}
		cs, err := l.compileSegment(path, key, &s)
		if err != nil {
			unknownSegments[key] = err
			continue
		}
		if cs != nil {
			rs.segments[key] = cs
			rs.doc.Segments[key] = s
		}
	}
	l.segments = rs.segments
	l.unknownSegments = unknownSegments
	for _, key := range sortedKeys(raw.Flags) {
		path := "flags." + key
		var f Flag
		quarantine := func(e error) {
			rs.flags[key] = &flag{key: key, quarantine: fmt.Errorf("flag %q: %w", key, e)}
			rs.quarantined[key] = e.Error()
		}
		if err := decodeStrict(raw.Flags[key], &f); err != nil {
			l.decodeError(path, err, quarantine)
			continue
		}
		cf, err := l.compileFlag(path, key, &f)
		if err != nil {
			quarantine(err)
			continue
		}
		if cf != nil {
			rs.flags[key] = cf
			rs.doc.Flags[key] = f
		}
	}
	if len(l.problems) > 0 {
		return nil, l.problems
	}
	rs.table = newFlagTable(rs.flags)
	return rs, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// loader gathers problems while compiling one ruleset.
type loader struct {
	problems        Problems
	segments        map[string]*segment
	unknownSegments map[string]error
}

func (l *loader) addf(path, format string, args ...any) {
	l.problems = append(l.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// decodeError sorts a decoding failure: an unknown field means newer content
// (quarantine); anything else is a malformed ruleset (a problem).
func (l *loader) decodeError(path string, err error, quarantine func(error)) {
	if strings.Contains(err.Error(), "unknown field") {
		quarantine(fmt.Errorf("%w: %s", errUnknown, strings.TrimPrefix(err.Error(), "json: ")))
		return
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		l.addf(joinPath(path, te.Field), "%s is not a %s", te.Value, te.Type)
		return
	}
	l.addf(path, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

func joinPath(base, field string) string {
	if field == "" {
		return base
	}
	return base + "." + field
}

// jsonProblem locates a syntax error by line and column.
func jsonProblem(data []byte, err error) Problem {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the offending one included.
		line, col := lineCol(data, max(se.Offset-1, 0))
		return Problem{Line: line, Col: col, Message: "invalid JSON: " + se.Error()}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := lineCol(data, te.Offset)
		return Problem{Line: line, Col: col, Path: te.Field, Message: fmt.Sprintf("%s is not a %s", te.Value, te.Type)}
	}
	return Problem{Message: "invalid ruleset: " + strings.TrimPrefix(err.Error(), "json: ")}
}

func lineCol(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortStrings(s []string) { sort.Strings(s) }
