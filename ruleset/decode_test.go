package ruleset

import (
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
)

// checkDecodeAgrees holds the hand decoder (decode) to the reflection
// decoder (decodeReflect), the reference: for any input both must fail with
// the same problem or succeed with the same Document and the same per-flag
// and per-segment errors, and loading must quarantine the same flags and
// report the same problems.
func checkDecodeAgrees(t *testing.T, data []byte) {
	t.Helper()
	got, gotP := decode(data)
	want, wantP := decodeReflect(data)
	if !reflect.DeepEqual(gotP, wantP) {
		t.Fatalf("problem:\nhand:       %v\nreflection: %v", gotP, wantP)
	}
	if gotP == nil {
		g, w := normalizeDecoded(got), normalizeDecoded(want)
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("decoded differently:\nhand:       %s\nreflection: %s", diffHint(g, w), diffHint(w, g))
		}
	}
	rs, ps := loadWith(decode, data)
	rsRef, psRef := loadWith(decodeReflect, data)
	if !reflect.DeepEqual(ps, psRef) {
		t.Fatalf("load problems:\nhand:       %v\nreflection: %v", ps, psRef)
	}
	if (rs == nil) != (rsRef == nil) {
		t.Fatalf("load: hand ruleset %v, reflection ruleset %v", rs != nil, rsRef != nil)
	}
	if rs != nil {
		if q, qRef := rs.Quarantined(), rsRef.Quarantined(); !maps.Equal(q, qRef) {
			t.Fatalf("quarantined:\nhand:       %v\nreflection: %v", q, qRef)
		}
		if !rs.SameContent(rsRef) || !reflect.DeepEqual(rs.FlagKeys(), rsRef.FlagKeys()) {
			t.Fatal("loaded rulesets differ")
		}
	}
}

// comparableDecoded is a decoded ruleset with the differences that don't
// matter taken out: errors as text, flags and segments that failed to
// decode zeroed (nothing reads them), no segments as an empty map (load
// treats nil and empty alike; the reflection decoder itself gives either).
type comparableDecoded struct {
	Doc         Document
	FlagErrs    map[string]string
	SegmentErrs map[string]string
}

func normalizeDecoded(d *decoded) comparableDecoded {
	c := comparableDecoded{Doc: d.Document, FlagErrs: map[string]string{}, SegmentErrs: map[string]string{}}
	c.Doc.Flags = maps.Clone(d.flagMap())
	c.Doc.Segments = maps.Clone(d.Segments)
	if c.Doc.Segments == nil {
		c.Doc.Segments = map[string]Segment{}
	}
	for k, err := range d.flagErrs {
		c.FlagErrs[k] = err.Error()
		c.Doc.Flags[k] = Flag{}
	}
	for k, err := range d.segmentErrs {
		c.SegmentErrs[k] = err.Error()
		c.Doc.Segments[k] = Segment{}
	}
	return c
}

// diffHint names the first part of a that differs from b.
func diffHint(a, b comparableDecoded) string {
	if !reflect.DeepEqual(a.FlagErrs, b.FlagErrs) {
		return fmt.Sprintf("flag errors %v", a.FlagErrs)
	}
	if !reflect.DeepEqual(a.SegmentErrs, b.SegmentErrs) {
		return fmt.Sprintf("segment errors %v", a.SegmentErrs)
	}
	for k, f := range a.Doc.Flags {
		if g, ok := b.Doc.Flags[k]; !ok || !reflect.DeepEqual(f, g) {
			return fmt.Sprintf("flag %q: %#v", k, f)
		}
	}
	if (a.Doc.Flags == nil) != (b.Doc.Flags == nil) {
		return fmt.Sprintf("flags nil: %v", a.Doc.Flags == nil)
	}
	for k, s := range a.Doc.Segments {
		if g, ok := b.Doc.Segments[k]; !ok || !reflect.DeepEqual(s, g) {
			return fmt.Sprintf("segment %q: %#v", k, s)
		}
	}
	a.Doc.Flags, a.Doc.Segments = nil, nil
	return fmt.Sprintf("envelope %#v", a.Doc)
}

