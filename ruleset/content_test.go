package ruleset

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// canonical is v's canonical JSON, as Marshal writes it but on one line.
func canonical(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// richFlag is a flag with every field set and every list non-empty, so
// that changing any one field changes its canonical JSON. It is built anew
// on every call: tests change it in place.
func richFlag() Flag {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	return Flag{
		Key: "checkout", Type: TypeJSON, Description: "new checkout", Owner: "team-pay",
		Tags: []string{"pay", "q3"}, Expires: at.AddDate(1, 0, 0),
		Variations: []Variation{
			{Key: "a", Value: json.RawMessage(`{"steps":[1,2],"x":"<&>"}`)},
			{Key: "b", Value: json.RawMessage(`null`)},
		},
		Enabled: true, OffVariation: "b", Salt: "checkout-salt", BucketBy: "account",
		Rules: []Rule{
			{Name: "eu", Conditions: []Condition{
				{Attribute: "country", Op: OpIn, Values: []any{"NL", 1.5, true, nil, []any{"x"}, map[string]any{"k": "v"}}},
				{Op: OpInSegment, Values: []any{"beta"}},
			}, Serve: Serve{Split: []Weighted{{Variation: "a", Weight: 2500}, {Variation: "b", Weight: 7500}}}},
		},
		Default: Serve{Variation: "a", Progressive: &Progressive{
			Variation: "a", Rest: "b", Start: at, End: at.Add(time.Hour), FromWeight: 1, ToWeight: 9000,
		}},
		Schedule: []ScheduleStep{{At: at, Enabled: true}},
	}
}

func richSegment() Segment {
	return Segment{
		Key: "beta", Description: "beta testers", Included: []string{"u1"}, Excluded: []string{"u2"},
		Rules: []SegmentRule{{Conditions: []Condition{{Attribute: "plan", Op: OpEquals, Values: []any{"pro"}}}}},
	}
}

func richHeader() Document {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	return Document{
		Schema: 1, Environment: "production", Version: 7, PublishedAt: at,
		Source: Source{
			Kind: SourceEdit, Commit: "abc", Author: "ann", Tool: "cairn", Message: "kill", RollbackOf: 3,
			OutOfBand: []OutOfBandEdit{{Flag: "checkout", Change: "disabled", By: "ann", At: at, Version: 6}},
		},
	}
}

// mutateNth makes the n-th of the single changes mutateNth knows to v,
// which must be addressable, and reports whether there was an n-th. The
// changes are: every string, number and boolean changed; every time moved
// and moved to another UTC offset; every variation value replaced; every
// operand replaced; every list shortened; every pointer set to nil.
// Reflection finds the fields, so a field added to the wire format later is
// covered without changing this test.
func mutateNth(v reflect.Value, n *int) bool {
	hit := func() bool { *n--; return *n < 0 }
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		t := v.Interface().(time.Time)
		if hit() {
			v.Set(reflect.ValueOf(t.Add(time.Second)))
			return true
		}
		if hit() {
			v.Set(reflect.ValueOf(t.In(time.FixedZone("", 3600))))
			return true
		}
		return false
	case reflect.TypeFor[json.RawMessage]():
		if hit() {
			v.SetBytes([]byte(`"changed"`))
			return true
		}
		return false
	}
	switch v.Kind() {
	case reflect.String:
		if hit() {
			v.SetString(v.String() + "x")
			return true
		}
	case reflect.Bool:
		if hit() {
			v.SetBool(!v.Bool())
			return true
		}
	case reflect.Int, reflect.Int64:
		if hit() {
			v.SetInt(v.Int() + 1)
			return true
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if mutateNth(v.Field(i), n) {
				return true
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			return false
		}
		if hit() {
			v.SetZero()
			return true
		}
		return mutateNth(v.Elem(), n)
	case reflect.Slice:
		if v.Len() > 0 && hit() {
			v.Set(v.Slice(0, v.Len()-1))
			return true
		}
		for i := range v.Len() {
			if mutateNth(v.Index(i), n) {
				return true
			}
		}
	case reflect.Interface:
		if hit() {
			var other any = "changed"
			if s, ok := v.Interface().(string); ok {
				other = s + "x"
			}
			v.Set(reflect.ValueOf(&other).Elem())
			return true
		}
	}
	return false
}

// checkEveryChangeCounts changes each field of fresh() in turn and checks
// that the fingerprint changes exactly when the canonical JSON does (it
// always should, since each change is visible in JSON).
func checkEveryChangeCounts[T any](t *testing.T, fresh func() T, print func(*printer, *T) uint64) {
	t.Helper()
	p := newPrinter()
	base := fresh()
	baseJSON, basePrint := canonical(t, base), print(p, &base)
	if again := fresh(); print(p, &again) != basePrint {
		t.Fatal("the same value fingerprints differently twice")
	}
	changes := 0
	for i := 0; ; i++ {
		v := fresh()
		n := i
		if !mutateNth(reflect.ValueOf(&v).Elem(), &n) {
			break
		}
		changes++
		j := canonical(t, v)
		if same := print(p, &v) == basePrint; (j == baseJSON) != same {
			t.Errorf("change %d: JSON equal %v, fingerprint equal %v\n%s", i, j == baseJSON, same, j)
		}
		if j == baseJSON {
			t.Errorf("change %d does not show in JSON: %s", i, j)
		}
	}
	if changes < 10 {
		t.Fatalf("only %d changes tried", changes)
	}
}

func TestFingerprintSeesEveryField(t *testing.T) {
	t.Run("flag", func(t *testing.T) {
		checkEveryChangeCounts(t, richFlag, (*printer).flag)
	})
	t.Run("segment", func(t *testing.T) {
		checkEveryChangeCounts(t, richSegment, (*printer).segment)
	})
	t.Run("header", func(t *testing.T) {
		checkEveryChangeCounts(t, richHeader, (*printer).header)
	})
}

// TestFingerprintFollowsCanonicalJSON: differences that don't show in the
// canonical JSON don't count; ones that do, do.
func TestFingerprintFollowsCanonicalJSON(t *testing.T) {
	var operands []any
	if err := json.Unmarshal([]byte(`[{"b":1,"a":[2,{"d":null,"c":"x"}]}]`), &operands); err != nil {
		t.Fatal(err)
	}
	var reordered []any
	if err := json.Unmarshal([]byte(`[{"a":[2,{"c":"x","d":null}],"b":1}]`), &reordered); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(f *Flag)
	}{
		{"reformatted value", func(f *Flag) { f.Variations[0].Value = json.RawMessage("{ \"steps\" : [1,\n 2], \"x\":\t\"<&>\" }") }},
		{"missing value is null", func(f *Flag) { f.Variations[1].Value = nil }},
		{"no tags", func(f *Flag) { f.Tags = nil }},
		{"empty tags", func(f *Flag) { f.Tags = []string{} }},
		{"no rules", func(f *Flag) { f.Rules = nil }},
		{"empty rules", func(f *Flag) { f.Rules = []Rule{} }},
		{"no variations", func(f *Flag) { f.Variations = nil }},
		{"empty variations", func(f *Flag) { f.Variations = []Variation{} }},
		{"no conditions", func(f *Flag) { f.Rules[0].Conditions = nil }},
		{"empty conditions", func(f *Flag) { f.Rules[0].Conditions = []Condition{} }},
		{"no operands", func(f *Flag) { f.Rules[0].Conditions[0].Values = nil }},
		{"empty operands", func(f *Flag) { f.Rules[0].Conditions[0].Values = []any{} }},
		{"object operand", func(f *Flag) { f.Rules[0].Conditions[0].Values = operands }},
		{"object operand reordered", func(f *Flag) { f.Rules[0].Conditions[0].Values = reordered }},
		{"number operand", func(f *Flag) { f.Rules[0].Conditions[0].Values = []any{1.0} }},
		{"string operand", func(f *Flag) { f.Rules[0].Conditions[0].Values = []any{"1"} }},
		{"negative zero", func(f *Flag) { f.Rules[0].Conditions[0].Values = []any{math.Copysign(0, -1)} }},
		{"nil list operand", func(f *Flag) { f.Rules[0].Conditions[0].Values = []any{[]any(nil)} }},
		{"null operand", func(f *Flag) { f.Rules[0].Conditions[0].Values = []any{nil} }},
		{"no expiry", func(f *Flag) { f.Expires = time.Time{} }},
		{"no expiry elsewhere", func(f *Flag) { f.Expires = time.Time{}.In(time.FixedZone("", 3600)) }},
		{"expiry same instant elsewhere", func(f *Flag) { f.Expires = f.Expires.In(time.FixedZone("", 3600)) }},
		{"expiry in a named UTC zone", func(f *Flag) { f.Expires = f.Expires.In(time.FixedZone("GMT", 0)) }},
		{"line separator in description", func(f *Flag) { f.Description = "new checkout \u2028" }},
	}
	p := newPrinter()
	type variant struct {
		name, json string
		print      uint64
	}
	base := richFlag()
	variants := []variant{{"base", canonical(t, base), p.flag(&base)}}
	for _, c := range cases {
		f := richFlag()
		c.change(&f)
		variants = append(variants, variant{c.name, canonical(t, f), p.flag(&f)})
	}
	for i, a := range variants {
		for _, b := range variants[i+1:] {
			if (a.json == b.json) != (a.print == b.print) {
				t.Errorf("%s vs %s: JSON equal %v, fingerprint equal %v", a.name, b.name, a.json == b.json, a.print == b.print)
			}
		}
	}
	// The cases must exercise both sides.
	equal := 0
	for i, a := range variants {
		for _, b := range variants[i+1:] {
			if a.json == b.json {
				equal++
			}
		}
	}
	if equal < 5 {
		t.Errorf("only %d equal pairs: the cases don't test equivalence", equal)
	}
}

