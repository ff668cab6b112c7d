package ruleset

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// vectorFile is the shape of testdata/vectors/*.json, the evaluation test
// vectors any SDK can run to prove it matches and buckets identically.
type vectorFile struct {
	Name    string          `json:"name"`
	Ruleset json.RawMessage `json:"ruleset"`
	Cases   []struct {
		Name    string `json:"name"`
		Flag    string `json:"flag"`
		Type    string `json:"type"`
		Now     string `json:"now"`
		Context struct {
			Key        string         `json:"key"`
			Attributes map[string]any `json:"attributes"`
		} `json:"context"`
		Expect struct {
			Value     any    `json:"value"`
			Variation string `json:"variation"`
			Reason    Reason `json:"reason"`
			RuleIndex int    `json:"rule_index"`
			Expired   *bool  `json:"expired"`
		} `json:"expect"`
	} `json:"cases"`
}

func TestVectors(t *testing.T) {
	files, err := filepath.Glob("../testdata/vectors/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector files: %v", err)
	}
	total := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var vf vectorFile
		if err := json.Unmarshal(data, &vf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		rs, err := LoadNamed(file, vf.Ruleset)
		if err != nil {
			t.Fatalf("load %s: %v", file, err)
		}
		for _, tc := range vf.Cases {
			total++
			t.Run(vf.Name+"/"+tc.Name, func(t *testing.T) {
				now, err := time.Parse(time.RFC3339, tc.Now)
				if err != nil {
					t.Fatal(err)
				}
				c := NewContext(tc.Context.Key, tc.Context.Attributes)
				var d Detail
				if tc.Type != "" {
					d = rs.EvaluateType(tc.Flag, FlagType(tc.Type), c, now)
				} else {
					d = rs.Evaluate(tc.Flag, c, now)
				}
				if d.Reason != tc.Expect.Reason {
					t.Errorf("reason = %s (err %v), want %s", d.Reason, d.Err, tc.Expect.Reason)
				}
				if d.VariationKey != tc.Expect.Variation {
					t.Errorf("variation = %q, want %q", d.VariationKey, tc.Expect.Variation)
				}
				if d.RuleIndex != tc.Expect.RuleIndex {
					t.Errorf("rule index = %d, want %d", d.RuleIndex, tc.Expect.RuleIndex)
				}
				if got := normalize(t, d.Value); !reflect.DeepEqual(got, tc.Expect.Value) {
					t.Errorf("value = %#v, want %#v", got, tc.Expect.Value)
				}
				if tc.Expect.Expired != nil && d.Expired != *tc.Expect.Expired {
					t.Errorf("expired = %v, want %v", d.Expired, *tc.Expect.Expired)
				}
				// The clock-reading form must agree with the explicit one.
				want := FlagType(tc.Type)
				if want == "" {
					want, _ = rs.FlagType(tc.Flag)
				}
				if want != "" {
					dc := rs.EvaluateTypeClock(tc.Flag, want, c, func() time.Time { return now })
					if dc.Reason != d.Reason || dc.VariationKey != d.VariationKey || dc.Expired != d.Expired {
						t.Errorf("EvaluateTypeClock = %+v, EvaluateType/Evaluate = %+v", dc, d)
					}
				}
			})
		}
	}
	if total < 150 {
		t.Errorf("only %d vector cases; the suite promises at least 150", total)
	}
}

// normalize turns a served value into what encoding/json makes of the same
// JSON, so vector expectations compare directly.
func normalize(t *testing.T, v any) any {
	if v == nil {
		return nil
	}
	raw, ok := v.(json.RawMessage)
	if !ok {
		var err error
		raw, err = json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
	}
	var out any
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
