package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/sdk"
)

// bootstrap is a published ruleset: new-checkout is on for staff (by e-mail)
// and in Germany, off for everyone else.
func bootstrap(t *testing.T) []byte {
	t.Helper()
	data, err := ruleset.Marshal(&ruleset.Document{
		Schema: ruleset.SchemaVersion, Environment: "production", Version: 1,
		Flags: map[string]ruleset.Flag{"new-checkout": {
			Key: "new-checkout", Type: ruleset.TypeBoolean, Enabled: true, Salt: "new-checkout",
			Variations:   []ruleset.Variation{{Key: "on", Value: json.RawMessage("true")}, {Key: "off", Value: json.RawMessage("false")}},
			OffVariation: "off",
			Rules: []ruleset.Rule{
				{Name: "staff", Conditions: []ruleset.Condition{{Attribute: "email", Op: ruleset.OpEndsWith, Values: []any{"@example.com"}}},
					Serve: ruleset.Serve{Variation: "on"}},
				{Name: "germany", Conditions: []ruleset.Condition{{Attribute: "country", Op: ruleset.OpEquals, Values: []any{"DE"}}},
					Serve: ruleset.Serve{Variation: "on"}},
			},
			Default: ruleset.Serve{Variation: "off"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestMiddleware(t *testing.T) {
	// No URL: the client serves the bootstrap ruleset and never polls.
	client, err := sdk.New("", sdk.WithBootstrap(bootstrap(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, client) }()

	for _, tt := range []struct {
		headers map[string]string
		want    string
	}{
		{map[string]string{"X-User-ID": "user-1"}, "classic checkout"},
		{map[string]string{"X-User-ID": "user-2", "X-User-Email": "bob@example.com"}, "one-page checkout"},
		{map[string]string{"X-User-ID": "user-3", "X-Country": "de"}, "one-page checkout"},
		{nil, "classic checkout"},
	} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ln.Addr().String()+"/checkout", nil)
		for k, v := range tt.headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strings.TrimSpace(string(body)); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.headers, got, tt.want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestFlagContextOutsideTheMiddleware(t *testing.T) {
	if ec := FlagContext(context.Background()); ec == nil || ec.Key() != "" {
		t.Errorf("got %v, want an anonymous context", ec)
	}
}
