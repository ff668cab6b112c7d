package sdk

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

func TestChangeAndStateListeners(t *testing.T) {
	v1 := testDoc("prod", 1)
	o := newOrigin(t, marshal(t, v1))
	release := o.holdRequests(t)
	c := newClient(t, o.URL, fastOptions()...)
	var mu sync.Mutex
	var changes []Change
	var states []StateChange
	c.OnChange(func(ch Change) { mu.Lock(); changes = append(changes, ch); mu.Unlock() })
	c.OnStateChange(func(sc StateChange) { mu.Lock(); states = append(states, sc); mu.Unlock() })
	release()
	waitReady(t, c)

	v2 := testDoc("prod", 2) // color changes with the version
	v2.Flags["limit"] = numberFlag("limit", 43)
	v2.Flags["new"] = boolFlag("new", true)
	delete(v2.Flags, "ratio")
	o.set("ok", marshal(t, v2))
	eventually(t, "v2", func() bool { mu.Lock(); defer mu.Unlock(); return len(changes) == 2 })
	o.set("500", nil)
	eventually(t, "stale", func() bool { return c.Status().State == StateStale })
	o.set("ok", nil)
	eventually(t, "ready", func() bool { mu.Lock(); defer mu.Unlock(); return len(states) == 3 })

	mu.Lock()
	defer mu.Unlock()
	if ch := changes[1]; ch.OldVersion != 1 || ch.NewVersion != 2 || !slices.Equal(ch.Flags, []string{"color", "limit", "new", "ratio"}) {
		t.Fatalf("change = %+v", ch)
	}
	want := []State{StateNotReady, StateReady, StateStale, StateReady}
	for i, sc := range states {
		if sc.From != want[i] || sc.To != want[i+1] {
			t.Fatalf("state changes = %+v, want %v", states, want)
		}
	}
	if states[1].Err == nil {
		t.Fatal("move to STALE carries no error")
	}
}

