package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

func TestFetchServesRuleset(t *testing.T) {
	o := newOrigin(t, marshal(t, testDoc("prod", 1)))
	c := newClient(t, o.URL, fastOptions()...)
	waitReady(t, c)
	if got := c.String("color", nil, "default"); got != "v1" {
		t.Fatalf("color = %q, want v1", got)
	}
	st := c.Status()
	if st.State != StateReady || st.Version != 1 || st.Environment != "prod" || st.Origin != o.URL || st.LastSuccess.IsZero() {
		t.Fatalf("status = %+v", st)
	}
	o.mu.Lock()
	ua := o.userAgents[0]
	o.mu.Unlock()
	if ua != "cairn-go-sdk/"+Version {
		t.Fatalf("User-Agent = %q", ua)
	}
}

// TestNotModified checks that an unchanged ruleset costs a 304: the client
// sends the ETag it accepted, and nothing changes.
func TestNotModified(t *testing.T) {
	body := marshal(t, testDoc("prod", 1))
	o := newOrigin(t, body)
	release := o.holdRequests(t)
	c := newClient(t, o.URL, fastOptions()...)
	changes := make(chan Change, 10)
	c.OnChange(func(ch Change) { changes <- ch })
	release()
	waitReady(t, c)
	select {
	case ch := <-changes:
		if ch.OldVersion != 0 || ch.NewVersion != 1 {
			t.Fatalf("first change = %+v", ch)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported for the first ruleset")
	}
	eventually(t, "a 304", func() bool { _, n, _ := o.stats(); return n >= 3 })
	_, _, inm := o.stats()
	if inm[0] != "" || inm[1] != etagOf(body) {
		t.Fatalf("If-None-Match sent = %q, want none then %q", inm[:2], etagOf(body))
	}
	if st := c.Status(); st.State != StateReady || st.Version != 1 || st.ConsecutiveFailures != 0 {
		t.Fatalf("status after 304s = %+v", st)
	}
	select {
	case ch := <-changes:
		t.Fatalf("change reported for a 304: %+v", ch)
	default:
	}
}

// TestFailuresKeepLastKnownGood breaks the origin in every way we know of
// after a good fetch: the client must keep serving the good ruleset, report
// STALE with the error, and recover when the origin does.
func TestFailuresKeepLastKnownGood(t *testing.T) {
	v1 := marshal(t, testDoc("prod", 1))
	v2 := marshal(t, testDoc("prod", 2))
	v3 := marshal(t, testDoc("prod", 3))
	otherEnv := marshal(t, testDoc("staging", 5))
	conflicting := testDoc("prod", 2)
	conflicting.Flags["color"] = stringFlag("color", "impostor")
	invalid := testDoc("prod", 4)
	invalid.Flags["color"] = ruleset.Flag{Key: "wrong-key", Type: ruleset.TypeString}

	cases := []struct {
		mode string
		body []byte
		want func(error) bool
	}{
		{"404", nil, isStatus(404)},
		{"500", nil, isStatus(500)},
		{"slow", v3, isTimeout},
		{"slowbody", v3, isTimeout},
		{"hang", nil, isTimeout},
		{"reset", nil, func(err error) bool { return err != nil }},
		{"truncated", v3, is(io.ErrUnexpectedEOF)},
		{"garbage", nil, isProblems},
		{"ok", marshal(t, invalid), isProblems},
		{"oversized", v3, is(ErrTooLarge)},
		{"oversized-cl", v3, is(ErrTooLarge)},
		{"ok", v1, is(ErrOlderVersion)},
		{"ok", otherEnv, is(ErrWrongEnvironment)},
		{"ok", marshal(t, conflicting), is(ErrVersionConflict)},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d-%s", i, tc.mode), func(t *testing.T) {
			o := newOrigin(t, v2)
			c := newClient(t, o.URL, fastOptions()...)
			waitReady(t, c)
			o.set(tc.mode, tc.body)
			eventually(t, "failures", func() bool { return c.Status().ConsecutiveFailures >= 2 })
			st := c.Status()
			if st.State != StateStale || st.Version != 2 || !tc.want(st.LastError) {
				t.Fatalf("status = %+v (error %v)", st, st.LastError)
			}
			if got := c.String("color", nil, "default"); got != "v2" {
				t.Fatalf("served %q during failure, want v2", got)
			}
			o.set("ok", v3)
			eventually(t, "recovery", func() bool { return c.Status().State == StateReady })
			if got := c.String("color", nil, "default"); got != "v3" {
				t.Fatalf("served %q after recovery, want v3", got)
			}
		})
	}
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isStatus(code int) func(error) bool {
	return func(err error) bool {
		var se *StatusError
		return errors.As(err, &se) && se.StatusCode == code
	}
}

