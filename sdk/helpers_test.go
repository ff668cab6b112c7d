package sdk

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// testDoc is a ruleset whose "color" flag serves "v<version>", so a test can
// tell which ruleset a client serves with one evaluation.
func testDoc(env string, version int64) *ruleset.Document {
	return &ruleset.Document{
		Schema:      ruleset.SchemaVersion,
		Environment: env,
		Version:     version,
		PublishedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(version) * time.Minute),
		Source:      ruleset.Source{Kind: ruleset.SourceGit, Commit: "abc123"},
		Flags: map[string]ruleset.Flag{
			"enabled": boolFlag("enabled", true),
			"color":   stringFlag("color", "v"+strconv.FormatInt(version, 10)),
			"limit":   numberFlag("limit", 42),
			"ratio":   numberFlag("ratio", 0.25),
			"config":  jsonFlag("config", `{"a":1}`),
		},
		Segments: map[string]ruleset.Segment{},
	}
}

func flagOf(key string, typ ruleset.FlagType, values ...string) ruleset.Flag {
	f := ruleset.Flag{Key: key, Type: typ, Enabled: true, Salt: key}
	for i, v := range values {
		f.Variations = append(f.Variations, ruleset.Variation{Key: fmt.Sprintf("var%d", i), Value: json.RawMessage(v)})
	}
	f.OffVariation = "var" + strconv.Itoa(len(values)-1)
	f.Default = ruleset.Serve{Variation: "var0"}
	return f
}

func boolFlag(key string, v bool) ruleset.Flag {
	return flagOf(key, ruleset.TypeBoolean, strconv.FormatBool(v), strconv.FormatBool(!v))
}

func stringFlag(key, v string) ruleset.Flag {
	return flagOf(key, ruleset.TypeString, strconv.Quote(v), `"off"`)
}

func numberFlag(key string, v float64) ruleset.Flag {
	return flagOf(key, ruleset.TypeNumber, strconv.FormatFloat(v, 'g', -1, 64), "0")
}

func jsonFlag(key, v string) ruleset.Flag {
	return flagOf(key, ruleset.TypeJSON, v, "null")
}

func marshal(t testing.TB, doc *ruleset.Document) []byte {
	t.Helper()
	data, err := ruleset.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// gzipped compresses data; writing to memory can't fail.
func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// origin is a programmable ruleset server. Mode picks how it answers.
type origin struct {
	*httptest.Server

	mu           sync.Mutex
	mode         string
	body         []byte
	requests     int
	ifNoneMatch  []string
	userAgents   []string
	onRequest    func() // called first on every request, if set
	notModifieds int
}

func newOrigin(t testing.TB, body []byte) *origin {
	t.Helper()
	o := &origin{mode: "ok", body: body}
	o.Server = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.Close)
	return o
}

func (o *origin) set(mode string, body []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mode = mode
	if body != nil {
		o.body = body
	}
}

// holdRequests makes the origin wait before answering until release is
// called (or the test ends). A listener registered after New would miss a
// first ruleset installed before it; a test holds the origin, registers
// its listeners, then releases it.
func (o *origin) holdRequests(t testing.TB) (release func()) {
	gate := make(chan struct{})
	release = sync.OnceFunc(func() { close(gate) })
	t.Cleanup(release)
	o.mu.Lock()
	o.onRequest = func() { <-gate }
	o.mu.Unlock()
	return release
}

func (o *origin) stats() (requests, notModified int, inm []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requests, o.notModifieds, append([]string(nil), o.ifNoneMatch...)
}

func etagOf(body []byte) string { return fmt.Sprintf(`"%x"`, sha256.Sum256(body)) }

func (o *origin) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.requests++
	o.ifNoneMatch = append(o.ifNoneMatch, r.Header.Get("If-None-Match"))
	o.userAgents = append(o.userAgents, r.Header.Get("User-Agent"))
	mode, body, hook := o.mode, o.body, o.onRequest
	o.mu.Unlock()
	if hook != nil {
		hook()
	}
	etag := etagOf(body)
	switch mode {
	case "ok":
		if r.Header.Get("If-None-Match") == etag {
			o.mu.Lock()
			o.notModifieds++
			o.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	case "404":
		http.NotFound(w, r)
	case "500":
		http.Error(w, "boom", http.StatusInternalServerError)
	case "slow":
		if sleep(r, 2*time.Second) {
			w.Write(body)
		}
	case "slowbody":
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:10])
		w.(http.Flusher).Flush()
		if sleep(r, 2*time.Second) {
			w.Write(body[10:])
		}
	case "hang":
		<-r.Context().Done()
	case "reset":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	case "truncated":
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+100))
		w.Write(body)
	case "gzip":
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("ETag", etag)
		w.Write(gzipped(body))
	case "gzip-pre":
		// body is already compressed.
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(body)
	case "gzip-bytes":
		// A bucket object stored compressed without Content-Encoding.
		w.Header().Set("ETag", etag)
		w.Write(gzipped(body))
	case "garbage":
		w.Write([]byte("<html>502 Bad Gateway</html>"))
	case "oversized":
		// Valid JSON padded past the limit, sent chunked (no Content-Length).
		w.Write(body)
		w.(http.Flusher).Flush()
		w.Write(bytes.Repeat([]byte(" "), 200<<10))
	case "oversized-cl":
		pad := bytes.Repeat([]byte(" "), 200<<10)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+len(pad)))
		w.Write(body)
		w.Write(pad)
	}
}

// fastOptions make a client poll and retry every few milliseconds.
func fastOptions(extra ...Option) []Option {
	return append([]Option{
		WithPollInterval(10 * time.Millisecond),
		WithBackoff(5*time.Millisecond, 20*time.Millisecond),
		WithRequestTimeout(500 * time.Millisecond),
		WithMaxSize(100 << 10),
	}, extra...)
}

func newClient(t testing.TB, url string, opts ...Option) *Client {
	t.Helper()
	c, err := New(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func waitReady(t testing.TB, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond until it holds or 5 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// sleep waits d unless the client goes away first, so that closing the test
// server does not wait for it; it reports whether d passed.
func sleep(r *http.Request, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}
