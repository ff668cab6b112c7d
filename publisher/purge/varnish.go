package purge

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/cairnflags/cairn/publisher"
)

// Varnish purges a Varnish cache (or any cache whose VCL accepts the same
// requests, such as internal/cdnharness/cdn.vcl) over HTTP.
//
// By default it sends one PURGE request per key, for the exact URL SDKs poll,
// which drops every variant of the object at once. With Ban it sends one BAN
// request per environment carrying an X-Ban-Url regular expression that
// matches everything under the environment's path; bans are lazy and cost
// Varnish a little work per lookup until they expire, so prefer PURGE.
type Varnish struct {
	// Endpoint is the cache's address as the publisher reaches it, such as
	// "http://127.0.0.1:6081". Varnish must allow purges from the
	// publisher's address only (an ACL in VCL).
	Endpoint string
	// Prefix is the URL path before a store key, such as "/bucket/flags" when
	// SDKs poll http://cdn/bucket/flags/production/ruleset.json.
	Prefix string
	// Host, when set, is the Host header of purge requests: it must be the
	// one SDK requests are hashed under, unless the VCL hashes the URL only.
	Host string
	// Ban sends BAN for the environment's whole path instead of PURGE per key.
	Ban bool
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
}

var _ publisher.Purger = (*Varnish)(nil)

// Purge drops keys (or, with Ban, everything under env) from the cache.
func (v *Varnish) Purge(ctx context.Context, env string, keys []string) error {
	if v.Ban {
		expr := "^" + regexp.QuoteMeta(JoinPath(v.Prefix, env)+"/")
		return v.send(ctx, "BAN", JoinPath(v.Prefix, env)+"/", expr)
	}
	for _, k := range keys {
		if err := v.send(ctx, "PURGE", JoinPath(v.Prefix, k), ""); err != nil {
			return err
		}
	}
	return nil
}

func (v *Varnish) send(ctx context.Context, method, path, ban string) error {
	u := strings.TrimRight(v.Endpoint, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return fmt.Errorf("varnish %s %s: %w", method, u, err)
	}
	if v.Host != "" {
		req.Host = v.Host
	}
	if ban != "" {
		req.Header.Set("X-Ban-Url", ban)
	}
	if err := Send(v.Client, req); err != nil {
		return fmt.Errorf("varnish: %w", err)
	}
	return nil
}
