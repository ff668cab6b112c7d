package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cairnflags/cairn/sdk"
)

// shop is the monolith. Its checkout asks the flag which backend takes the
// payment, for each user, locally and in nanoseconds.
type shop struct {
	flags *sdk.Client
}

func newShop(ctx context.Context, url string) (*shop, error) {
	client, err := sdk.New(url, sdk.WithEnvironment("production"),
		sdk.WithPollInterval(50*time.Millisecond), sdk.WithJitter(0))
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.WaitReady(wctx); err != nil {
		client.Close()
		return nil, err
	}
	return &shop{flags: client}, nil
}

// checkout takes one user's payment and says which backend took it.
func (s *shop) checkout(userID string) string {
	ec := sdk.NewContext(userID, map[string]any{"country": "DE"})
	switch backend := s.flags.String("payment-service", ec, "monolith"); backend {
	case "monolith":
		return "monolith" // the old code path, in process
	default:
		// A real shop would POST the payment to backend, the service's URL.
		return "payments-v2"
	}
}

// checkoutAll has every user check out once and counts the backends.
func (s *shop) checkoutAll(users int) string {
	counts := map[string]int{}
	for i := range users {
		counts[s.checkout(fmt.Sprintf("customer-%d", i))]++
	}
	return fmt.Sprintf("%d checkouts: monolith %d, payments-v2 %d", users, counts["monolith"], counts["payments-v2"])
}

// waitFor waits until the client has version v of the ruleset.
func (s *shop) waitFor(ctx context.Context, v int64) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for s.flags.Status().Version < v {
		select {
		case <-ctx.Done():
			return fmt.Errorf("version %d did not arrive: %w", v, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func (s *shop) Close() { s.flags.Close() }
