// Package publisher publishes compiled rulesets to object storage with the
// versioned protocol of DESIGN.md: validate, read the current ruleset and its
// token, write versions/<N+1>.json only if it does not exist, then replace
// ruleset.json only if it is still the one read. It also lists history,
// rolls back, diffs versions (see package diff) and makes out-of-band edits.
//
// Storage is behind the small Store interface; the backends live in their own
// packages (publisher/file, publisher/gcs, publisher/s3) so that this package
// never compiles a cloud SDK. publisher/open picks one from a URL.
package publisher

import (
	"context"
	"errors"
)

// ErrConflict is the error every Store returns, possibly wrapped, when a
// precondition of Put fails: the key already exists under IfNotExists, or its
// current token is not IfMatch. Publish wraps it when a racing publisher won.
var ErrConflict = errors.New("precondition failed: the object changed")

// Meta is the HTTP metadata stored with an object and served back with it.
type Meta struct {
	// ContentType is the media type, e.g. "application/json".
	ContentType string
	// ContentEncoding is "gzip" when the stored bytes are gzip-compressed,
	// empty when they are stored as they are.
	ContentEncoding string
	// CacheControl is the Cache-Control header served with the object.
	CacheControl string
}

// Object is one stored object as Get returns it.
type Object struct {
	// Body is the stored bytes, still encoded as Meta.ContentEncoding says:
	// stores never decompress.
	Body []byte
	// Token identifies this exact version of the object (an ETag or a
	// generation number); pass it as PutOptions.IfMatch to replace the object
	// only if nobody else has since. Tokens are opaque and only comparable
	// within one store.
	Token string
	Meta  Meta
}

// PutOptions are the metadata and preconditions of one Put. At most one of
// IfMatch and IfNotExists may be set.
type PutOptions struct {
	Meta
	// IfMatch, when not empty, makes Put fail with ErrConflict unless the
	// object exists and its token equals IfMatch.
	IfMatch string
	// IfNotExists makes Put fail with ErrConflict if the object exists.
	IfNotExists bool
}

// Store is a flat namespace of objects under a prefix, as an object store
// offers it. Keys are slash-separated relative paths such as
// "production/versions/12.json"; they never start with a slash and contain no
// empty, "." or ".." segments (see CheckKey).
//
// Implementations must be safe for concurrent use, must report a missing key
// as an error matching fs.ErrNotExist and a failed precondition as one
// matching ErrConflict, and must make each Put atomic: a reader sees the old
// object or the new one, never a part.
type Store interface {
	// Get returns the object stored at key, or an error matching
	// fs.ErrNotExist.
	Get(ctx context.Context, key string) (*Object, error)
	// Put stores body at key with opts' metadata, atomically, if opts'
	// preconditions hold, and returns the new object's token.
	Put(ctx context.Context, key string, body []byte, opts PutOptions) (token string, err error)
	// List returns every key that starts with prefix, in lexical order. An
	// empty prefix lists the whole store.
	List(ctx context.Context, prefix string) ([]string, error)
}

// GzipPreferrer is implemented by stores that know whether they serve
// gzip-encoded objects well. A store that does not implement it is assumed
// to (object stores send Content-Encoding back, and CDNs pass it on).
type GzipPreferrer interface {
	// PreferGzip reports whether the publisher should store rulesets
	// gzip-compressed.
	PreferGzip() bool
}
