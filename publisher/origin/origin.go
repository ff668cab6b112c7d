// Package origin serves a published flag tree over HTTP the way a CDN origin
// (or an object store's website endpoint) does: each object with the
// metadata it was published with, a strong ETag, conditional GETs, gzip, and
// nothing outside the tree.
package origin

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cairnflags/cairn/publisher"
)

// maxObject bounds what the origin decompresses for a client that does not
// accept gzip; rulesets are far smaller.
const maxObject = 256 << 20

// Handler serves the objects of store. Keys are the URL path without its
// leading slash; a key that CheckKey rejects, or with a segment starting
// with "." (the store's own .cairn files), is not found. Only GET and HEAD
// are allowed.
func Handler(store Getter, log *slog.Logger) http.Handler {
	return accessLog(&handler{store: store}, log)
}

// Getter reads one object with its metadata, or fails with an error matching
// fs.ErrNotExist; publisher.Store and Dir's result are Getters.
type Getter interface {
	Get(ctx context.Context, key string) (*publisher.Object, error)
}

type handler struct {
	store Getter
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key, ok := keyOf(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	obj, err := h.store.Get(r.Context(), key)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "cannot read object", http.StatusInternalServerError)
		return
	}
	body, encoding, etag, err := negotiate(obj, acceptsGzip(r))
	if err != nil {
		http.Error(w, "cannot decode object", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", orDefault(obj.Meta.ContentType, "application/octet-stream"))
	if obj.Meta.CacheControl != "" {
		hdr.Set("Cache-Control", obj.Meta.CacheControl)
	}
	if encoding != "" {
		hdr.Set("Content-Encoding", encoding)
	}
	hdr.Set("ETag", etag)
	hdr.Set("Vary", "Accept-Encoding")
	// ServeContent answers If-None-Match with 304, HEAD without a body, and
	// ranges, from the ETag set above.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// keyOf maps a URL path to a store key, refusing anything that could leave
// the tree or reach the store's own files.
func keyOf(path string) (string, bool) {
	key := strings.TrimPrefix(path, "/")
	if publisher.CheckKey(key) != nil {
		return "", false
	}
	for _, seg := range strings.Split(key, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return key, true
}

// negotiate picks the representation for a client: stored gzip as is to
// clients that accept it, decompressed for those that don't; stored plain
// bytes compressed for clients that accept gzip. Each representation has its
// own strong ETag, derived from the object's token.
func negotiate(obj *publisher.Object, gz bool) (body []byte, encoding, etag string, err error) {
	stored := obj.Meta.ContentEncoding == "gzip"
	switch {
	case stored && gz:
		return obj.Body, "gzip", quote(obj.Token), nil
	case stored:
		zr, err := gzip.NewReader(bytes.NewReader(obj.Body))
		if err != nil {
			return nil, "", "", fmt.Errorf("gunzip: %w", err)
		}
		plain, err := io.ReadAll(io.LimitReader(zr, maxObject))
		if err != nil {
			return nil, "", "", fmt.Errorf("gunzip: %w", err)
		}
		return plain, "", quote(obj.Token + "-identity"), nil
	case gz:
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(obj.Body)
		if err := zw.Close(); err != nil {
			return nil, "", "", fmt.Errorf("gzip: %w", err)
		}
		return buf.Bytes(), "gzip", quote(obj.Token + "-gzip"), nil
	default:
		return obj.Body, "", quote(obj.Token), nil
	}
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (a q=0 refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				return false
			}
			return true
		}
	}
	return false
}

func quote(token string) string {
	// An ETag is a quoted string without quotes or backslashes inside.
	return `"` + strings.NewReplacer(`"`, "", `\`, "").Replace(token) + `"`
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
