package origin

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/file"
)

const ruleset = `{"schema": 1, "environment": "production", "version": 3, "flags": {}, "segments": {}}` + "\n"

// tree publishes two objects into a fresh directory with the file store:
// one plain, one stored gzip-compressed, and returns a server for it.
func tree(t *testing.T) (string, *httptest.Server) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "site")
	store, err := file.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := store.Put(ctx, "production/ruleset.json", []byte(ruleset), publisher.PutOptions{Meta: publisher.Meta{
		ContentType: "application/json", CacheControl: publisher.DefaultCurrentCacheControl}}); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(ruleset))
	zw.Close()
	if _, err := store.Put(ctx, "production/versions/3.json", gz.Bytes(), publisher.PutOptions{Meta: publisher.Meta{
		ContentType: "application/json", ContentEncoding: "gzip", CacheControl: publisher.DefaultVersionCacheControl}}); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	srv := httptest.NewServer(Handler(tr, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return dir, srv
}

// get sends a request without Go's transparent gzip handling, so the test
// sees exactly what the origin sent.
func get(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestServesWithPublishedMetadata(t *testing.T) {
	_, srv := tree(t)
	for _, tt := range []struct {
		path, accept, wantEncoding, wantCache string
	}{
		{"/production/ruleset.json", "identity", "", publisher.DefaultCurrentCacheControl},
		{"/production/ruleset.json", "gzip, br", "gzip", publisher.DefaultCurrentCacheControl},
		{"/production/versions/3.json", "gzip", "gzip", publisher.DefaultVersionCacheControl},
		{"/production/versions/3.json", "identity", "", publisher.DefaultVersionCacheControl},
		{"/production/versions/3.json", "gzip;q=0", "", publisher.DefaultVersionCacheControl},
	} {
		resp, body := get(t, http.MethodGet, srv.URL+tt.path, map[string]string{"Accept-Encoding": tt.accept})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s (%s): status %d", tt.path, tt.accept, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Encoding"); got != tt.wantEncoding {
			t.Errorf("%s (%s): Content-Encoding %q, want %q", tt.path, tt.accept, got, tt.wantEncoding)
		}
		if tt.wantEncoding == "gzip" {
			body = []byte(gunzip(t, body))
		}
		if string(body) != ruleset {
			t.Errorf("%s (%s): body %q", tt.path, tt.accept, body)
		}
		if got := resp.Header.Get("Cache-Control"); got != tt.wantCache {
			t.Errorf("%s: Cache-Control %q, want %q", tt.path, got, tt.wantCache)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("%s: Content-Type %q", tt.path, got)
		}
		if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("%s: Vary %q", tt.path, got)
		}
		etag := resp.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
			t.Errorf("%s: ETag %q is not strong", tt.path, etag)
		}
	}
}

func TestETagsDifferPerEncodingAndConditionalGET(t *testing.T) {
	_, srv := tree(t)
	url := srv.URL + "/production/ruleset.json"
	plain, _ := get(t, http.MethodGet, url, nil)
	zipped, _ := get(t, http.MethodGet, url, map[string]string{"Accept-Encoding": "gzip"})
	if plain.Header.Get("ETag") == zipped.Header.Get("ETag") {
		t.Errorf("plain and gzip representations share ETag %s", plain.Header.Get("ETag"))
	}
	for _, tt := range []struct {
		accept, etag string
	}{{"identity", plain.Header.Get("ETag")}, {"gzip", zipped.Header.Get("ETag")}} {
		resp, body := get(t, http.MethodGet, url, map[string]string{"Accept-Encoding": tt.accept, "If-None-Match": tt.etag})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("If-None-Match %s (%s): status %d, %d bytes; want 304, none", tt.etag, tt.accept, resp.StatusCode, len(body))
		}
		if resp.Header.Get("ETag") != tt.etag {
			t.Errorf("304 ETag %q, want %q", resp.Header.Get("ETag"), tt.etag)
		}
	}
	resp, _ := get(t, http.MethodGet, url, map[string]string{"If-None-Match": `"stale"`})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("stale If-None-Match: status %d, want 200", resp.StatusCode)
	}
}

func TestHEAD(t *testing.T) {
	_, srv := tree(t)
	resp, body := get(t, http.MethodHead, srv.URL+"/production/ruleset.json", nil)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD: status %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp.ContentLength != int64(len(ruleset)) {
		t.Errorf("HEAD: Content-Length %d, want %d", resp.ContentLength, len(ruleset))
	}
	if resp.Header.Get("ETag") == "" {
		t.Error("HEAD: no ETag")
	}
}

func TestMethodsOtherThanGETAndHEADAreRefused(t *testing.T) {
	_, srv := tree(t)
	for _, m := range []string{http.MethodPut, http.MethodPost, http.MethodDelete} {
		resp, _ := get(t, m, srv.URL+"/production/ruleset.json", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d, Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

func TestNothingOutsideTheTree(t *testing.T) {
	dir, srv := tree(t)
	parent := filepath.Dir(dir)
	secret := filepath.Join(parent, "secret.txt")
	if err := os.WriteFile(secret, []byte("top secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A symbolic link inside the tree that leads out of it.
	if err := os.Symlink(secret, filepath.Join(dir, "production", "link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(parent, filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/../secret.txt",
		"/%2e%2e/secret.txt",
		"/production/..%2f..%2fsecret.txt",
		"/production/%2e%2e/%2e%2e/secret.txt",
		"/..%5csecret.txt",
		"/production/link.json",
		"/up/secret.txt",
		"//etc/passwd",
		"/" + secret,
		"/.cairn/meta/production/ruleset.json.json",
		"/production/.hidden",
		"/",
		"/production",
		"/production/",
		"/production/ruleset.json%00",
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = path // sent exactly as written, not cleaned by the client
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "secret") {
			t.Errorf("GET %s: status %d, body %q", path, resp.StatusCode, body)
		}
	}
}

func TestAccessLog(t *testing.T) {
	dir, _ := tree(t)
	tr, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var logs bytes.Buffer
	h := Handler(tr, slog.New(slog.NewTextHandler(&logs, nil)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/production/ruleset.json", nil))
	line := logs.String()
	for _, want := range []string{"msg=request", "method=GET", "path=/production/ruleset.json", "status=200", fmt.Sprintf("bytes=%d", len(ruleset))} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                    false,
		"gzip":                true,
		"GZIP":                true,
		"br, gzip;q=0.5":      true,
		"gzip;q=0":            false,
		"gzip; q=0.0":         false,
		"identity":            false,
		"*":                   true,
		"deflate, x-gzip":     true,
		"gzipx":               false,
		"br;q=1.0, gzip;q=1":  true,
		"br;q=1.0, gzip;q=.5": true,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			r.Header.Set("Accept-Encoding", header)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("acceptsGzip(%q) = %t, want %t", header, got, want)
		}
	}
}
