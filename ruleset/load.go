package ruleset

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
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
	Schema      int                       `json:"schema"`
	Environment string                    `json:"environment"`
	Version     int64                     `json:"version"`
	PublishedAt time.Time                 `json:"published_at"`
	Source      Source                    `json:"source"`
	Flags       map[string]jsontext.Value `json:"flags"`
	Segments    map[string]jsontext.Value `json:"segments"`
}

// Load parses and checks a wire ruleset (it came over the network: nothing
// is trusted) and compiles it into its query-ready form. A ruleset that is
// malformed, or wrong in a way this package understands, is an error of type
// Problems naming every problem by field path. A flag that uses a field,
// type or operator newer than this package knows is not an error: it is
// quarantined (see Ruleset.Quarantined) and the other flags load. Load never
// panics.
//
// A large ruleset (a flags object of 1 MB or more, or 2,000 flags or more)
// is decoded and compiled on up to GOMAXPROCS goroutines; the result is the
// same as on one.
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
	return loadWith(decode, data)
}

// loadWith is load with the decoder as a parameter, so that tests can hold
// the hand decoder to the reflection one's results.
func loadWith(decode func([]byte) (*decoded, *Problem), data []byte) (*Ruleset, Problems) {
	rs, _, ps := loadDocumentIn(decode, data, 0, false)
	return rs, ps
}

// LoadDocument is LoadNamed for tools that also need the wire form, such
// as the CLI explaining an evaluation: it returns the ruleset and the
// Document it was loaded from, less the flags that were quarantined and the
// segments this version does not understand. A Ruleset does not keep its
// Document (it was 40% of the heap a loaded ruleset holds), so this is the
// way to get one without decoding twice. The Document is the caller's.
func LoadDocument(name string, data []byte) (*Ruleset, *Document, error) {
	rs, doc, ps := loadDocumentIn(decode, data, 0, true)
	if len(ps) > 0 {
		for i := range ps {
			ps[i].File = name
		}
		return nil, nil, ps
	}
	return rs, doc, nil
}

// loadDocumentIn loads data with the given decoder, compiling flags in the
// given number of parts (0: as many as is worth it). With withDoc it also
// returns the Document, less what failed or was quarantined.
func loadDocumentIn(decode func([]byte) (*decoded, *Problem), data []byte, workers int, withDoc bool) (*Ruleset, *Document, Problems) {
	if len(data) > MaxRulesetSize {
		return nil, nil, Problems{{Message: fmt.Sprintf("ruleset is %d bytes, more than the %d allowed", len(data), MaxRulesetSize)}}
	}
	dec, problem := decode(data)
	if problem != nil {
		return nil, nil, Problems{*problem}
	}
	l := loader{}
	switch {
	case dec.Schema < 1:
		l.addf("schema", "missing or invalid schema version %d", dec.Schema)
	case dec.Environment == "":
		l.addf("environment", "missing environment")
	case dec.Version < 0:
		l.addf("version", "negative version %d", dec.Version)
	}
	if !dec.hasFlags {
		l.addf("flags", "missing flags")
	}
	if len(l.problems) > 0 {
		return nil, nil, l.problems
	}
	// The decoded maps become the Document's, less what fails or is
	// quarantined: copying them cost a fifth of the heap a load allocates.
	if dec.Segments == nil {
		dec.Segments = map[string]Segment{}
	}
	doc := &Document{
		Schema: dec.Schema, Environment: dec.Environment, Version: dec.Version,
		PublishedAt: dec.PublishedAt, Source: dec.Source,
		Segments: dec.Segments,
	}
	if withDoc {
		doc.Flags = dec.flagMap()
	}
	p := newPrinter()
	rs := &Ruleset{
		schema:      dec.Schema,
		environment: dec.Environment,
		version:     dec.Version,
		publishedAt: dec.PublishedAt,
		source:      dec.Source,
		header:      p.header(doc),
		entries:     make([]flagEntry, 0, len(dec.flagList)),
		quarantined: map[string]string{},
	}
	// Segments first: flags point at them. A segment from a newer format is
	// left out, and every flag that uses it is quarantined.
	segments := make(map[string]*segment, len(dec.Segments))
	unknownSegments := map[string]error{}
	for _, key := range sortedKeys(dec.Segments) {
		path := "segments." + key
		if err := dec.segmentErrs[key]; err != nil {
			delete(doc.Segments, key)
			l.decodeError(path, err, func(e error) { unknownSegments[key] = e })
			continue
		}
		s := dec.Segments[key]
		cs, err := l.compileSegment(func() string { return path }, key, &s)
		if err != nil {
			delete(doc.Segments, key)
			unknownSegments[key] = err
			continue
		}
		if cs != nil {
			cs.prepare()
			segments[key] = cs
			rs.segments = append(rs.segments, segmentEntry{key: key, print: p.segment(&s)})
		}
	}
	l.segments = segments
	l.unknownSegments = unknownSegments
	flags := make(map[string]*flag, len(dec.flagList))
	for _, part := range l.compileFlags(dec, workers) {
		l.problems = append(l.problems, part.problems...)
		for i, kf := range part.run {
			if f := part.flags[i]; f != nil {
				flags[kf.key] = f
			}
		}
		for _, q := range part.quarantined {
			delete(doc.Flags, q.key)
			rs.quarantined[q.key] = q.why
		}
		rs.entries = append(rs.entries, part.entries...)
	}
	if len(l.problems) > 0 {
		return nil, nil, l.problems
	}
	rs.table = newFlagTable(flags)
	if !withDoc {
		doc = nil
	}
	return rs, doc, nil
}

