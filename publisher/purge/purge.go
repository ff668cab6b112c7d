// Package purge holds publisher.Purger implementations that speak plain
// HTTP: Varnish (PURGE or BAN) and Fastly (by URL or surrogate key). Cloud
// CDN and CloudFront live in subpackages so that importing this package
// compiles no cloud SDK.
//
// A purge turns the worst-case delay between a publish and the last SDK
// seeing it from TTL + poll interval + jitter into poll interval + jitter.
package purge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cairnflags/cairn/publisher"
)

// Multi purges with every purger in turn, so that one publish can clear
// several CDNs (or a CDN and its shield). All run even when one fails; the
// errors are joined.
type Multi []publisher.Purger

var _ publisher.Purger = Multi(nil)

// Purge calls each purger with the same arguments.
func (m Multi) Purge(ctx context.Context, env string, keys []string) error {
	var errs []error
	for _, p := range m {
		if err := p.Purge(ctx, env, keys); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// JoinPath joins a URL path prefix such as "/bucket/flags" and a store key
// into the path a CDN caches the object under.
func JoinPath(prefix, key string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return "/" + key
	}
	return "/" + prefix + "/" + key
}

// Send sends req with hc (nil: http.DefaultClient) and turns any status
// outside 2xx into a *StatusError carrying the start of the body, which is
// where CDNs explain a refusal.
func Send(hc *http.Client, req *http.Request) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return &StatusError{Method: req.Method, URL: req.URL.Redacted(), StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	}
	return nil
}

// StatusError is a purge request the CDN answered with a status outside
// 2xx.
type StatusError struct {
	Method, URL string
	StatusCode  int
	// Body is the start of the response body.
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode), e.Body)
}