// decodeCases are inputs at the edges of what the hand decoder takes: each
// must decode exactly as the reflection decoder does.
var decodeCases = map[string]string{
	"minimal":             `{"schema":1,"environment":"e","version":1,"flags":{}}`,
	"no flags":            `{"schema":1,"environment":"e","version":1}`,
	"null flags":          `{"schema":1,"environment":"e","flags":null,"segments":null}`,
	"null flag":           `{"schema":1,"environment":"e","flags":{"a":null}}`,
	"string flag":         `{"schema":1,"environment":"e","flags":{"a":"x","b":{"key":"b","type":"boolean"}}}`,
	"unknown top level":   `{"schema":1,"environment":"e","flags":{},"future":{"x":[1,2]}}`,
	"unknown flag field":  `{"schema":1,"environment":"e","flags":{"a":{"key":"a","type":"boolean","geo":{"x":1}}}}`,
	"unknown deep field":  `{"schema":1,"environment":"e","flags":{"a":{"key":"a","rules":[{"conditions":[{"op":"eq","values":[1],"x":2}]}]}}}`,
	"case differs":        `{"schema":1,"environment":"e","flags":{"a":{"Key":"a"}}}`,
	"escaped names":       `{"sch\u0065ma":1,"environment":"e\n","flags":{"\u00e9":{"k\u0065y":"\u00e9","type":"boolean"}}}`,
	"float weight":        `{"schema":1,"environment":"e","flags":{"a":{"default":{"split":[{"variation":"on","weight":1.0}]}}}}`,
	"exponent weight":     `{"schema":1,"environment":"e","flags":{"a":{"default":{"split":[{"variation":"on","weight":1e4}]}}}}`,
	"negative zero":       `{"schema":1,"environment":"e","version":-0,"flags":{"a":{"default":{"split":[{"weight":-0}]}}}}`,
	"huge version":        `{"schema":1,"environment":"e","version":99999999999999999999,"flags":{}}`,
	"huge weight":         `{"schema":1,"environment":"e","flags":{"a":{"default":{"split":[{"weight":99999999999999999999}]}}}}`,
	"string schema":       `{"schema":"1","environment":"e","flags":{}}`,
	"huge operand":        `{"schema":1,"environment":"e","flags":{"a":{"rules":[{"conditions":[{"op":"gt","values":[1e999]}]}]}}}`,
	"nested operands":     `{"schema":1,"environment":"e","flags":{"a":{"rules":[{"conditions":[{"op":"in","values":[[1],{"a":null},null,true,false,"s",-1.5e3]}]}]}}}`,
	"null everywhere":     `{"schema":null,"environment":null,"version":null,"published_at":null,"source":null,"flags":{"a":{"key":null,"type":null,"description":null,"owner":null,"tags":null,"expires":null,"variations":null,"enabled":null,"off_variation":null,"salt":null,"bucket_by":null,"rules":null,"default":null,"schedule":null}}}`,
	"null in lists":       `{"schema":1,"environment":"e","flags":{"a":{"tags":[null],"variations":[null,{"key":null,"value":null}],"rules":[null,{"name":null,"conditions":[null,{"values":null}],"serve":{"variation":null,"split":[null],"progressive":null}}]}}}`,
	"empty lists":         `{"schema":1,"environment":"e","flags":{"a":{"tags":[],"variations":[],"rules":[{"conditions":[{"values":[]}],"serve":{"split":[]}}],"schedule":[]}}}`,
	"wrong kinds":         `{"schema":1,"environment":"e","flags":{"a":{"enabled":"yes"},"b":{"rules":{}},"c":{"tags":"x"},"d":{"variations":[1]},"e":{"default":[]}}}`,
	"times":               `{"schema":1,"environment":"e","published_at":"2026-01-02T03:04:05.5+01:00","flags":{"a":{"expires":"2027-03-31T00:00:00Z","schedule":[{"at":"2026-02-01T00:00:00Z","enabled":true}]}}}`,
	"bad time":            `{"schema":1,"environment":"e","flags":{"a":{"expires":"tomorrow"}}}`,
	"bad published_at":    `{"schema":1,"environment":"e","published_at":"soon","flags":{}}`,
	"progressive":         `{"schema":1,"environment":"e","flags":{"a":{"default":{"progressive":{"variation":"on","rest":"off","start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z","from_weight":0,"to_weight":10000}}}}}`,
	"progressive unknown": `{"schema":1,"environment":"e","flags":{"a":{"default":{"progressive":{"curve":"log"}}}}}`,
	"source unknown":      `{"schema":1,"environment":"e","source":{"kind":"git","ci":"x","out_of_band":[{"flag":"a","at":"2026-01-01T00:00:00Z"}]},"flags":{}}`,
	"source wrong kind":   `{"schema":1,"environment":"e","source":{"kind":1},"flags":{}}`,
	"variation values":    `{"schema":1,"environment":"e","flags":{"a":{"type":"json","variations":[{"key":"x","value":{ "a" : [1, 2] }},{"key":"y","value":"s"},{"key":"z","value":null},{"key":"w"}]}}}`,
	"segments":            `{"schema":1,"environment":"e","flags":{},"segments":{"s":{"key":"s","included":["u"],"rules":[{"conditions":[{"attribute":"a","op":"eq","values":["x"]}]}]},"t":{"key":"t","cohort":1},"u":3}}`,
	"duplicate flag":      `{"schema":1,"environment":"e","flags":{"a":{},"a":{}}}`,
	"duplicate field":     `{"schema":1,"environment":"e","flags":{"a":{"key":"a","key":"a"}}}`,
	"syntax in flag":      "{\"schema\":1,\n\"environment\":\"e\",\"flags\":{\"a\":{\"key\":,}}}",
	"trailing garbage":    `{"schema":1,"environment":"e","flags":{}} x`,
	"trailing value":      `{"schema":1,"environment":"e","flags":{}} {}`,
	"not an object":       `[1,2]`,
	"empty":               ``,
	"truncated":           `{"schema":1,"environment":"e","flags":{"a":{"key":"a"`,
	"invalid utf-8":       "{\"schema\":1,\"environment\":\"\xff\",\"flags\":{}}",
	"invalid utf-8 flag":  "{\"schema\":1,\"environment\":\"e\",\"flags\":{\"a\":{\"description\":\"\xff\"}}}",
	"top-level null":      `null`,
	"fallback then fast":  `{"schema":1,"environment":"e","flags":{"a":{"x":[{"y":[1,{"z":2}]}],"key":"a"},"b":{"key":"b","type":"boolean"}}}`,
}

