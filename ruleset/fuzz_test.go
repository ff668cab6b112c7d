package ruleset

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func vectorSeeds(f testing.TB) [][]byte {
	var out [][]byte
	files, _ := filepath.Glob("../testdata/vectors/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var vf vectorFile
		if err := jsonUnmarshal(data, &vf); err == nil {
			out = append(out, []byte(vf.Ruleset))
		}
	}
	return out
}

// FuzzLoad: Load never panics, and what it accepts survives Marshal and a
// second Load unchanged: the same content (quarantined flags left out) and
// the same flags.
func FuzzLoad(f *testing.F) {
	for _, seed := range vectorSeeds(f) {
		f.Add(seed)
	}
	f.Add([]byte(`{"schema":1,"environment":"e","version":1,"flags":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Compiled in parts, as a large ruleset is, it loads the same.
		checkCompilePartsAgree(t, data)
		rs, doc, err := LoadDocument("", data)
		if err != nil {
			return
		}
		again, err := Marshal(doc)
		if err != nil {
			t.Fatalf("marshal of a loaded ruleset: %v", err)
		}
		rs2, err := Load(again)
		if err != nil {
			t.Fatalf("reload of a marshalled ruleset: %v\n%s", err, again)
		}
		if len(rs2.FlagKeys()) != len(doc.Flags) {
			t.Fatalf("reload has %d flags, want %d", len(rs2.FlagKeys()), len(doc.Flags))
		}
		if !rs2.SameContent(rs) {
			t.Fatalf("reload has other content\n%s", again)
		}
		if changed := rs2.ChangedFlags(rs); changed != nil {
			t.Fatalf("reload changed flags %v", changed)
		}
	})
}

// FuzzEvaluate: evaluating any accepted ruleset for any context and instant
// never panics and always names a variation when it serves a value.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range vectorSeeds(f) {
		f.Add(seed, "user-1", "country", "NL", 42.0, int64(1790000000))
	}
	f.Fuzz(func(t *testing.T, data []byte, key, attr, sval string, nval float64, unix int64) {
		rs, err := Load(data)
		if err != nil {
			return
		}
		c := NewContext(key, map[string]any{attr: sval, "n": nval, "list": []any{sval, nval}})
		now := time.Unix(unix%(1<<40), 0)
		for _, fk := range rs.FlagKeys() {
			d := rs.Evaluate(fk, c, now)
			if d.Value != nil && d.VariationKey == "" {
				t.Fatalf("%s: value without a variation: %+v", fk, d)
			}
			if d.Value == nil && d.Reason != ReasonError {
				t.Fatalf("%s: no value with reason %s", fk, d.Reason)
			}
		}
	})
}
