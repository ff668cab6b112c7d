package cli

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"strings"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/open"
)

// target is an opened publish target: the store a --to URL names and a
// publisher over it. Close it when done.
type target struct {
	url   string
	store open.Store
	pub   *publisher.Publisher
}

// openTarget opens the store that rawURL names. A URL that names no store
// (unknown scheme or parameter, no bucket) is a usage error; a store that
// can't be reached or created is not. keys are the publisher's signing and
// encryption options (keyOptions); without any, CAIRN_SIGN_KEY and
// CAIRN_ENCRYPT_KEY apply.
func openTarget(ctx context.Context, e Env, rawURL string, keys ...publisher.Option) (*target, error) {
	if len(keys) == 0 {
		var err error
		if keys, err = keyOptions(e, keyFlags{}); err != nil {
			return nil, err
		}
	}
	store, err := open.Open(ctx, rawURL)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			return nil, err
		}
		return nil, &usageError{err}
	}
	return &target{
		url:   rawURL,
		store: store,
		pub:   publisher.New(store, append([]publisher.Option{publisher.WithClock(e.Now), publisher.WithTool("cairn")}, keys...)...),
	}, nil
}

// Close releases the store's connections.
func (t *target) Close() error { return t.store.Close() }

// objectURL is where an object of the target lives, for people to read:
// the target URL without its query, joined with key.
func (t *target) objectURL(key string) string {
	base := t.url
	if u, err := url.Parse(t.url); err == nil && u.Scheme != "" {
		u.RawQuery = ""
		base = u.String()
	}
	return strings.TrimSuffix(base, "/") + "/" + key
}
