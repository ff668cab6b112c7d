package openfeature

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	of "github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/sdk"
)

func flag(key string, typ ruleset.FlagType, values ...string) ruleset.Flag {
	f := ruleset.Flag{Key: key, Type: typ, Enabled: true, Salt: key, OffVariation: "a", Default: ruleset.Serve{Variation: "a"}}
	for i, v := range values {
		f.Variations = append(f.Variations, ruleset.Variation{Key: string(rune('a' + i)), Value: json.RawMessage(v)})
	}
	return f
}

func doc(version int64) *ruleset.Document {
	targeted := flag("targeted", ruleset.TypeBoolean, "false", "true")
	targeted.Rules = []ruleset.Rule{{Name: "pros", Conditions: []ruleset.Condition{{Attribute: "plan", Op: ruleset.OpEquals, Values: []any{"pro"}}}, Serve: ruleset.Serve{Variation: "b"}}}
	split := flag("split", ruleset.TypeString, `"x"`, `"y"`)
	split.Default = ruleset.Serve{Split: []ruleset.Weighted{{Variation: "a", Weight: 5000}, {Variation: "b", Weight: 5000}}}
	off := flag("off", ruleset.TypeBoolean, "true", "false")
	off.Enabled, off.OffVariation = false, "b"
	return &ruleset.Document{
		Schema: ruleset.SchemaVersion, Environment: "prod", Version: version,
		Source: ruleset.Source{Kind: ruleset.SourceGit},
		Flags: map[string]ruleset.Flag{
			"targeted": targeted, "split": split, "off": off,
			"color":  flag("color", ruleset.TypeString, strconv.Quote("v"+strconv.FormatInt(version, 10))),
			"limit":  flag("limit", ruleset.TypeNumber, "42"),
			"ratio":  flag("ratio", ruleset.TypeNumber, "0.5"),
			"config": flag("config", ruleset.TypeJSON, `{"a":[1,"two"]}`),
		},
	}
}

func marshal(t *testing.T, d *ruleset.Document) []byte {
	t.Helper()
	data, err := ruleset.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// server serves body, or fails with 500 while failing is set.
type server struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	failing bool
}

