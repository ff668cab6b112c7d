// Package gcs is the Google Cloud Storage publisher.Store, for targets such
// as gs://bucket/prefix. Credentials come from Application Default
// Credentials; preconditions are GCS's own (DoesNotExist, GenerationMatch),
// and a token is the object's generation.
package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/cairnflags/cairn/publisher"
)

var _ publisher.Store = (*Store)(nil)

// Store is a publisher.Store in a GCS bucket, under a prefix.
type Store struct {
	client *storage.Client
	bucket *storage.BucketHandle
	prefix string
	owned  bool
}

// New connects to GCS with the standard credential chain (and
// STORAGE_EMULATOR_HOST when set) plus opts, and returns a Store for the
// objects under prefix in bucket. Close releases the client.
func New(ctx context.Context, bucket, prefix string, opts ...option.ClientOption) (*Store, error) {
	client, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcs client: %w", err)
	}
	s := NewWithClient(client, bucket, prefix)
	s.owned = true
	return s, nil
}

// NewWithClient returns a Store that uses client, which stays the
// caller's: Close does not close it.
func NewWithClient(client *storage.Client, bucket, prefix string) *Store {
	return &Store{client: client, bucket: client.Bucket(bucket), prefix: strings.Trim(prefix, "/")}
}

// Close closes the client if New created it.
func (s *Store) Close() error {
	if s.owned {
		return s.client.Close()
	}
	return nil
}

func (s *Store) name(key string) (string, error) { return publisher.PrefixedKey(s.prefix, key) }

// Get reads the object at key. It asks for the stored bytes, so a
// gzip-encoded object comes back compressed, as the Store contract says.
func (s *Store) Get(ctx context.Context, key string) (*publisher.Object, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	r, err := s.bucket.Object(name).ReadCompressed(true).NewReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, mapError(err))
	}
	defer r.Close()
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, mapError(err))
	}
	a := r.Attrs
	return &publisher.Object{
		Body:  body,
		Token: strconv.FormatInt(a.Generation, 10),
		Meta:  publisher.Meta{ContentType: a.ContentType, ContentEncoding: a.ContentEncoding, CacheControl: a.CacheControl},
	}, nil
}

// Put writes body at key in one request. It is not retried: a retried
// conditional write whose first attempt landed would fail its own
// precondition and report a conflict that did not happen.
func (s *Store) Put(ctx context.Context, key string, body []byte, opts publisher.PutOptions) (string, error) {
	name, err := s.name(key)
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	o := s.bucket.Object(name)
	switch {
	case opts.IfMatch != "" && opts.IfNotExists:
		return "", fmt.Errorf("put %s: both if-match and if-not-exists", key)
	case opts.IfNotExists:
		o = o.If(storage.Conditions{DoesNotExist: true})
	case opts.IfMatch != "":
		gen, err := strconv.ParseInt(opts.IfMatch, 10, 64)
		if err != nil || gen <= 0 {
			return "", fmt.Errorf("put %s: token %q is no generation: %w", key, opts.IfMatch, publisher.ErrConflict)
		}
		o = o.If(storage.Conditions{GenerationMatch: gen})
	}
	w := o.NewWriter(ctx)
	w.ChunkSize = 0
	w.ContentType = opts.ContentType
	w.ContentEncoding = opts.ContentEncoding
	w.CacheControl = opts.CacheControl
	if _, err := w.Write(body); err != nil {
		w.Close()
		return "", fmt.Errorf("put %s: %w", key, mapError(err))
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("put %s: %w", key, mapError(err))
	}
	return strconv.FormatInt(w.Attrs().Generation, 10), nil
}

// List returns the keys under prefix in lexical order (GCS lists names in
// that order).
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	full := prefix
	if s.prefix != "" {
		full = s.prefix + "/" + prefix
	}
	q := &storage.Query{Prefix: full}
	if err := q.SetAttrSelection([]string{"Name"}); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	var keys []string
	it := s.bucket.Objects(ctx, q)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return keys, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, mapError(err))
		}
		key := a.Name
		if s.prefix != "" {
			key = strings.TrimPrefix(key, s.prefix+"/")
		}
		keys = append(keys, key)
	}
}

// mapError turns GCS's not-found into fs.ErrNotExist and a failed
// precondition into publisher.ErrConflict, keeping the original message.
func mapError(err error) error {
	if errors.Is(err, storage.ErrObjectNotExist) || errors.Is(err, storage.ErrBucketNotExist) {
		return fmt.Errorf("%w: %v", fs.ErrNotExist, err)
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		switch ge.Code {
		case http.StatusPreconditionFailed:
			return fmt.Errorf("%w: %v", publisher.ErrConflict, err)
		case http.StatusNotFound:
			return fmt.Errorf("%w: %v", fs.ErrNotExist, err)
		}
	}
	return err
}
