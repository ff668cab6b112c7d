package cloudcdn_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cairnflags/cairn/publisher/purge/cloudcdn"
)

func TestInvalidateCache(t *testing.T) {
	type req struct {
		Method, Path, ContentType string
		Body                      map[string]string
	}
	var got []req
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			t.Errorf("body %q: %v", data, err)
		}
		got = append(got, req{r.Method, r.URL.EscapedPath(), r.Header.Get("Content-Type"), body})
		_, _ = io.WriteString(w, `{"kind":"compute#operation","status":"DONE"}`)
	}))
	defer srv.Close()

	p := &cloudcdn.Purger{Project: "acme", URLMap: "flags-lb", Host: "flags.example.com", Prefix: "/app", Endpoint: srv.URL + "/compute/v1", Client: srv.Client()}
	if err := p.Purge(t.Context(), "production", []string{"production/ruleset.json"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	r := got[0]
	if r.Method != http.MethodPost || r.Path != "/compute/v1/projects/acme/global/urlMaps/flags-lb/invalidateCache" ||
		r.ContentType != "application/json" || r.Body["path"] != "/app/production/ruleset.json" || r.Body["host"] != "flags.example.com" {
		t.Fatalf("got %+v", r)
	}
}

func TestInvalidateCacheDenied(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":{"code":403,"message":"Required 'compute.urlMaps.invalidateCache' permission"}}`, http.StatusForbidden)
	}))
	defer srv.Close()
	p := &cloudcdn.Purger{Project: "acme", URLMap: "m", Endpoint: srv.URL, Client: srv.Client()}
	err := p.Purge(t.Context(), "production", []string{"production/ruleset.json"})
	if err == nil || !strings.Contains(err.Error(), "invalidateCache' permission") {
		t.Fatalf("got %v, want the API's 403 message", err)
	}
}
