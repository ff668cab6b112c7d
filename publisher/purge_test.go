package publisher_test

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/file"
	"github.com/cairnflags/cairn/publisher/storetest"
	"github.com/cairnflags/cairn/ruleset"
)

// recordingPurger remembers every purge and what the store held when it
// ran, so the test can tell the purge came after the replace.
type recordingPurger struct {
	store *file.Store
	err   error

	mu    sync.Mutex
	calls []string
	seen  []int
}

func (r *recordingPurger) Purge(ctx context.Context, env string, keys []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		r.calls = append(r.calls, env+":"+k)
	}
	obj, err := r.store.Get(ctx, publisher.CurrentKey(env))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if obj != nil {
		r.seen = append(r.seen, len(obj.Body))
	}
	return r.err
}

func TestPurgeAfterPublish(t *testing.T) {
	s, err := file.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingPurger{store: s}
	p := publisher.New(s, publisher.WithPurger(rec, 0))

	res := publish(t, p, storetest.Document(env, 3, 1), publisher.PublishOptions{})
	if !res.Purged || res.PurgeError != nil {
		t.Fatalf("first publish: Purged %v, PurgeError %v", res.Purged, res.PurgeError)
	}
	if len(rec.seen) != 1 || rec.seen[0] != res.Bytes {
		t.Fatalf("purge saw %v bytes in the store, want the new ruleset's %d", rec.seen, res.Bytes)
	}
	// Nothing changed, nothing written: nothing to purge.
	if res = publish(t, p, storetest.Document(env, 3, 1), publisher.PublishOptions{}); !res.Unchanged || res.Purged {
		t.Fatalf("unchanged publish: %+v", res)
	}
	publish(t, p, storetest.Document(env, 3, 2), publisher.PublishOptions{})
	if _, err := p.Rollback(t.Context(), env, 1, ruleset.Source{Author: "test"}); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	want := []string{"production:production/ruleset.json", "production:production/ruleset.json", "production:production/ruleset.json"}
	if !slices.Equal(rec.calls, want) {
		t.Fatalf("purges %q, want %q", rec.calls, want)
	}
}

func TestPurgeFailureKeepsThePublish(t *testing.T) {
	s, err := file.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("cdn says no")
	p := publisher.New(s, publisher.WithPurger(&recordingPurger{store: s, err: boom}, 0))
	res := publish(t, p, storetest.Document(env, 3, 1), publisher.PublishOptions{})
	if res.Purged || !errors.Is(res.PurgeError, boom) || res.Version != 1 {
		t.Fatalf("got %+v, want version 1 published with PurgeError wrapping %v", res, boom)
	}
}
