package sdk

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// httpDoer is the part of *http.Client the source uses.
type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// httpSource polls an http(s) URL with conditional GETs.
type httpSource struct {
	url     string
	client  httpDoer
	headers http.Header
	timeout time.Duration
	maxSize int64
	etag    string
}

// StatusError reports a response whose status is neither 200 nor 304.
type StatusError struct {
	URL        string
	StatusCode int
}

// Error names the URL and status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
}

func (s *httpSource) String() string { return s.url }

func (s *httpSource) accepted(validator string) { s.etag = validator }

func (s *httpSource) fetch(ctx context.Context) (fetched, error) {
	// The timeout covers reading the body too: a server that sends headers
	// and then stalls is as bad as one that never answers.
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return fetched{}, fmt.Errorf("GET %s: %w", s.url, err)
	}
	for k, vs := range s.headers {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	// Asking for gzip ourselves turns off the transport's transparent
	// decompression, so the size limit applies to the bytes on the wire.
	req.Header.Set("Accept-Encoding", "gzip")
	if s.etag != "" {
		req.Header.Set("If-None-Match", s.etag)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fetched{}, err // already names the method and URL
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		if s.etag == "" {
			return fetched{}, fmt.Errorf("GET %s: 304 to an unconditional request", s.url)
		}
		return fetched{notModified: true}, nil
	default:
		return fetched{}, &StatusError{URL: s.url, StatusCode: resp.StatusCode}
	}
	if resp.ContentLength > s.maxSize {
		return fetched{}, fmt.Errorf("GET %s: %w: Content-Length %d, limit %d", s.url, ErrTooLarge, resp.ContentLength, s.maxSize)
	}
	body, err := readLimited(resp.Body, s.maxSize)
	if err != nil {
		return fetched{}, fmt.Errorf("GET %s: read body: %w", s.url, err)
	}
	if body, err = maybeGunzip(body, s.maxSize); err != nil {
		return fetched{}, fmt.Errorf("GET %s: %w", s.url, err)
	}
	return fetched{body: body, validator: resp.Header.Get("ETag")}, nil
}
