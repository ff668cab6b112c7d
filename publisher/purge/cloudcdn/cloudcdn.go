// Package cloudcdn purges Google Cloud CDN through the Compute Engine API's
// urlMaps.invalidateCache, with plain authenticated HTTP so that it compiles
// no generated API client.
package cloudcdn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2/google"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/purge"
)

// DefaultEndpoint is the Compute Engine API's base URL.
const DefaultEndpoint = "https://compute.googleapis.com/compute/v1"

// Scope is the OAuth scope invalidateCache needs; the caller's principal
// needs compute.urlMaps.invalidateCache on the URL map (docs/operations.md).
const Scope = "https://www.googleapis.com/auth/compute"

// Purger invalidates cached paths of one URL map. Cloud CDN applies an
// invalidation at every edge within seconds to minutes and rate-limits
// them, so one request per published key is the budget.
type Purger struct {
	// Project and URLMap name the load balancer's URL map.
	Project, URLMap string
	// Host, when set, limits the invalidation to one host name.
	Host string
	// Prefix is the URL path before a store key, such as "/flags".
	Prefix string
	// Client must add credentials; New uses Application Default
	// Credentials.
	Client *http.Client
	// Endpoint is the API's base URL; empty means DefaultEndpoint.
	Endpoint string
}

var _ publisher.Purger = (*Purger)(nil)

// New returns a Purger that authenticates with Application Default
// Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, or the metadata
// server).
func New(ctx context.Context, project, urlMap string) (*Purger, error) {
	hc, err := google.DefaultClient(ctx, Scope)
	if err != nil {
		return nil, fmt.Errorf("cloud cdn credentials: %w", err)
	}
	return &Purger{Project: project, URLMap: urlMap, Client: hc}, nil
}

// invalidation is the CacheInvalidationRule the API takes.
type invalidation struct {
	Path string `json:"path"`
	Host string `json:"host,omitempty"`
}

// Purge starts one invalidation per key. It returns once the API has
// accepted them; it does not wait for the operations to finish at every
// edge.
func (p *Purger) Purge(ctx context.Context, _ string, keys []string) error {
	endpoint := p.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	u := fmt.Sprintf("%s/projects/%s/global/urlMaps/%s/invalidateCache",
		strings.TrimRight(endpoint, "/"), url.PathEscape(p.Project), url.PathEscape(p.URLMap))
	for _, k := range keys {
		body, err := json.Marshal(invalidation{Path: purge.JoinPath(p.Prefix, k), Host: p.Host})
		if err != nil {
			return fmt.Errorf("cloud cdn invalidate %s: %w", k, err)
		}
		if err := p.post(ctx, u, body); err != nil {
			return fmt.Errorf("cloud cdn invalidate %s: %w", purge.JoinPath(p.Prefix, k), err)
		}
	}
	return nil
}

func (p *Purger) post(ctx context.Context, u string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return purge.Send(p.Client, req)
}
