package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

func TestOpenFeature(t *testing.T) {
	data, err := ruleset.Marshal(&ruleset.Document{
		Schema: ruleset.SchemaVersion, Environment: "production", Version: 1,
		Flags: map[string]ruleset.Flag{"new-checkout": {
			Key: "new-checkout", Type: ruleset.TypeBoolean, Enabled: true, Salt: "new-checkout",
			Variations:   []ruleset.Variation{{Key: "on", Value: json.RawMessage("true")}, {Key: "off", Value: json.RawMessage("false")}},
			OffVariation: "off",
			Rules: []ruleset.Rule{{Name: "staff",
				Conditions: []ruleset.Condition{{Attribute: "email", Op: ruleset.OpEndsWith, Values: []any{"@example.com"}}},
				Serve:      ruleset.Serve{Variation: "on"}}},
			Default: ruleset.Serve{Split: []ruleset.Weighted{{Variation: "on", Weight: 5000}, {Variation: "off", Weight: 5000}}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(data) }))
	defer origin.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, origin.URL, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	t.Log("\n" + got)
	for _, want := range []string{
		"ann: new-checkout=true variant=on reason=TARGETING_MATCH",
		"user-1: new-checkout=",
		"reason=SPLIT",
		"no-such-flag: fallback (",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