func TestDecodeAgrees(t *testing.T) {
	for name, in := range decodeCases {
		t.Run(name, func(t *testing.T) { checkDecodeAgrees(t, []byte(in)) })
	}
	for _, seed := range vectorSeeds(t) {
		checkDecodeAgrees(t, seed)
	}
	data := mustMarshal(t, manyFlags(60))
	checkDecodeAgrees(t, data)
	// Every mutation TestLoadRejects and the quarantine tests make.
	for _, s := range []string{
		strings.Replace(string(data), `"op": "ends_with"`, `"op": "geo_within"`, 1),
		strings.Replace(string(data), `"enabled": true`, `"enabled": "yes"`, 1),
		strings.Replace(string(data), `"salt": "flag-00001"`, `"salt": "flag-00001", "cohort": 1`, 1),
		strings.Replace(string(data), `"segments": {}`, `"segments": {"beta": {"key": "beta", "cohort_model": "x"}}`, 1),
		strings.Replace(string(data), `"weight": 5000`, `"weight": 5000.5`, 1),
	} {
		checkDecodeAgrees(t, []byte(s))
	}
}

// The hand decoder must take what Marshal writes without help: a flag left
// to reflection would cost the speed the hand decoder is for.
func TestDecodeFastTakesCanonicalRulesets(t *testing.T) {
	docs := []*Document{manyFlags(60)}
	for _, seed := range vectorSeeds(t) {
		_, doc, err := LoadDocument("", seed)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	for i, doc := range docs {
		d, ok := decodeFast(mustMarshal(t, doc))
		if !ok {
			t.Fatalf("document %d: hand decoder gave up", i)
		}
		if d.slowFlags != 0 {
			t.Errorf("document %d: %d flags left to reflection", i, d.slowFlags)
		}
	}
}

// FuzzDecodeAgrees: for any input, the hand decoder agrees with the
// reflection decoder (see checkDecodeAgrees).
func FuzzDecodeAgrees(f *testing.F) {
	for _, seed := range vectorSeeds(f) {
		f.Add(seed)
	}
	for _, in := range decodeCases {
		f.Add([]byte(in))
	}
	f.Add(mustMarshal(f, manyFlags(6)))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodeAgrees(t, data)
		// In parts, however small the input, as a large one is decoded.
		whole, wholeOK := decodeFastIn(data, 1)
		parts, partsOK := decodeFastIn(data, 3)
		if partsOK != wholeOK || partsOK && !reflect.DeepEqual(normalizeDecoded(parts), normalizeDecoded(whole)) {
			t.Fatalf("decoding in 3 parts differs from decoding whole (by hand: %v, %v)", partsOK, wholeOK)
		}
	})
}