func loadBytes(t *testing.T, data []byte) *Ruleset {
	t.Helper()
	rs, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// gatedFlag is served "on" to the members of segment seg.
func gatedFlag(key, seg string, op Operator) Flag {
	f := plainBoolFlag(key)
	f.Rules = []Rule{{Conditions: []Condition{{Op: op, Values: []any{seg}}}, Serve: Serve{Variation: "on"}}}
	return f
}

// contentDoc is a small ruleset with segments, for SameContent and
// ChangedFlags.
func contentDoc() *Document {
	d := benchDoc(plainBoolFlag("plain"), threeRuleFlag("rules"),
		gatedFlag("gated", "beta", OpInSegment), gatedFlag("ungated", "beta", OpNotInSegment),
		gatedFlag("staff-only", "staff", OpInSegment))
	d.Segments["beta"] = Segment{Key: "beta", Included: []string{"u1"}}
	d.Segments["staff"] = Segment{Key: "staff", Rules: []SegmentRule{{Conditions: []Condition{{Attribute: "email", Op: OpEndsWith, Values: []any{"@acme.example"}}}}}}
	d.Source = Source{Kind: SourceGit, Commit: "abc"}
	d.PublishedAt = benchNow
	return d
}

// compactJSON re-encodes data on one line: other bytes, same content.
func compactJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSameContent(t *testing.T) {
	base := mustMarshal(t, contentDoc())
	rs := loadBytes(t, base)
	if !rs.SameContent(rs) || !rs.SameContent(loadBytes(t, base)) {
		t.Fatal("a ruleset differs from itself")
	}
	if !rs.SameContent(loadBytes(t, compactJSON(t, base))) {
		t.Error("the same content in other bytes differs")
	}
	// Member order: move "version" to the end of the document.
	moved := strings.Replace(string(base), "\n  \"version\": 1,", "", 1)
	moved = strings.TrimSuffix(strings.TrimSpace(moved), "}") + ", \"version\": 1}"
	if !rs.SameContent(loadBytes(t, []byte(moved))) {
		t.Error("reordered members differ")
	}
	changes := map[string]func(d *Document){
		"version":      func(d *Document) { d.Version++ },
		"environment":  func(d *Document) { d.Environment = "staging" },
		"published_at": func(d *Document) { d.PublishedAt = d.PublishedAt.Add(time.Second) },
		"source":       func(d *Document) { d.Source.Message = "hotfix" },
		"flag":         func(d *Document) { f := d.Flags["plain"]; f.Enabled = false; d.Flags["plain"] = f },
		"flag added":   func(d *Document) { d.Flags["new-flag"] = plainBoolFlag("new-flag") },
		"flag removed": func(d *Document) { delete(d.Flags, "plain") },
		"segment": func(d *Document) {
			s := d.Segments["beta"]
			s.Included = append(s.Included, "u2")
			d.Segments["beta"] = s
		},
		"segment added": func(d *Document) {
			d.Segments["unused"] = Segment{Key: "unused"}
		},
	}
	for name, change := range changes {
		d := contentDoc()
		change(d)
		other := loadBytes(t, mustMarshal(t, d))
		if rs.SameContent(other) || other.SameContent(rs) {
			t.Errorf("%s changed but SameContent says the same", name)
		}
	}
	var none *Ruleset
	if rs.SameContent(none) || none.SameContent(rs) || !none.SameContent(nil) {
		t.Error("nil rulesets")
	}
}

// A quarantined flag was absent from the Document the SDK compared, so a
// change to it alone (which this version can't see the meaning of) is no
// conflict, as before.
func TestSameContentLeavesOutQuarantined(t *testing.T) {
	data := string(mustMarshal(t, contentDoc()))
	a := strings.Replace(data, `"salt": "plain"`, `"salt": "plain", "cohort": 1`, 1)
	b := strings.Replace(data, `"salt": "plain"`, `"salt": "plain", "cohort": 2`, 1)
	ra, rb := loadBytes(t, []byte(a)), loadBytes(t, []byte(b))
	if len(ra.Quarantined()) != 1 {
		t.Fatalf("quarantined = %v", ra.Quarantined())
	}
	if !ra.SameContent(rb) {
		t.Error("rulesets that differ only in a quarantined flag differ")
	}
	if ra.SameContent(loadBytes(t, []byte(data))) {
		t.Error("a flag quarantined in one ruleset only makes no difference")
	}
}

func TestChangedFlags(t *testing.T) {
	base := contentDoc()
	old := loadBytes(t, mustMarshal(t, base))
	all := []string{"gated", "plain", "rules", "staff-only", "ungated"}
	if got := old.ChangedFlags(nil); !slices.Equal(got, all) {
		t.Errorf("from nothing: %v, want %v", got, all)
	}
	if got := old.ChangedFlags(old); got != nil {
		t.Errorf("from itself: %v", got)
	}
	if got := loadBytes(t, compactJSON(t, mustMarshal(t, base))).ChangedFlags(old); got != nil {
		t.Errorf("same content in other bytes: %v", got)
	}
	cases := []struct {
		name   string
		change func(d *Document)
		want   []string
	}{
		{"header only", func(d *Document) { d.Version = 2; d.Source.Commit = "def" }, nil},
		{"added", func(d *Document) { d.Flags["added"] = plainBoolFlag("added") }, []string{"added"}},
		{"removed", func(d *Document) { delete(d.Flags, "rules") }, []string{"rules"}},
		{"redefined", func(d *Document) { f := d.Flags["plain"]; f.Enabled = false; d.Flags["plain"] = f }, []string{"plain"}},
		{"description", func(d *Document) { f := d.Flags["plain"]; f.Description = "x"; d.Flags["plain"] = f }, []string{"plain"}},
		{"segment redefined", func(d *Document) {
			s := d.Segments["beta"]
			s.Included = append(s.Included, "u2")
			d.Segments["beta"] = s
		}, []string{"gated", "ungated"}},
		{"segment removed with its users", func(d *Document) {
			delete(d.Segments, "staff")
			delete(d.Flags, "staff-only")
		}, []string{"staff-only"}},
		{"segment added", func(d *Document) {
			d.Segments["new"] = Segment{Key: "new", Included: []string{"u"}}
			d.Flags["plain"] = gatedFlag("plain", "new", OpInSegment)
		}, []string{"plain"}},
		{"segment added, unused", func(d *Document) { d.Segments["new"] = Segment{Key: "new"} }, nil},
	}
	for _, c := range cases {
		d := contentDoc()
		c.change(d)
		next := loadBytes(t, mustMarshal(t, d))
		if got := next.ChangedFlags(old); !slices.Equal(got, c.want) {
			t.Errorf("%s: changed %v, want %v", c.name, got, c.want)
		}
	}
}

// TestChangedFlagsQuarantine: a quarantined flag counts as absent, as it
// was from the Document.
func TestChangedFlagsQuarantine(t *testing.T) {
	data := string(mustMarshal(t, contentDoc()))
	healthy := loadBytes(t, []byte(data))
	quarantined := loadBytes(t, []byte(strings.Replace(data, `"salt": "plain"`, `"salt": "plain", "cohort": 1`, 1)))
	if got := quarantined.ChangedFlags(healthy); !slices.Equal(got, []string{"plain"}) {
		t.Errorf("becoming quarantined: %v", got)
	}
	if got := healthy.ChangedFlags(quarantined); !slices.Equal(got, []string{"plain"}) {
		t.Errorf("leaving quarantine: %v", got)
	}
	if got := quarantined.ChangedFlags(nil); slices.Contains(got, "plain") {
		t.Errorf("from nothing, a quarantined flag is listed: %v", got)
	}
}

// The case the SDK's listener test had: a flag that did not change but
// whose segment did.
func TestChangedFlagsFollowSegments(t *testing.T) {
	d := benchDoc(gatedFlag("gated", "beta", OpInSegment))
	d.Segments["beta"] = Segment{Key: "beta", Included: []string{"a"}}
	old := loadBytes(t, mustMarshal(t, d))
	d.Segments["beta"] = Segment{Key: "beta", Included: []string{"a", "b"}}
	next := loadBytes(t, mustMarshal(t, d))
	if got := next.ChangedFlags(old); !slices.Equal(got, []string{"gated"}) {
		t.Fatalf("changed = %v", got)
	}
}

func TestFlagMetaSourceSegmentKeys(t *testing.T) {
	d := contentDoc()
	f := d.Flags["plain"]
	f.Owner = "team-growth"
	f.Expires = time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("", 3600))
	d.Flags["plain"] = f
	rs := loadBytes(t, mustMarshal(t, d))
	m, ok := rs.FlagMeta("plain")
	if !ok || m.Owner != "team-growth" || !m.Expires.Equal(f.Expires) {
		t.Errorf("FlagMeta(plain) = %+v, %v", m, ok)
	}
	if _, off := m.Expires.Zone(); off != 3600 {
		t.Errorf("expiry lost its offset: %v", m.Expires)
	}
	if m, ok := rs.FlagMeta("rules"); !ok || m != (FlagMeta{}) {
		t.Errorf("FlagMeta(rules) = %+v, %v", m, ok)
	}
	if _, ok := rs.FlagMeta("missing"); ok {
		t.Error("FlagMeta of a missing flag")
	}
	if got := rs.Source(); !reflect.DeepEqual(got, d.Source) {
		t.Errorf("Source = %+v", got)
	}
	if got := rs.SegmentKeys(); !slices.Equal(got, []string{"beta", "staff"}) {
		t.Errorf("SegmentKeys = %v", got)
	}
	if got := rs.FlagKeys(); !slices.Equal(got, []string{"gated", "plain", "rules", "staff-only", "ungated"}) {
		t.Errorf("FlagKeys = %v", got)
	}
}

