package cdnharness_test

import (
	"net/url"
	"testing"

	"github.com/cairnflags/cairn/internal/cdnharness"
	"github.com/cairnflags/cairn/publisher/purge"
)

// TestDelivery publishes through Varnish in front of an origin the test
// controls, without and with a purge on publish.
func TestDelivery(t *testing.T) {
	for _, withPurge := range []bool{false, true} {
		name := "ttl"
		if withPurge {
			name = "purge"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, store, origin := controlledOrigin(t)
			u, _ := url.Parse(origin.URL)
			v := startVarnish(t, u.Host, "")
			cfg := cdnharness.Config{
				Name: name, Clients: ciClients, TTL: ciTTL, Poll: ciPoll, Jitter: ciJitter, Versions: 3,
				Store: store, BaseURL: v.URL(), Env: freshEnv("delivery"), Stats: v.Stats, Log: testLogger(t),
			}
			if withPurge {
				cfg.Purger = &purge.Varnish{Endpoint: v.URL()}
			}
			r, err := cdnharness.Run(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkRun(t, r)
			// About one origin request per TTL, plus one per publish (the
			// miss after a purge, or the revalidation that finds the new
			// version), plus jitter in when the TTL runs out.
			if limit := 1.5 + float64(r.Versions)/(r.Duration.Seconds()/ciTTL.Seconds()); r.OriginPerTTL() > limit {
				t.Errorf("origin saw %.2f requests per TTL, want at most %.2f", r.OriginPerTTL(), limit)
			}
		})
	}
}
