package storetest

import (
	"encoding/json"
	"fmt"

	"github.com/cairnflags/cairn/ruleset"
)

// Document returns a valid ruleset for env with n boolean flags. Different
// seeds give different content (the split weights move), the same seed the
// same content, so tests can tell publishers' documents apart.
func Document(env string, n, seed int) *ruleset.Document {
	doc := &ruleset.Document{
		Schema:      ruleset.SchemaVersion,
		Environment: env,
		Source:      ruleset.Source{Kind: ruleset.SourceGit, Commit: fmt.Sprintf("%040x", seed), Author: "ci", Tool: "storetest"},
		Flags:       make(map[string]ruleset.Flag, n),
		Segments: map[string]ruleset.Segment{
			"beta": {Key: "beta", Included: []string{"user-1", "user-2"}},
		},
	}
	for i := range n {
		key := fmt.Sprintf("flag-%05d", i)
		on := (i+seed)%ruleset.Buckets + 1
		doc.Flags[key] = ruleset.Flag{
			Key: key, Type: ruleset.TypeBoolean, Description: "generated for a test",
			Variations: []ruleset.Variation{
				{Key: "off", Value: json.RawMessage("false")},
				{Key: "on", Value: json.RawMessage("true")},
			},
			Enabled: true, OffVariation: "off", Salt: key,
			Rules: []ruleset.Rule{{
				Name:       "beta users",
				Conditions: []ruleset.Condition{{Op: ruleset.OpInSegment, Values: []any{"beta"}}},
				Serve:      ruleset.Serve{Variation: "on"},
			}},
			Default: ruleset.Serve{Split: []ruleset.Weighted{
				{Variation: "off", Weight: ruleset.Buckets - on},
				{Variation: "on", Weight: on},
			}},
		}
	}
	return doc
}
