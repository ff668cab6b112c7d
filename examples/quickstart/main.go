// Command quickstart is the SDK side of the quickstart (scripts/quickstart.sh):
// it polls a published ruleset, evaluates one flag for a thousand simulated
// users on every change, and prints the share that gets each variation, so
// you can watch an edit arrive.
//
//	go run ./examples/quickstart -url http://127.0.0.1:8080/production/ruleset.json -until 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/cairnflags/cairn/sdk"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run watches the ruleset until it reaches version -until or -timeout ends.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	url := fs.String("url", "", "URL of the published ruleset (required)")
	flagKey := fs.String("flag", "new-checkout", "boolean flag to evaluate")
	users := fs.Int("users", 1000, "number of simulated users")
	until := fs.Int64("until", 0, "stop once this version is in memory (0: run until -timeout)")
	timeout := fs.Duration("timeout", 60*time.Second, "stop after this long")
	poll := fs.Duration("poll", 500*time.Millisecond, "poll interval")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("-url is required")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	client, err := sdk.New(*url, sdk.WithPollInterval(*poll), sdk.WithJitter(0))
	if err != nil {
		return err
	}
	defer client.Close()
	if err := client.WaitReady(ctx); err != nil {
		return fmt.Errorf("first fetch: %w", err)
	}

	// Build each user's context once, as a service would per request.
	contexts := make([]*sdk.Context, *users)
	for i := range contexts {
		contexts[i] = sdk.NewContext(fmt.Sprintf("user-%d", i), nil)
	}
	changes := make(chan sdk.Change, 16)
	remove := client.OnChange(func(c sdk.Change) {
		// Never block the client's listener goroutine: Close waits for it.
		select {
		case changes <- c:
		default:
		}
	})
	defer remove()

	report := func() int64 {
		st := client.Status()
		fmt.Fprintf(out, "sdk: version %d of %s: %s: %s\n", st.Version, st.Environment, *flagKey, share(client, *flagKey, contexts))
		return st.Version
	}
	if v := report(); *until > 0 && v >= *until {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			if *until > 0 {
				return fmt.Errorf("version %d did not arrive: %w", *until, ctx.Err())
			}
			return nil
		case <-changes:
			if v := report(); *until > 0 && v >= *until {
				return nil
			}
		}
	}
}

// share evaluates the flag for every context and renders how many got each
// variation.
func share(c *sdk.Client, flagKey string, contexts []*sdk.Context) string {
	counts := map[string]int{}
	for _, ec := range contexts {
		d := c.BoolDetail(flagKey, ec, false)
		counts[fmt.Sprintf("%s (%t)", d.Variation, d.Value)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.1f%%", k, 100*float64(counts[k])/float64(len(contexts)))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" of %d users", len(contexts))
}
