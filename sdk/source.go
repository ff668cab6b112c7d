package sdk

import (
	"context"
	"fmt"
	"net/url"
)

// source is one place a ruleset is fetched from. Only the poller goroutine
// calls it, so implementations need no locking.
type source interface {
	// fetch gets the ruleset, or reports that it has not changed since the
	// content last passed to accepted.
	fetch(ctx context.Context) (fetched, error)
	// accepted records the validator of content the client took (or found
	// identical to what it holds), for the next conditional fetch. Content
	// the client rejected is never recorded, so a bad response is fetched
	// again in full rather than confirmed by a 304.
	accepted(validator string)
	// String names the source in logs, errors and Status.
	String() string
}

// fetched is one response: either notModified, or body with its validator
// (an ETag, or a file's mtime and size).
type fetched struct {
	notModified bool
	body        []byte
	validator   string
}

// parseSourceURL checks that raw is a URL the client can poll.
func parseSourceURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("ruleset url: %w", err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("ruleset url %q: no host", raw)
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("ruleset url %q: file URLs need an absolute path (file:///path)", raw)
		}
		if u.Path == "" {
			return nil, fmt.Errorf("ruleset url %q: no path", raw)
		}
	default:
		return nil, fmt.Errorf("ruleset url %q: scheme must be http, https or file", raw)
	}
	return u, nil
}

// newSource builds the source for a URL already checked by parseSourceURL.
func newSource(u *url.URL, cfg *config, hc httpDoer) source {
	if u.Scheme == "file" {
		return &fileSource{path: u.Path, maxSize: cfg.maxSize}
	}
	return &httpSource{
		url: u.String(), client: hc, headers: cfg.headers,
		timeout: cfg.requestTimeout, maxSize: cfg.maxSize,
	}
}
