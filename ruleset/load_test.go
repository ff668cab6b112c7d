package ruleset

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLoadRejects(t *testing.T) {
	good := func() map[string]any {
		var m map[string]any
		data, _ := Marshal(benchDoc(threeRuleFlag("pay")))
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	flagOf := func(m map[string]any) map[string]any {
		return m["flags"].(map[string]any)["pay"].(map[string]any)
	}
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		raw    string
		want   string
	}{
		{name: "syntax", raw: "{\n  \"schema\": 1,\n  \"flags\": {,}\n}", want: "3:13: flags: invalid JSON"},
		{name: "not an object", raw: "[1,2]", want: "1:1: want object, got list"},
		{name: "empty", raw: "", want: "invalid JSON"},
		{name: "no schema", mutate: func(m map[string]any) { delete(m, "schema") }, want: "schema: missing or invalid schema version 0"},
		{name: "no environment", mutate: func(m map[string]any) { m["environment"] = "" }, want: "environment: missing environment"},
		{name: "negative version", mutate: func(m map[string]any) { m["version"] = -1 }, want: "version: negative version -1"},
		{name: "no flags", mutate: func(m map[string]any) { delete(m, "flags") }, want: "flags: missing flags"},
		{name: "wrong field type", mutate: func(m map[string]any) { flagOf(m)["enabled"] = "yes" },
			want: "flags.pay.enabled: want boolean, got string"},
		{name: "key mismatch", mutate: func(m map[string]any) { flagOf(m)["key"] = "other" },
			want: `flags.pay.key: key "other" differs from the map key "pay"`},
		{name: "unknown off variation", mutate: func(m map[string]any) { flagOf(m)["off_variation"] = "onn" },
			want: `flags.pay.off_variation: unknown variation "onn" (have: on, off)`},
		{name: "wrong value type", mutate: func(m map[string]any) {
			flagOf(m)["variations"].([]any)[0].(map[string]any)["value"] = "true"
		}, want: `flags.pay.variations[0].value: value "true" is not a boolean`},
		{name: "weights", mutate: func(m map[string]any) {
			flagOf(m)["default"].(map[string]any)["split"].([]any)[0].(map[string]any)["weight"] = 4000
		}, want: "flags.pay.default.split: weights add up to 9000, not 10000 (100%)"},
		{name: "bad regex", mutate: func(m map[string]any) {
			flagOf(m)["rules"].([]any)[1].(map[string]any)["conditions"] = []any{map[string]any{"attribute": "a", "op": "matches", "values": []any{"("}}}
		}, want: "flags.pay.rules[1].conditions[0].values[0]: invalid regular expression"},
		{name: "bad semver", mutate: func(m map[string]any) {
			flagOf(m)["rules"].([]any)[0].(map[string]any)["conditions"] = []any{map[string]any{"attribute": "v", "op": "semver_gt", "values": []any{"x.y"}}}
		}, want: "flags.pay.rules[0].conditions[0].values[0]: operator semver_gt takes a semantic version"},
		{name: "unknown segment", mutate: func(m map[string]any) {
			flagOf(m)["rules"].([]any)[0].(map[string]any)["conditions"] = []any{map[string]any{"op": "in_segment", "values": []any{"beta"}}}
		}, want: "flags.pay.rules[0].conditions[0].values[0]: unknown segment beta"},
		{name: "two serves", mutate: func(m map[string]any) { flagOf(m)["default"].(map[string]any)["variation"] = "on" },
			want: "flags.pay.default: serve needs exactly one of variation, split or progressive"},
		{name: "schedule order", mutate: func(m map[string]any) {
			flagOf(m)["schedule"] = []any{map[string]any{"at": "2026-02-01T00:00:00Z", "enabled": true}, map[string]any{"at": "2026-01-01T00:00:00Z", "enabled": false}}
		}, want: "flags.pay.schedule[1].at: schedule steps must be in strictly increasing time order"},
		{name: "number operand", mutate: func(m map[string]any) {
			flagOf(m)["rules"].([]any)[2].(map[string]any)["conditions"] = []any{map[string]any{"attribute": "n", "op": "gte", "values": []any{"ten"}}}
		}, want: "flags.pay.rules[2].conditions[0].values[0]: operator gte takes a number"},
		{name: "progressive", mutate: func(m map[string]any) {
			flagOf(m)["default"] = map[string]any{"progressive": map[string]any{"variation": "on", "rest": "on", "start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z", "from_weight": 0, "to_weight": 20000}}
		}, want: "flags.pay.default.progressive.rest: rest must differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.mutate != nil {
				m := good()
				tt.mutate(m)
				var err error
				if data, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
			}
			rs, err := LoadNamed("ruleset.json", data)
			if err == nil {
				t.Fatalf("Load accepted it: %v", rs.FlagKeys())
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is %T, want Problems", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "ruleset.json:") {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	f := plainBoolFlag("a")
	f.OffVariation = "nope"
	g := rolloutFlag("b", 10)
	g.Default.Split[0].Weight = 1
	_, err := Load(mustMarshal(t, benchDoc(f, g)))
	if err == nil {
		t.Fatal("accepted")
	}
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
}

func mustMarshal(t testing.TB, d *Document) []byte {
	t.Helper()
	data, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestQuarantineKeepsTheRest(t *testing.T) {
	data := mustMarshal(t, benchDoc(plainBoolFlag("healthy"), threeRuleFlag("uses-new-op")))
	// A newer publisher adds an operator and a segment with a field this
	// version doesn't know, used by one flag.
	s := strings.Replace(string(data), `"op": "ends_with"`, `"op": "geo_within"`, 1)
	s = strings.Replace(s, `"schema": 1`, `"schema": 3`, 1)
	rs, err := Load([]byte(s))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	q := rs.Quarantined()
	if len(q) != 1 || !strings.Contains(q["uses-new-op"], `operator "geo_within"`) {
		t.Errorf("quarantined = %v", q)
	}
	d := rs.Evaluate("uses-new-op", nil, benchNow)
	if d.Reason != ReasonError || d.Value != nil || !errors.Is(d.Err, errUnknown) {
		t.Errorf("quarantined flag evaluated to %+v", d)
	}
	if d := rs.Evaluate("healthy", nil, benchNow); d.Reason != ReasonDefault || d.Value != true {
		t.Errorf("healthy flag: %+v", d)
	}
	if _, ok := rs.FlagMeta("uses-new-op"); ok {
		t.Error("quarantined flag has FlagMeta")
	}
	if _, doc, err := LoadDocument("", []byte(s)); err != nil {
		t.Error(err)
	} else if _, ok := doc.Flags["uses-new-op"]; ok {
		t.Error("quarantined flag is in LoadDocument's Document")
	}
	if rs.Schema() != 3 {
		t.Errorf("schema = %d", rs.Schema())
	}
}

func TestQuarantineThroughUnknownSegment(t *testing.T) {
	d := benchDoc(plainBoolFlag("plain"))
	f := plainBoolFlag("targeted")
	f.Rules = []Rule{{Conditions: []Condition{{Op: OpInSegment, Values: []any{"beta"}}}, Serve: Serve{Variation: "on"}}}
	d.Flags[f.Key] = f
	data := mustMarshal(t, d)
	s := strings.Replace(string(data), `"segments": {}`, `"segments": {"beta": {"key": "beta", "cohort_model": "x"}}`, 1)
	rs, err := Load([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rs.Quarantined()["targeted"]; !ok {
		t.Errorf("flag using an unknown segment was not quarantined: %v", rs.Quarantined())
	}
	if rs.Evaluate("plain", nil, benchNow).Value != true {
		t.Error("plain flag broken")
	}
}

func TestEvaluateNilSafe(t *testing.T) {
	var rs *Ruleset
	if d := rs.Evaluate("x", nil, benchNow); d.Reason != ReasonError || !errors.Is(d.Err, ErrNoRuleset) {
		t.Errorf("nil ruleset: %+v", d)
	}
	rs = mustLoadDoc(t, benchDoc(threeRuleFlag("pay")))
	if d := rs.Evaluate("pay", nil, benchNow); d.Reason != ReasonSplit {
		t.Errorf("nil context: %+v", d)
	}
}

func TestEvaluationAllocatesNothing(t *testing.T) {
	rs := mustLoadDoc(t, benchDoc(plainBoolFlag("bool"), rolloutFlag("rollout", 25), threeRuleFlag("rules")))
	c := benchContext()
	for _, key := range []string{"bool", "rollout", "rules", "missing"} {
		allocs := testing.AllocsPerRun(200, func() { sink = rs.Evaluate(key, c, benchNow) })
		if allocs != 0 {
			t.Errorf("%s: %.1f allocs per evaluation", key, allocs)
		}
	}
}

func TestMarshalIsStable(t *testing.T) {
	d := manyFlags(50)
	a, b := mustMarshal(t, d), mustMarshal(t, d)
	if string(a) != string(b) {
		t.Fatal("two encodings differ")
	}
	_, doc, err := LoadDocument("", a)
	if err != nil {
		t.Fatal(err)
	}
	again := mustMarshal(t, doc)
	if string(again) != string(a) {
		t.Error("Load then Marshal changed the bytes")
	}
}

func TestFlagTableFindsEveryKey(t *testing.T) {
	flags := map[string]*flag{}
	// Keys that share long prefixes and suffixes, and short ones.
	for i := range 5000 {
		k := fmt.Sprintf("team-checkout-feature-%05d-enabled", i)
		flags[k] = &flag{key: k}
	}
	for _, k := range []string{"a", "ab", "abcdefg", "abcdefgh", "abcdefghi", ""} {
		flags[k] = &flag{key: k}
	}
	tab := newFlagTable(flags)
	probes := 0
	for k, f := range flags {
		if got := tab.get(k); got != f {
			t.Fatalf("get(%q) = %v", k, got)
		}
		for i := keyHash(k) & tab.mask; tab.slots[i].key != k; i = (i + 1) & tab.mask {
			probes++
		}
	}
	// Lookup cost must not grow with the number of flags: similar keys
	// must spread, so extra probes stay well under one per lookup.
	if avg := float64(probes) / float64(len(flags)); avg > 1 {
		t.Errorf("%.2f extra probes per lookup; the key hash clusters", avg)
	}
	for _, k := range []string{"team-checkout-feature-99999-enabled", "abcdef", "zz"} {
		if tab.get(k) != nil {
			t.Errorf("get(%q) found a flag", k)
		}
	}
}

func TestEvaluateTypeClockReadsTheClockOnlyWhenNeeded(t *testing.T) {
	scheduled := plainBoolFlag("scheduled")
	scheduled.Schedule = []ScheduleStep{{At: benchNow.Add(-time.Hour), Enabled: false}}
	rs := mustLoadDoc(t, benchDoc(plainBoolFlag("plain"), rolloutFlag("rollout", 25), scheduled))
	calls := 0
	clock := func() time.Time { calls++; return benchNow }
	c := benchContext()
	rs.EvaluateTypeClock("plain", TypeBoolean, c, clock)
	rs.EvaluateTypeClock("rollout", TypeBoolean, c, clock)
	if calls != 0 {
		t.Errorf("clock read %d times for flags that don't depend on time", calls)
	}
	if d := rs.EvaluateTypeClock("scheduled", TypeBoolean, c, clock); calls != 1 || d.Reason != ReasonOff {
		t.Errorf("scheduled flag: %d clock reads, %+v", calls, d)
	}
	if d := rs.EvaluateTypeClock("plain", TypeString, c, clock); d.Reason != ReasonTypeMismatch {
		t.Errorf("type mismatch: %+v", d)
	}
}