func isProblems(err error) bool {
	var ps ruleset.Problems
	return errors.As(err, &ps) && strings.Contains(err.Error(), "invalid ruleset")
}

func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

// TestSameVersionReencoded: the same content with other bytes (a proxy
// re-encoding it) is not a conflict.
func TestSameVersionReencoded(t *testing.T) {
	doc := testDoc("prod", 1)
	o := newOrigin(t, marshal(t, doc))
	c := newClient(t, o.URL, fastOptions()...)
	waitReady(t, c)
	compact, err := jsonCompact(marshal(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	before, _, _ := o.stats()
	o.set("ok", compact)
	eventually(t, "two more polls", func() bool { n, _, _ := o.stats(); return n >= before+2 })
	if st := c.Status(); st.State != StateReady || st.ConsecutiveFailures != 0 {
		t.Fatalf("status = %+v", st)
	}
}

func TestGzip(t *testing.T) {
	v1 := marshal(t, testDoc("prod", 1))
	for _, mode := range []string{"gzip", "gzip-bytes"} {
		t.Run(mode, func(t *testing.T) {
			o := newOrigin(t, v1)
			o.set(mode, nil)
			c := newClient(t, o.URL, fastOptions()...)
			waitReady(t, c)
			if got := c.String("color", nil, "default"); got != "v1" {
				t.Fatalf("color = %q", got)
			}
		})
	}
	// A transport that decompresses on its own (here: the standard one,
	// left to negotiate gzip itself) must work as well.
	t.Run("transparent", func(t *testing.T) {
		o := newOrigin(t, v1)
		o.set("gzip", nil)
		hc := &http.Client{Transport: stripAcceptEncoding{http.DefaultTransport.(*http.Transport).Clone()}}
		c := newClient(t, o.URL, fastOptions(WithHTTPClient(hc))...)
		waitReady(t, c)
		if got := c.String("color", nil, "default"); got != "v1" {
			t.Fatalf("color = %q", got)
		}
	})
	t.Run("bomb", func(t *testing.T) {
		huge := append(marshal(t, testDoc("prod", 1)), make([]byte, 1<<20)...)
		o := newOrigin(t, gzipped(huge))
		o.set("gzip-pre", nil)
		c := newClient(t, o.URL, fastOptions()...)
		eventually(t, "failures", func() bool { return c.Status().ConsecutiveFailures >= 1 })
		if st := c.Status(); st.State != StateNotReady || !errors.Is(st.LastError, ErrTooLarge) {
			t.Fatalf("status = %+v", st)
		}
	})
}

type stripAcceptEncoding struct{ rt *http.Transport }

func (s stripAcceptEncoding) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Del("Accept-Encoding")
	resp, err := s.rt.RoundTrip(r)
	if err == nil && !resp.Uncompressed {
		return nil, errors.New("transport did not decompress")
	}
	return resp, err
}

func TestNotReadyServesDefaults(t *testing.T) {
	o := newOrigin(t, nil)
	o.set("500", nil)
	c := newClient(t, o.URL, fastOptions()...)
	d := c.BoolDetail("enabled", nil, true)
	if d.Value != true || d.Reason != ReasonError || !errors.Is(d.Err, ErrNotReady) || d.VariationIndex != -1 {
		t.Fatalf("detail = %+v", d)
	}
	eventually(t, "failures", func() bool { return c.Status().ConsecutiveFailures >= 2 })
	if st := c.Status(); st.State != StateNotReady || !isStatus(500)(st.LastError) {
		t.Fatalf("status = %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := c.WaitReady(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !isStatus(500)(err) {
		t.Fatalf("WaitReady = %v, want deadline and the 500", err)
	}
}

func TestFallbackOrder(t *testing.T) {
	v1 := marshal(t, testDoc("prod", 1))
	v2 := marshal(t, testDoc("prod", 2))
	var order []string
	cdn := newOrigin(t, v1)
	bucket := newOrigin(t, v2)
	var mu = &cdn.mu
	record := func(name string) func() {
		return func() { mu.Lock(); order = append(order, name); mu.Unlock() }
	}
	cdn.onRequest, bucket.onRequest = record("cdn"), record("bucket")
	cdn.set("500", nil)
	c := newClient(t, cdn.URL, fastOptions(WithFallbackURLs(bucket.URL))...)
	waitReady(t, c)
	if got := c.String("color", nil, ""); got != "v2" {
		t.Fatalf("color = %q, want v2 from the bucket", got)
	}
	mu.Lock()
	first := append([]string(nil), order[:2]...)
	mu.Unlock()
	if first[0] != "cdn" || first[1] != "bucket" {
		t.Fatalf("order = %v, want cdn then bucket", first)
	}
	if st := c.Status(); st.State != StateReady || st.Origin != bucket.URL {
		t.Fatalf("status = %+v", st)
	}
	// A stale CDN edge (older version) also falls through to the bucket.
	cdn.set("ok", nil)
	bucket.set("ok", marshal(t, testDoc("prod", 3)))
	eventually(t, "v3", func() bool { return c.String("color", nil, "") == "v3" })
	if st := c.Status(); st.State != StateReady {
		t.Fatalf("status = %+v", st)
	}
}

func TestNextDelay(t *testing.T) {
	cfg := &config{pollInterval: 30 * time.Second, jitter: 0.1, backoffInitial: time.Second, backoffMax: 10 * time.Second}
	want := []time.Duration{30 * time.Second, 1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for failures, w := range want {
		if got := nextDelay(cfg, failures, 0.5); got != w {
			t.Errorf("failures=%d: delay %v, want %v", failures, got, w)
		}
	}
	if got := nextDelay(cfg, 1000, 0.5); got != 10*time.Second {
		t.Errorf("failures=1000: delay %v, want the cap", got)
	}
	if lo, hi := nextDelay(cfg, 0, 0), nextDelay(cfg, 0, 0.999999); lo != 27*time.Second || hi < 32999*time.Millisecond || hi > 33*time.Second {
		t.Errorf("jitter range %v..%v, want 27s..33s", lo, hi)
	}
}

// TestJitterDrawnEveryCycle: the random source is consulted for every wait,
// not once at start.
func TestJitterDrawnEveryCycle(t *testing.T) {
	o := newOrigin(t, marshal(t, testDoc("prod", 1)))
	draws := make(chan struct{}, 100)
	rnd := func() float64 {
		select {
		case draws <- struct{}{}:
		default:
		}
		return 0.5
	}
	newClient(t, o.URL, fastOptions(withRand(rnd))...)
	for range 3 {
		select {
		case <-draws:
		case <-time.After(5 * time.Second):
			t.Fatal("no jitter drawn")
		}
	}
}

func withRand(f func() float64) Option {
	return func(c *config) error { c.rand = f; return nil }
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		url  string
		opts []Option
	}{
		{"ftp://x/y", nil},
		{"http:///nohost", nil},
		{"file://host/path", nil},
		{"::", nil},
		{"", nil},
		{"http://x", []Option{WithPollInterval(0)}},
		{"http://x", []Option{WithJitter(1)}},
		{"http://x", []Option{WithBackoff(2*time.Second, time.Second)}},
		{"http://x", []Option{WithMaxSize(-1)}},
		{"http://x", []Option{WithFallbackURLs("gs://bucket/x")}},
		{"http://x", []Option{WithHTTPClient(nil)}},
		{"http://x", []Option{WithEnvironment("")}},
	} {
		if c, err := New(tc.url, tc.opts...); err == nil {
			c.Close()
			t.Errorf("New(%q, …) succeeded", tc.url)
		}
	}
}