// TestLoadDocument: the Document comes back as loaded, less quarantined
// flags and segments this version doesn't understand; problems carry the
// name.
func TestLoadDocument(t *testing.T) {
	d := contentDoc()
	data := mustMarshal(t, d)
	rs, doc, err := LoadDocument("prod.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mustMarshal(t, doc), data) {
		t.Error("the Document does not marshal back to its bytes")
	}
	if !rs.SameContent(loadBytes(t, data)) {
		t.Error("the Ruleset differs from Load's")
	}
	s := strings.Replace(string(data), `"key": "beta",`, `"key": "beta", "cohort_model": "x",`, 1)
	_, doc, err = LoadDocument("prod.json", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Segments["beta"]; ok {
		t.Error("unknown segment kept")
	}
	for _, k := range []string{"gated", "ungated"} {
		if _, ok := doc.Flags[k]; ok {
			t.Errorf("flag %s, quarantined with its segment, kept", k)
		}
	}
	_, _, err = LoadDocument("prod.json", []byte(`{"schema":1}`))
	var ps Problems
	if !errors.As(err, &ps) || ps[0].File != "prod.json" {
		t.Errorf("problems = %v", err)
	}
}

// BenchmarkFingerprint10000Flags is what Load spends on fingerprints (and
// the rest of the entries) for the flags of BenchmarkLoad10000Flags: one
// op is all 10,000 flags.
func BenchmarkFingerprint10000Flags(b *testing.B) {
	dec, problem := decode(mustMarshal(b, manyFlags(10000)))
	if problem != nil {
		b.Fatal(problem)
	}
	keys := sortedKeys(dec.Flags)
	flags := make([]Flag, len(keys))
	for i, k := range keys {
		flags[i] = dec.Flags[k]
	}
	p := newPrinter()
	entries := make([]flagEntry, len(flags))
	b.ReportAllocs()
	for b.Loop() {
		for i := range flags {
			entries[i] = flagEntry{key: keys[i], print: p.flag(&flags[i]), info: newFlagInfo(&flags[i])}
		}
	}
}

// BenchmarkChangedFlags10000 is what a client spends, per new ruleset, on
// the list its change listeners get (and on SameContent for a same-version
// re-encoding): one flag of 10,000 changed.
func BenchmarkChangedFlags10000(b *testing.B) {
	d := manyFlags(10000)
	old := mustLoadDoc(b, d)
	f := d.Flags["flag-00042"]
	f.Enabled = false
	d.Flags[f.Key] = f
	next := mustLoadDoc(b, d)
	b.ReportAllocs()
	for b.Loop() {
		if got := next.ChangedFlags(old); len(got) != 1 || next.SameContent(old) {
			b.Fatalf("changed %v", got)
		}
	}
}