// decoded is a ruleset as decoded, before checking: a flag or segment that
// failed to decode on its own has an entry in flagErrs or segmentErrs (and a
// zero value in Flags or Segments).
type decoded struct {
	Document
	flagErrs    map[string]error
	segmentErrs map[string]error
	// slowFlags counts the flags the hand decoder left to reflection; tests
	// check that well-formed flags never need it.
	slowFlags int
	// flagParts is how many parts the hand decoder read the flags in.
	flagParts int
	// flagList is every flag, sorted by key. The hand decoder fills it
	// instead of Document.Flags: a map would hold a second copy of every
	// flag, and Load never needs one. hasFlags says the document has a
	// flags object at all.
	flagList []keyedFlagRef
	hasFlags bool
}

type keyedFlagRef struct {
	key  string
	flag *Flag
}

// listFlags moves the flags the reflection decoder gives as a map into
// flagList, so that both decoders hand over the same form.
func (d *decoded) listFlags() {
	if d.Flags == nil {
		return
	}
	d.hasFlags = true
	d.flagList = make([]keyedFlagRef, 0, len(d.Flags))
	for _, key := range sortedKeys(d.Flags) {
		f := d.Flags[key]
		d.flagList = append(d.flagList, keyedFlagRef{key, &f})
	}
	d.Flags = nil
}

// flagMap returns the flags as a map, or nil when there is no flags object.
func (d *decoded) flagMap() map[string]Flag {
	if !d.hasFlags {
		return nil
	}
	m := make(map[string]Flag, len(d.flagList))
	for _, kf := range d.flagList {
		m[kf.key] = *kf.flag
	}
	return m
}

// decodeReflect decodes a ruleset by reflection; it is the reference for
// the hand decoder (see decode) and what decodes whatever that one leaves.
// The common case, a ruleset this version fully understands, takes one
// strict pass straight into a Document. Anything else (unknown fields to
// quarantine, type errors to report per flag) takes a second pass that
// decodes each flag and segment on its own.
func decodeReflect(data []byte) (*decoded, *Problem) {
	var doc Document
	if decodeStrict(data, &doc) == nil {
		dec := &decoded{Document: doc}
		dec.listFlags()
		return dec, nil
	}
	var raw rawDocument
	if err := jsonv2.Unmarshal(data, &raw, jsonOptions); err != nil {
		p := jsonProblem(data, "", err)
		return nil, &p
	}
	dec := &decoded{
		Document: Document{
			Schema: raw.Schema, Environment: raw.Environment, Version: raw.Version,
			PublishedAt: raw.PublishedAt, Source: raw.Source,
		},
		flagErrs: map[string]error{}, segmentErrs: map[string]error{},
	}
	if raw.Flags != nil {
		dec.Flags = make(map[string]Flag, len(raw.Flags))
	}
	dec.Segments = make(map[string]Segment, len(raw.Segments))
	for key, msg := range raw.Flags {
		var f Flag
		if err := decodeStrict(msg, &f); err != nil {
			dec.flagErrs[key] = err
		}
		dec.Flags[key] = f
	}
	for key, msg := range raw.Segments {
		var s Segment
		if err := decodeStrict(msg, &s); err != nil {
			dec.segmentErrs[key] = err
		}
		dec.Segments[key] = s
	}
	dec.listFlags()
	return dec, nil
}

