package purge_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cairnflags/cairn/publisher/purge"
)

// captured is one request as the server saw it.
type captured struct {
	Method, Path, Host string
	Header             http.Header
	Body               string
}

// capture starts a server that records every request and answers status.
func capture(t *testing.T, status int) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, captured{Method: r.Method, Path: r.URL.EscapedPath(), Host: r.Host, Header: r.Header.Clone(), Body: string(body)})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

func TestVarnishPurge(t *testing.T) {
	srv, got := capture(t, http.StatusOK)
	v := &purge.Varnish{Endpoint: srv.URL, Prefix: "/bucket/flags/", Host: "cdn.example"}
	if err := v.Purge(t.Context(), "production", []string{"production/ruleset.json"}); err != nil {
		t.Fatal(err)
	}
	reqs := got()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "PURGE" || r.Path != "/bucket/flags/production/ruleset.json" || r.Host != "cdn.example" {
		t.Fatalf("got %s %s Host %s", r.Method, r.Path, r.Host)
	}
}

func TestVarnishBan(t *testing.T) {
	srv, got := capture(t, http.StatusOK)
	v := &purge.Varnish{Endpoint: srv.URL, Prefix: "flags", Ban: true}
	if err := v.Purge(t.Context(), "prod.eu", []string{"prod.eu/ruleset.json"}); err != nil {
		t.Fatal(err)
	}
	r := got()[0]
	if r.Method != "BAN" || r.Path != "/flags/prod.eu/" || r.Header.Get("X-Ban-Url") != `^/flags/prod\.eu/` {
		t.Fatalf("got %s %s X-Ban-Url %q", r.Method, r.Path, r.Header.Get("X-Ban-Url"))
	}
}

func TestVarnishRefused(t *testing.T) {
	srv, _ := capture(t, http.StatusMethodNotAllowed)
	err := (&purge.Varnish{Endpoint: srv.URL}).Purge(t.Context(), "p", []string{"p/ruleset.json"})
	var se *purge.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusMethodNotAllowed || se.Body != `{"status":"ok"}` {
		t.Fatalf("got %v, want a *StatusError 405 with the body", err)
	}
}

func TestFastlyByURL(t *testing.T) {
	srv, got := capture(t, http.StatusOK)
	f := &purge.Fastly{Token: "tok", BaseURL: srv.URL + "/app/", Soft: true}
	if err := f.Purge(t.Context(), "production", []string{"production/ruleset.json"}); err != nil {
		t.Fatal(err)
	}
	r := got()[0]
	if r.Method != "PURGE" || r.Path != "/app/production/ruleset.json" ||
		r.Header.Get("Fastly-Key") != "tok" || r.Header.Get("Fastly-Soft-Purge") != "1" {
		t.Fatalf("got %s %s %v", r.Method, r.Path, r.Header)
	}
}

func TestFastlyBySurrogateKey(t *testing.T) {
	srv, got := capture(t, http.StatusOK)
	f := &purge.Fastly{
		Token: "tok", ServiceID: "SU1Z0isxPaozGVKXdv0eY", API: srv.URL,
		SurrogateKey: func(env string) []string { return []string{"cairn-" + env, "cairn"} },
	}
	if err := f.Purge(t.Context(), "production", []string{"production/ruleset.json"}); err != nil {
		t.Fatal(err)
	}
	r := got()[0]
	if r.Method != http.MethodPost || r.Path != "/service/SU1Z0isxPaozGVKXdv0eY/purge" ||
		r.Header.Get("Surrogate-Key") != "cairn-production cairn" || r.Header.Get("Fastly-Key") != "tok" ||
		r.Header.Get("Fastly-Soft-Purge") != "" {
		t.Fatalf("got %s %s %v", r.Method, r.Path, r.Header)
	}
}

func TestFastlyMisconfigured(t *testing.T) {
	if err := (&purge.Fastly{Token: "t"}).Purge(t.Context(), "p", []string{"p/ruleset.json"}); err == nil {
		t.Fatal("no BaseURL and no SurrogateKey: want an error")
	}
}

type failing struct{ n *int }

func (f failing) Purge(context.Context, string, []string) error {
	*f.n++
	return errors.New("down")
}

func TestMultiRunsAll(t *testing.T) {
	srv, got := capture(t, http.StatusOK)
	n := 0
	m := purge.Multi{failing{&n}, &purge.Varnish{Endpoint: srv.URL}}
	err := m.Purge(t.Context(), "p", []string{"p/ruleset.json"})
	if err == nil || !strings.Contains(err.Error(), "down") || n != 1 || len(got()) != 1 {
		t.Fatalf("err %v, failing ran %d, varnish got %d requests", err, n, len(got()))
	}
}
