package openfeature_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	of "github.com/open-feature/go-sdk/openfeature"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/sdk"
	cairnof "github.com/cairnflags/cairn/sdk/openfeature"
)

func Example() {
	// A stand-in for the CDN: one published ruleset with one flag.
	data, _ := ruleset.Marshal(&ruleset.Document{
		Schema: ruleset.SchemaVersion, Environment: "production", Version: 1,
		Flags: map[string]ruleset.Flag{"new-checkout": {
			Key: "new-checkout", Type: ruleset.TypeBoolean, Enabled: true,
			Variations:   []ruleset.Variation{{Key: "on", Value: []byte("true")}, {Key: "off", Value: []byte("false")}},
			OffVariation: "off",
			Rules: []ruleset.Rule{{Name: "beta testers",
				Conditions: []ruleset.Condition{{Attribute: "beta", Op: ruleset.OpEquals, Values: []any{true}}},
				Serve:      ruleset.Serve{Variation: "on"}}},
			Default: ruleset.Serve{Variation: "off"},
		}},
	})
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(data) }))
	defer cdn.Close()

	client, err := sdk.New(cdn.URL, sdk.WithEnvironment("production"))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if err := of.SetProviderWithContextAndWait(ctx, cairnof.NewProvider(client)); err != nil {
		panic(err)
	}
	defer of.ShutdownWithContext(ctx) // closes the Cairn client too

	flags := of.NewDefaultClient()
	d, _ := flags.BooleanValueDetails(ctx, "new-checkout", false,
		of.NewEvaluationContext("user-42", map[string]any{"beta": true}))
	fmt.Println(d.Value, d.Reason, d.Variant)
	// Output: true TARGETING_MATCH on
}