func decodeStrict(data []byte, v any) error {
	return jsonv2.Unmarshal(data, v, jsonOptions, jsonv2.RejectUnknownMembers(true))
}

// jsonOptions decodes json.RawMessage fields (variation values) straight
// from the decoder; through their UnmarshalJSON method v2 takes a slower,
// allocating path that was a sixth of load time.
var jsonOptions = jsonv2.WithUnmarshalers(jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *json.RawMessage) error {
	val, err := dec.ReadValue()
	if err != nil {
		return err
	}
	*v = append((*v)[:0], val...)
	return nil
}))

// loader gathers problems while compiling one ruleset (or, when flags
// compile in parts, one part of it).
type loader struct {
	problems        Problems
	segments        map[string]*segment
	unknownSegments map[string]error
	// The compiled form's pieces come from slabs, a chunk at a time.
	flagSlab      slab[flag]
	variationSlab slab[variation]
	ruleSlab      slab[rule]
	conditionSlab slab[condition]
}

func (l *loader) addf(path, format string, args ...any) {
	l.problems = append(l.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// decodeError sorts a decoding failure: an unknown field means newer content
// (quarantine); anything else is a malformed ruleset (a problem).
func (l *loader) decodeError(path string, err error, quarantine func(error)) {
	var se *jsonv2.SemanticError
	if errors.As(err, &se) && errors.Is(se.Err, jsonv2.ErrUnknownName) {
		quarantine(fmt.Errorf("%w: unknown field %s", errUnknown, dotted(path, se.JSONPointer)))
		return
	}
	p := jsonProblem(nil, path, err)
	l.problems = append(l.problems, p)
}

// jsonProblem turns a decoding error into a Problem: a field path from the
// error's JSON pointer (under base), and a line and column when data holds
// the whole document.
func jsonProblem(data []byte, base string, err error) Problem {
	p := Problem{Path: base, Message: "invalid JSON: " + err.Error()}
	var offset int64 = -1
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &syn):
		offset = syn.ByteOffset
		p.Path = dotted(base, syn.JSONPointer)
		p.Message = "invalid JSON: " + syn.Err.Error()
	case errors.As(err, &sem):
		offset = sem.ByteOffset
		p.Path = dotted(base, sem.JSONPointer)
		switch {
		case sem.GoType != nil && sem.JSONKind != 0:
			p.Message = fmt.Sprintf("want %s, got %s", goTypeName(sem.GoType.String()), kindName(sem.JSONKind))
		case sem.Err != nil:
			p.Message = sem.Err.Error()
		}
	}
	if data != nil && offset >= 0 {
		p.Line, p.Col = lineCol(data, offset)
	}
	return p
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "list"
	}
	return k.String()
}

func goTypeName(t string) string {
	switch t {
	case "bool":
		return "boolean"
	case "int", "int64", "float64":
		return "number"
	case "time.Time":
		return "RFC 3339 time"
	case "ruleset.rawDocument", "map[string]jsontext.Value":
		return "object"
	}
	if strings.HasPrefix(t, "[]") {
		return "list"
	}
	if strings.HasPrefix(t, "ruleset.") || strings.HasPrefix(t, "*ruleset.") {
		return "object"
	}
	return t
}

// dotted renders a JSON pointer ("/rules/1/serve") as the field path the
// rest of Cairn uses ("rules[1].serve"), under base.
func dotted(base string, ptr jsontext.Pointer) string {
	out := base
	for tok := range ptr.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && out != "" {
			out += "[" + tok + "]"
			continue
		}
		if out != "" {
			out += "."
		}
		out += tok
	}
	return out
}

// lineCol converts a byte offset to a 1-based line and column.
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