// TestStuckListenerDoesNotStopPolling: a listener that blocks holds up
// other listeners only; fetching goes on, and Close waits for it.
func TestStuckListenerDoesNotStopPolling(t *testing.T) {
	o := newOrigin(t, marshal(t, testDoc("prod", 1)))
	c, err := New(o.URL, fastOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	c.OnChange(func(Change) { <-release })
	waitReady(t, c)
	for v := int64(2); v <= 4; v++ {
		o.set("ok", marshal(t, testDoc("prod", v)))
		eventually(t, "next version", func() bool { return c.Status().Version == v })
	}
	close(release)
	c.Close()
}

func TestListenerPanicIsContained(t *testing.T) {
	o := newOrigin(t, marshal(t, testDoc("prod", 1)))
	release := o.holdRequests(t)
	c := newClient(t, o.URL, fastOptions()...)
	got := make(chan Change, 10)
	c.OnChange(func(Change) { panic("listener bug") })
	remove := c.OnChange(func(ch Change) { got <- ch })
	release()
	waitReady(t, c)
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener after the panicking one was not called")
	}
	remove()
	o.set("ok", marshal(t, testDoc("prod", 2)))
	eventually(t, "v2", func() bool { return c.Status().Version == 2 })
	select {
	case ch := <-got:
		t.Fatalf("removed listener called: %+v", ch)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestExposureDedup(t *testing.T) {
	var mu sync.Mutex
	var got []Exposure
	c := newClient(t, "", WithBootstrap(marshal(t, testDoc("prod", 1))), WithExposureDedup(4),
		WithExposureLogger(func(e Exposure) { mu.Lock(); got = append(got, e); mu.Unlock() }))
	alice, bob := NewContext("alice", nil), NewContext("bob", nil)
	for range 100 {
		c.Bool("enabled", alice, false)
	}
	c.Bool("enabled", bob, false)
	c.String("color", alice, "")
	c.Bool("missing", alice, false) // no variation served: no exposure
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	eventually(t, "3 exposures", func() bool { return count() == 3 })
	mu.Lock()
	if e := got[0]; e.Flag != "enabled" || e.Key != "alice" || e.Variation != "var0" || e.Reason != ReasonDefault || e.Version != 1 || e.Environment != "prod" {
		t.Fatalf("exposure = %+v", e)
	}
	mu.Unlock()
	// The cache holds 4: after 4 other triples, alice's first is evicted.
	for _, k := range []string{"c1", "c2", "c3", "c4"} {
		c.Bool("enabled", NewContext(k, nil), false)
	}
	c.Bool("enabled", alice, false)
	eventually(t, "8 exposures", func() bool { return count() == 8 })
	time.Sleep(20 * time.Millisecond)
	if n := count(); n != 8 {
		t.Fatalf("%d exposures, want 8", n)
	}
}

// countingHandler counts warnings by message, and keeps the attributes of
// the last one as text.
type countingHandler struct {
	mu    sync.Mutex
	warns map[string]int
	attrs map[string]string
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		h.mu.Lock()
		h.warns[r.Message]++
		h.attrs = map[string]string{}
		r.Attrs(func(a slog.Attr) bool { h.attrs[a.Key] = a.Value.String(); return true })
		h.mu.Unlock()
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func TestExpiredFlagWarnsOnce(t *testing.T) {
	doc := testDoc("prod", 1)
	f := doc.Flags["enabled"]
	f.Expires = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Owner = "team-growth"
	doc.Flags["enabled"] = f
	h := &countingHandler{warns: map[string]int{}}
	var now time.Time
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	setNow(f.Expires.Add(-time.Hour))
	c := newClient(t, "", WithBootstrap(marshal(t, doc)), WithLogger(slog.New(h)), WithClock(clock))
	if d := c.BoolDetail("enabled", nil, false); d.Expired || !d.Value {
		t.Fatalf("before expiry: %+v", d)
	}
	setNow(f.Expires.Add(time.Hour))
	for range 10 {
		if d := c.BoolDetail("enabled", nil, false); !d.Expired || !d.Value {
			t.Fatalf("after expiry: %+v", d)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for msg, k := range h.warns {
		if msg == "cairn flag has expired; remove it from the code and the flag files" {
			n = k
		}
	}
	if n != 1 {
		t.Fatalf("expiry warnings = %d, want 1 (%v)", n, h.warns)
	}
	if h.attrs["owner"] != "team-growth" || h.attrs["expires"] != f.Expires.String() || h.attrs["flag"] != "enabled" {
		t.Fatalf("expiry warning attributes = %v", h.attrs)
	}
}

// TestClockDrivesSchedules: evaluations read the injected clock.
func TestClockDrivesSchedules(t *testing.T) {
	doc := testDoc("prod", 1)
	launch := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	f := doc.Flags["enabled"]
	f.Enabled = false
	f.Schedule = []ruleset.ScheduleStep{{At: launch, Enabled: true}}
	doc.Flags["enabled"] = f
	var mu sync.Mutex
	now := launch.Add(-time.Minute)
	c := newClient(t, "", WithBootstrap(marshal(t, doc)), WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	if d := c.BoolDetail("enabled", nil, true); d.Reason != ReasonOff || d.Value != false {
		t.Fatalf("before launch: %+v", d)
	}
	mu.Lock()
	now = launch
	mu.Unlock()
	if d := c.BoolDetail("enabled", nil, false); d.Reason != ReasonDefault || d.Value != true {
		t.Fatalf("at launch: %+v", d)
	}
	if age := c.Status().Age; age != launch.Sub(doc.PublishedAt) {
		t.Fatalf("age = %v", age)
	}
}

// Listeners given to New hear what New itself installs (the bootstrap)
// and the first fetch, with no need to hold the origin.
func TestListenersFromOptions(t *testing.T) {
	o := newOrigin(t, marshal(t, testDoc("prod", 2)))
	var mu sync.Mutex
	var changes []Change
	var states []StateChange
	c := newClient(t, o.URL, fastOptions(
		WithBootstrap(marshal(t, testDoc("prod", 1))),
		WithChangeListener(func(ch Change) { mu.Lock(); changes = append(changes, ch); mu.Unlock() }),
		WithStateListener(func(sc StateChange) { mu.Lock(); states = append(states, sc); mu.Unlock() }),
	)...)
	waitReady(t, c)
	eventually(t, "two changes and two states", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(changes) == 2 && len(states) == 2
	})
	mu.Lock()
	defer mu.Unlock()
	if ch := changes[0]; ch.OldVersion != 0 || ch.NewVersion != 1 || ch.Origin != "bootstrap" {
		t.Errorf("first change = %+v, want the bootstrap's version 1", ch)
	}
	if ch := changes[1]; ch.OldVersion != 1 || ch.NewVersion != 2 || ch.Origin != o.URL {
		t.Errorf("second change = %+v, want version 2 from the origin", ch)
	}
	// Serving the bootstrap before any fetch is STALE; the fetch makes it
	// READY.
	if states[0].From != StateNotReady || states[0].To != StateStale || states[1].To != StateReady {
		t.Errorf("state changes = %+v, want NOT_READY -> STALE -> READY", states)
	}
	for _, bad := range []Option{WithChangeListener(nil), WithStateListener(nil)} {
		if _, err := New(o.URL, bad); err == nil {
			t.Error("New accepted a nil listener")
		}
	}
}
