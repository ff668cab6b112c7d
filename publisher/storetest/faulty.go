package storetest

import (
	"context"
	"errors"
	"sync"

	"github.com/cairnflags/cairn/publisher"
)

// errCrash is what a Faulty store returns in place of a crash.
var errCrash = errors.New("injected crash")

// Faulty wraps a Store and fails its FailAt-th call (1-based: Get, List and
// Put all count) as if the process died there. With After set the call is
// made first and its effect stays, as in a crash after the write landed but
// before its answer arrived.
type Faulty struct {
	publisher.Store
	FailAt int
	After  bool

	mu    sync.Mutex
	calls int
}

func (f *Faulty) fail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.calls == f.FailAt
}

// Get fails on its turn; see Faulty.
func (f *Faulty) Get(ctx context.Context, key string) (*publisher.Object, error) {
	if !f.fail() {
		return f.Store.Get(ctx, key)
	}
	if f.After {
		f.Store.Get(ctx, key) //nolint:errcheck // the crash hides the answer
	}
	return nil, errCrash
}

// List fails on its turn; see Faulty.
func (f *Faulty) List(ctx context.Context, prefix string) ([]string, error) {
	if !f.fail() {
		return f.Store.List(ctx, prefix)
	}
	if f.After {
		f.Store.List(ctx, prefix) //nolint:errcheck // the crash hides the answer
	}
	return nil, errCrash
}

// Put fails on its turn; see Faulty.
func (f *Faulty) Put(ctx context.Context, key string, body []byte, opts publisher.PutOptions) (string, error) {
	if !f.fail() {
		return f.Store.Put(ctx, key, body, opts)
	}
	if f.After {
		f.Store.Put(ctx, key, body, opts) //nolint:errcheck // the crash hides the answer
	}
	return "", errCrash
}
