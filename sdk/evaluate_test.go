package sdk

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/cairnflags/cairn/ruleset"
)

func TestTypedEvaluation(t *testing.T) {
	c := newClient(t, "", WithBootstrap(marshal(t, testDoc("prod", 1))))
	ec := NewContext("u1", map[string]any{"plan": "pro"})

	if d := c.BoolDetail("enabled", ec, false); d.Value != true || d.Variation != "var0" || d.VariationIndex != 0 || d.Reason != ReasonDefault || d.RuleIndex != -1 || d.Err != nil {
		t.Errorf("BoolDetail = %+v", d)
	}
	if v := c.String("color", ec, ""); v != "v1" {
		t.Errorf("String = %q", v)
	}
	if v := c.Float("ratio", ec, 0); v != 0.25 {
		t.Errorf("Float = %v", v)
	}
	if v := c.Int("limit", ec, 0); v != 42 {
		t.Errorf("Int = %v", v)
	}
	if v := c.JSON("config", ec, nil); string(v) != `{"a":1}` {
		t.Errorf("JSON = %s", v)
	}

	if d := c.BoolDetail("nope", ec, true); d.Value != true || d.Reason != ReasonFlagNotFound || !errors.Is(d.Err, ruleset.ErrFlagNotFound) || d.VariationIndex != -1 {
		t.Errorf("missing flag = %+v", d)
	}
	if d := c.StringDetail("enabled", ec, "dflt"); d.Value != "dflt" || d.Reason != ReasonTypeMismatch || d.Variation != "" {
		t.Errorf("wrong type = %+v", d)
	}
	if d := c.IntDetail("ratio", ec, 7); d.Value != 7 || d.Reason != ReasonTypeMismatch || !errors.Is(d.Err, ErrNotInteger) {
		t.Errorf("Int of 0.25 = %+v", d)
	}
	if d := c.JSONDetail("limit", ec, json.RawMessage(`[]`)); string(d.Value) != `[]` || d.Reason != ReasonTypeMismatch {
		t.Errorf("JSON of number = %+v", d)
	}
	if v := c.Bool("enabled", nil, false); v != true {
		t.Errorf("nil context: %v", v)
	}
	if rs := c.Ruleset(); rs == nil || rs.Version() != 1 {
		t.Errorf("Ruleset() = %v", rs)
	}
}

func TestIntRange(t *testing.T) {
	doc := testDoc("prod", 1)
	doc.Flags["big"] = numberFlag("big", 1e19)
	doc.Flags["neg"] = numberFlag("neg", -9007199254740992)
	c := newClient(t, "", WithBootstrap(marshal(t, doc)))
	if d := c.IntDetail("big", nil, 1); d.Value != 1 || !errors.Is(d.Err, ErrNotInteger) {
		t.Errorf("1e19 = %+v", d)
	}
	if v := c.Int("neg", nil, 1); v != -9007199254740992 {
		t.Errorf("-2^53 = %v", v)
	}
}
