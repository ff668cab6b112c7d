package cdnharness

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cairnflags/cairn/publisher"
)

// Mode is how an Origin answers, to play an origin that misbehaves.
type Mode int32

// Origin modes.
const (
	// ModeNormal serves the store's objects as an object store would.
	ModeNormal Mode = iota
	// ModeNotFound answers 404 to everything, as after a bad deploy.
	ModeNotFound
	// ModeServerError answers 500.
	ModeServerError
	// ModeGarbage answers 200 with an HTML page and the ruleset's cache
	// headers, so that the CDN caches it for a full TTL.
	ModeGarbage
	// ModeOlder answers a ruleset.json request with the environment's
	// first version, as a lagging replica would.
	ModeOlder
)

func (m Mode) String() string {
	return [...]string{"normal", "404", "500", "garbage", "older version"}[m]
}

// Origin serves a publisher.Store over HTTP like an object store's public
// endpoint (Content-Type, Content-Encoding, Cache-Control, a strong ETag,
// 304 to If-None-Match), except in the Mode the test sets. The URL path
// is the store key. It counts the requests it answers.
type Origin struct {
	store publisher.Store
	mode  atomic.Int32

	mu     sync.Mutex
	counts map[int]int64
}

// NewOrigin returns an Origin in ModeNormal.
func NewOrigin(store publisher.Store) *Origin {
	return &Origin{store: store, counts: map[int]int64{}}
}

// SetMode changes how the origin answers from the next request on.
func (o *Origin) SetMode(m Mode) { o.mode.Store(int32(m)) }

// Requests returns the number of requests answered, by status code.
func (o *Origin) Requests() map[int]int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[int]int64, len(o.counts))
	for k, v := range o.counts {
		out[k] = v
	}
	return out
}

func (o *Origin) count(status int) {
	o.mu.Lock()
	o.counts[status]++
	o.mu.Unlock()
}

// ServeHTTP answers GET and HEAD for store keys.
func (o *Origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/")
	mode := Mode(o.mode.Load())
	switch mode {
	case ModeNotFound:
		o.fail(w, http.StatusNotFound)
		return
	case ModeServerError:
		o.fail(w, http.StatusInternalServerError)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		o.fail(w, http.StatusMethodNotAllowed)
		return
	}
	if publisher.CheckKey(key) != nil {
		o.fail(w, http.StatusNotFound)
		return
	}
	obj, err := o.object(r, key, mode)
	if errors.Is(err, fs.ErrNotExist) {
		o.fail(w, http.StatusNotFound)
		return
	}
	if err != nil {
		o.fail(w, http.StatusInternalServerError)
		return
	}
	if mode == ModeGarbage {
		obj = &publisher.Object{Body: []byte("<html><body>502 Bad Gateway (an upstream proxy's error page)</body></html>\n"),
			Meta: publisher.Meta{ContentType: "text/html", CacheControl: obj.Meta.CacheControl}}
	}
	sum := sha256.Sum256(obj.Body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Content-Type", obj.Meta.ContentType)
	if obj.Meta.CacheControl != "" {
		h.Set("Cache-Control", obj.Meta.CacheControl)
	}
	if obj.Meta.ContentEncoding != "" {
		h.Set("Content-Encoding", obj.Meta.ContentEncoding)
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		o.count(http.StatusNotModified)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	o.count(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(obj.Body)
}

// object reads key, or in ModeOlder the environment's first version in
// place of its ruleset.json.
func (o *Origin) object(r *http.Request, key string, mode Mode) (*publisher.Object, error) {
	env, isCurrent := strings.CutSuffix(key, "/ruleset.json")
	if mode != ModeOlder || !isCurrent {
		return o.store.Get(r.Context(), key)
	}
	cur, err := o.store.Get(r.Context(), key)
	if err != nil {
		return nil, err
	}
	old, err := o.store.Get(r.Context(), publisher.VersionKey(env, 1))
	if err != nil {
		return nil, err
	}
	old.Meta.CacheControl = cur.Meta.CacheControl
	return old, nil
}

func (o *Origin) fail(w http.ResponseWriter, status int) {
	o.count(status)
	http.Error(w, http.StatusText(status), status)
}
