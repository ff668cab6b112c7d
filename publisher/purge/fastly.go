package purge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cairnflags/cairn/publisher"
)

// DefaultFastlyAPI is the Fastly API's base URL.
const DefaultFastlyAPI = "https://api.fastly.com"

// Fastly purges a Fastly service with an API token that has the purge_select
// scope (docs/operations.md).
//
// With SurrogateKey set it purges by surrogate key: one POST
// /service/{ServiceID}/purge per publish, naming the keys of the
// environment. The origin, or the service's VCL, must tag the ruleset with
// that key (Surrogate-Key header). Otherwise it purges by URL: one PURGE
// request per key to BaseURL + key, which needs nothing set up beyond the
// token.
type Fastly struct {
	// Token is the API token sent as Fastly-Key.
	Token string
	// BaseURL is the public URL SDKs poll without the key, such as
	// "https://flags.example.com/app"; used to purge by URL.
	BaseURL string
	// ServiceID and SurrogateKey select purging by surrogate key.
	// SurrogateKey maps an environment to its keys, e.g. returning
	// "cairn-production".
	ServiceID    string
	SurrogateKey func(env string) []string
	// Soft marks content stale instead of removing it, so that Fastly can
	// still serve it if the origin fails (stale-if-error).
	Soft bool
	// API is the Fastly API's base URL; empty means DefaultFastlyAPI.
	API string
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
}

var _ publisher.Purger = (*Fastly)(nil)

// Purge drops the environment's ruleset from every Fastly POP.
func (f *Fastly) Purge(ctx context.Context, env string, keys []string) error {
	if f.SurrogateKey != nil {
		return f.purgeKeys(ctx, f.SurrogateKey(env))
	}
	if f.BaseURL == "" {
		return errors.New("fastly: neither BaseURL nor SurrogateKey is set")
	}
	for _, k := range keys {
		u := strings.TrimRight(f.BaseURL, "/") + "/" + k
		req, err := http.NewRequestWithContext(ctx, "PURGE", u, nil)
		if err != nil {
			return fmt.Errorf("fastly purge %s: %w", u, err)
		}
		if err := f.send(req); err != nil {
			return err
		}
	}
	return nil
}

func (f *Fastly) purgeKeys(ctx context.Context, keys []string) error {
	if f.ServiceID == "" || len(keys) == 0 {
		return errors.New("fastly: purge by surrogate key needs ServiceID and at least one key")
	}
	api := f.API
	if api == "" {
		api = DefaultFastlyAPI
	}
	u := strings.TrimRight(api, "/") + "/service/" + url.PathEscape(f.ServiceID) + "/purge"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return fmt.Errorf("fastly purge: %w", err)
	}
	req.Header.Set("Surrogate-Key", strings.Join(keys, " "))
	return f.send(req)
}

func (f *Fastly) send(req *http.Request) error {
	req.Header.Set("Fastly-Key", f.Token)
	req.Header.Set("Accept", "application/json")
	if f.Soft {
		req.Header.Set("Fastly-Soft-Purge", "1")
	}
	if err := Send(f.Client, req); err != nil {
		return fmt.Errorf("fastly: %w", err)
	}
	return nil
}
