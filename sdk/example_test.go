package sdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/sdk"
)

// writeRuleset stands in for `cairn publish` to a file:// store.
func writeRuleset(path string) error {
	data, err := ruleset.Marshal(&ruleset.Document{
		Schema: ruleset.SchemaVersion, Environment: "production", Version: 7,
		Source: ruleset.Source{Kind: ruleset.SourceGit, Commit: "4f2a9c1"},
		Flags: map[string]ruleset.Flag{
			"new-checkout": {
				Key: "new-checkout", Type: ruleset.TypeBoolean, Enabled: true,
				Variations: []ruleset.Variation{
					{Key: "on", Value: json.RawMessage("true")},
					{Key: "off", Value: json.RawMessage("false")},
				},
				OffVariation: "off",
				Rules: []ruleset.Rule{{
					Name:       "beta testers",
					Conditions: []ruleset.Condition{{Attribute: "beta", Op: ruleset.OpEquals, Values: []any{true}}},
					Serve:      ruleset.Serve{Variation: "on"},
				}},
				Default: ruleset.Serve{Variation: "off"},
			},
		},
	})
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func Example() {
	dir, _ := os.MkdirTemp("", "cairn-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ruleset.json")
	if err := writeRuleset(path); err != nil {
		panic(err)
	}

	// In production the URL is the CDN's, e.g.
	// https://flags.example.com/app/production/ruleset.json.
	client, err := sdk.New("file://"+path,
		sdk.WithEnvironment("production"),
		sdk.WithPollInterval(10*time.Second),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.WaitReady(ctx); err != nil {
		fmt.Println("serving defaults:", err)
	}

	// Build the context once per request; evaluate as often as needed.
	beta := sdk.NewContext("user-42", map[string]any{"beta": true})
	other := sdk.NewContext("user-43", nil)
	fmt.Println(client.Bool("new-checkout", beta, false))
	fmt.Println(client.Bool("new-checkout", other, false))

	d := client.BoolDetail("new-checkout", beta, false)
	fmt.Println(d.Variation, d.Reason, d.RuleName)
	d = client.BoolDetail("no-such-flag", beta, true)
	fmt.Println(d.Value, d.Reason)

	st := client.Status()
	fmt.Println(st.State, st.Environment, st.Version)
	// Output:
	// true
	// false
	// on TARGET_MATCH beta testers
	// true FLAG_NOT_FOUND
	// READY production 7
}