func newServer(t *testing.T, body []byte) *server {
	s := &server{body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, failing := s.body, s.failing
		s.mu.Unlock()
		if failing {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) set(body []byte, failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if body != nil {
		s.body = body
	}
	s.failing = failing
}

func fast(extra ...sdk.Option) []sdk.Option {
	return append([]sdk.Option{
		sdk.WithPollInterval(10 * time.Millisecond),
		sdk.WithBackoff(5*time.Millisecond, 20*time.Millisecond),
		sdk.WithRequestTimeout(time.Second),
	}, extra...)
}

func setup(t *testing.T, url string, opts ...sdk.Option) (*of.Client, *of.EvaluationAPI, error) {
	return setupWith(t, url, nil, opts...)
}

func setupWith(t *testing.T, url string, popts []Option, opts ...sdk.Option) (*of.Client, *of.EvaluationAPI, error) {
	t.Helper()
	c, err := sdk.New(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	api := isolated.NewAPI()
	t.Cleanup(func() { api.Shutdown(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = api.SetProviderAndWait(ctx, NewProvider(c, popts...))
	return api.NewClient(), api, err
}

func TestEvaluations(t *testing.T) {
	s := newServer(t, marshal(t, doc(1)))
	client, _, err := setup(t, s.URL, fast()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pro := of.NewEvaluationContext("user-1", map[string]any{"plan": "pro"})
	free := of.NewEvaluationContext("user-2", map[string]any{"plan": "free"})

	b, err := client.BooleanValueDetails(ctx, "targeted", false, pro)
	if err != nil || !b.Value || b.Reason != of.TargetingMatchReason || b.Variant != "b" || b.FlagMetadata["ruleName"] != "pros" {
		t.Errorf("targeted(pro) = %+v, %v", b, err)
	}
	if b, _ := client.BooleanValueDetails(ctx, "targeted", true, free); b.Value || b.Reason != of.DefaultReason {
		t.Errorf("targeted(free) = %+v", b)
	}
	if b, _ := client.BooleanValueDetails(ctx, "off", true, free); b.Value || b.Reason != of.DisabledReason {
		t.Errorf("off = %+v", b)
	}
	if s, _ := client.StringValueDetails(ctx, "split", "", free); s.Reason != of.SplitReason || (s.Value != "x" && s.Value != "y") {
		t.Errorf("split = %+v", s)
	}
	if v, err := client.StringValue(ctx, "color", "", free); v != "v1" || err != nil {
		t.Errorf("color = %q, %v", v, err)
	}
	if v, err := client.FloatValue(ctx, "ratio", 0, free); v != 0.5 || err != nil {
		t.Errorf("ratio = %v, %v", v, err)
	}
	if v, err := client.IntValue(ctx, "limit", 0, free); v != 42 || err != nil {
		t.Errorf("limit = %v, %v", v, err)
	}
	obj, err := client.ObjectValue(ctx, "config", nil, free)
	if m, ok := obj.(map[string]any); !ok || err != nil || !slices.Equal(m["a"].([]any), []any{1.0, "two"}) {
		t.Errorf("config = %#v, %v", obj, err)
	}

	nf, err := client.BooleanValueDetails(ctx, "missing", true, free)
	if err == nil || !nf.Value || nf.ErrorCode != of.FlagNotFoundCode || nf.Reason != of.ErrorReason {
		t.Errorf("missing = %+v, %v", nf, err)
	}
	tm, err := client.StringValueDetails(ctx, "limit", "dflt", free)
	if err == nil || tm.Value != "dflt" || tm.ErrorCode != of.TypeMismatchCode {
		t.Errorf("type mismatch = %+v, %v", tm, err)
	}
	if i, err := client.IntValueDetails(ctx, "ratio", 7, free); err == nil || i.Value != 7 || i.ErrorCode != of.TypeMismatchCode {
		t.Errorf("int of 0.5 = %+v, %v", i, err)
	}
}

type recorder struct {
	mu     sync.Mutex
	events []of.EventDetails
	types  []of.EventType
}

func (r *recorder) listen(api *of.EvaluationAPI, types ...of.EventType) {
	for _, et := range types {
		cb := func(d of.EventDetails) {
			r.mu.Lock()
			r.events = append(r.events, d)
			r.types = append(r.types, et)
			r.mu.Unlock()
		}
		api.AddHandler(et, &cb)
	}
}

func (r *recorder) wait(t *testing.T, n int) ([]of.EventType, []of.EventDetails) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		if len(r.types) >= n {
			defer r.mu.Unlock()
			return slices.Clone(r.types), slices.Clone(r.events)
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d events", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEvents walks the provider through READY, a new ruleset, failures and
// recovery.
func TestEvents(t *testing.T) {
	s := newServer(t, marshal(t, doc(1)))
	client, api, err := setup(t, s.URL, fast()...)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	rec.listen(api, of.ProviderConfigChange, of.ProviderStale, of.ProviderReady)
	types, _ := rec.wait(t, 1) // handlers added after READY hear it at once
	if types[0] != of.ProviderReady {
		t.Fatalf("first event %v", types[0])
	}

	next := doc(2)
	next.Flags["limit"] = flag("limit", ruleset.TypeNumber, "43")
	s.set(marshal(t, next), false)
	types, events := rec.wait(t, 2)
	if types[1] != of.ProviderConfigChange || !slices.Equal(events[1].FlagChanges, []string{"color", "limit"}) {
		t.Fatalf("event %v %+v", types[1], events[1])
	}

	s.set(nil, true)
	types, _ = rec.wait(t, 3)
	if types[2] != of.ProviderStale || client.State() != of.StaleState {
		t.Fatalf("event %v, state %v", types[2], client.State())
	}
	if v, _ := client.StringValue(context.Background(), "color", "", of.EvaluationContext{}); v != "v2" {
		t.Fatalf("served %q while stale", v)
	}

	s.set(nil, false)
	types, _ = rec.wait(t, 4)
	if types[3] != of.ProviderReady || client.State() != of.ReadyState {
		t.Fatalf("event %v, state %v", types[3], client.State())
	}
}

func TestInitServesBootstrapWhenOriginDown(t *testing.T) {
	s := newServer(t, nil)
	s.set(nil, true)
	client, _, err := setupWith(t, s.URL, []Option{WithInitTimeout(50 * time.Millisecond)}, fast(sdk.WithBootstrap(marshal(t, doc(5))))...)
	if err != nil {
		t.Fatalf("init with bootstrap: %v", err)
	}
	if v, _ := client.StringValue(context.Background(), "color", "", of.EvaluationContext{}); v != "v5" {
		t.Fatalf("color = %q", v)
	}
	deadline := time.Now().Add(5 * time.Second)
	for client.State() != of.StaleState {
		if time.Now().After(deadline) {
			t.Fatalf("state %v, want STALE", client.State())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestInitFailsWithoutRuleset(t *testing.T) {
	s := newServer(t, nil)
	s.set(nil, true)
	client, api, err := setupWith(t, s.URL, []Option{WithInitTimeout(50 * time.Millisecond)}, fast()...)
	if err == nil {
		t.Fatal("init succeeded with the origin down and no bootstrap")
	}
	d, _ := client.BooleanValueDetails(context.Background(), "targeted", true, of.EvaluationContext{})
	if !d.Value || d.Reason != of.ErrorReason {
		t.Fatalf("detail = %+v", d)
	}
	rec := &recorder{}
	rec.listen(api, of.ProviderReady)
	s.set(marshal(t, doc(1)), false)
	rec.wait(t, 1)
	if client.State() != of.ReadyState {
		t.Fatalf("state %v", client.State())
	}
}
