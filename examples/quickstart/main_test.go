package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

func published(t *testing.T, version int64, onBuckets int) []byte {
	t.Helper()
	data, err := ruleset.Marshal(&ruleset.Document{
		Schema: ruleset.SchemaVersion, Environment: "production", Version: version,
		Flags: map[string]ruleset.Flag{"new-checkout": {
			Key: "new-checkout", Type: ruleset.TypeBoolean, Enabled: true, Salt: "new-checkout",
			Variations:   []ruleset.Variation{{Key: "on", Value: json.RawMessage("true")}, {Key: "off", Value: json.RawMessage("false")}},
			OffVariation: "off",
			Default:      ruleset.Serve{Split: []ruleset.Weighted{{Variation: "on", Weight: onBuckets}, {Variation: "off", Weight: ruleset.Buckets - onBuckets}}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestWatchesChangesArrive serves version 1 (10% on) for the first requests,
// then version 2 (100% on), and expects the client to report both.
func TestWatchesChangesArrive(t *testing.T) {
	v1, v2 := published(t, 1, 1000), published(t, 2, ruleset.Buckets)
	var requests atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if requests.Add(1) <= 2 {
			w.Write(v1)
			return
		}
		w.Write(v2)
	}))
	defer origin.Close()

	var out bytes.Buffer
	args := []string{"-url", origin.URL, "-until", "2", "-timeout", "20s", "-poll", "20ms", "-users", "200"}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), out.String())
	}
	if !strings.HasPrefix(lines[0], "sdk: version 1 of production: new-checkout: off (false)") {
		t.Errorf("first line %q", lines[0])
	}
	if lines[1] != "sdk: version 2 of production: new-checkout: on (true) 100.0% of 200 users" {
		t.Errorf("second line %q", lines[1])
	}
}

func TestRequiresURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := run(ctx, nil, &bytes.Buffer{}); err == nil {
		t.Error("no error without -url")
	}
}
