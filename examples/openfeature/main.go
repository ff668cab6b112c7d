// Command openfeature evaluates Cairn flags through the OpenFeature API, with
// Cairn's provider (sdk/openfeature) registered for it: application code
// depends on OpenFeature only, and Cairn evaluates locally underneath.
//
//	bash scripts/quickstart.sh   # or any published ruleset
//	go run ./examples/openfeature -url http://127.0.0.1:8080/production/ruleset.json
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	of "github.com/open-feature/go-sdk/openfeature"

	"github.com/cairnflags/cairn/sdk"
	cairnof "github.com/cairnflags/cairn/sdk/openfeature"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/production/ruleset.json", "published ruleset to poll")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, *url, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "openfeature:", err)
		cancel()
		os.Exit(1)
	}
}

// run registers a Cairn provider for the ruleset at url, evaluates
// new-checkout for a few users through OpenFeature, and shuts down.
func run(ctx context.Context, url string, out io.Writer) error {
	client, err := sdk.New(url)
	if err != nil {
		return err
	}
	// The provider owns the client from here: OpenFeature's shutdown closes it.
	if err := of.SetProviderWithContextAndWait(ctx, cairnof.NewProvider(client)); err != nil {
		client.Close()
		return fmt.Errorf("register the cairn provider: %w", err)
	}
	defer of.ShutdownWithContext(context.WithoutCancel(ctx))

	flags := of.NewClient("checkout")
	for _, user := range []struct {
		key   string
		attrs map[string]any
	}{
		{"user-1", nil},
		{"user-42", nil},
		{"ann", map[string]any{"email": "ann@example.com"}},
	} {
		d, err := flags.BooleanValueDetails(ctx, "new-checkout", false, of.NewEvaluationContext(user.key, user.attrs))
		if err != nil {
			return fmt.Errorf("evaluate new-checkout for %s: %w", user.key, err)
		}
		fmt.Fprintf(out, "%s: new-checkout=%t variant=%s reason=%s\n", user.key, d.Value, d.Variant, d.Reason)
	}
	// A flag the ruleset lacks gives the default and an error, never a panic.
	v, err := flags.StringValue(ctx, "no-such-flag", "fallback", of.NewEvaluationContext("user-1", nil))
	fmt.Fprintf(out, "no-such-flag: %s (%v)\n", v, err)
	return nil
}
