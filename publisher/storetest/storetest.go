// Package storetest is the conformance suite every publisher.Store runs:
// Run for the Store contract itself, RunProtocol for the publish protocol
// on top of it (races, crashes between steps). A backend's test calls both
// with a constructor that returns a fresh, empty store each time.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/cairnflags/cairn/publisher"
)

// Run runs the Store conformance tests against stores made by newStore,
// which must return a new, empty store on every call (a fresh directory or
// prefix) and register its own cleanup with t.
func Run(t *testing.T, newStore func(t *testing.T) publisher.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s publisher.Store)
	}{
		{"GetMissing", testGetMissing},
		{"PutGetMeta", testPutGetMeta},
		{"Overwrite", testOverwrite},
		{"IfNotExists", testIfNotExists},
		{"IfMatch", testIfMatch},
		{"List", testList},
		{"LargeObject", testLargeObject},
		{"OddKeys", testOddKeys},
		{"BadKeys", testBadKeys},
		{"ConcurrentIfNotExists", testConcurrentIfNotExists},
		{"ConcurrentIfMatch", testConcurrentIfMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

func mustPut(t *testing.T, s publisher.Store, key string, body []byte, opts publisher.PutOptions) string {
	t.Helper()
	tok, err := s.Put(t.Context(), key, body, opts)
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	if tok == "" {
		t.Fatalf("put %s: empty token", key)
	}
	return tok
}

func mustGet(t *testing.T, s publisher.Store, key string) *publisher.Object {
	t.Helper()
	obj, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return obj
}

func testGetMissing(t *testing.T, s publisher.Store) {
	for _, key := range []string{"missing.json", "env/ruleset.json", "env/versions/1.json"} {
		_, err := s.Get(t.Context(), key)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("get %s: err = %v, want fs.ErrNotExist", key, err)
		}
	}
	mustPut(t, s, "dir/obj.json", []byte("{}"), publisher.PutOptions{})
	// A prefix of an object is not an object.
	if _, err := s.Get(t.Context(), "dir"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a prefix: err = %v, want fs.ErrNotExist", err)
	}
}

func testPutGetMeta(t *testing.T, s publisher.Store) {
	body := gzipBytes(t, []byte(`{"hello":"world"}`))
	meta := publisher.Meta{ContentType: "application/json", ContentEncoding: "gzip", CacheControl: "public, max-age=30, stale-while-revalidate=30, stale-if-error=86400"}
	tok := mustPut(t, s, "prod/ruleset.json", body, publisher.PutOptions{Meta: meta})
	obj := mustGet(t, s, "prod/ruleset.json")
	if !bytes.Equal(obj.Body, body) {
		t.Errorf("body = %d bytes, want the %d bytes stored (stores must not decompress)", len(obj.Body), len(body))
	}
	if obj.Token != tok {
		t.Errorf("token = %q, want %q from Put", obj.Token, tok)
	}
	if obj.Meta != meta {
		t.Errorf("meta = %+v, want %+v", obj.Meta, meta)
	}

	plain := publisher.Meta{ContentType: "application/json", CacheControl: "public, max-age=31536000, immutable"}
	mustPut(t, s, "prod/versions/1.json", []byte(`{"v":1}`), publisher.PutOptions{Meta: plain})
	if got := mustGet(t, s, "prod/versions/1.json").Meta; got != plain {
		t.Errorf("meta = %+v, want %+v", got, plain)
	}
}

func testOverwrite(t *testing.T, s publisher.Store) {
	t1 := mustPut(t, s, "k.json", []byte("one"), publisher.PutOptions{})
	t2 := mustPut(t, s, "k.json", []byte("two"), publisher.PutOptions{})
	if t1 == t2 {
		t.Errorf("token unchanged by a new body: %q", t1)
	}
	obj := mustGet(t, s, "k.json")
	if string(obj.Body) != "two" || obj.Token != t2 {
		t.Errorf("got %q token %q, want \"two\" token %q", obj.Body, obj.Token, t2)
	}
}

func testIfNotExists(t *testing.T, s publisher.Store) {
	opts := publisher.PutOptions{IfNotExists: true}
	mustPut(t, s, "v/1.json", []byte("first"), opts)
	_, err := s.Put(t.Context(), "v/1.json", []byte("second"), opts)
	if !errors.Is(err, publisher.ErrConflict) {
		t.Fatalf("second if-not-exists put: err = %v, want ErrConflict", err)
	}
	if got := mustGet(t, s, "v/1.json").Body; string(got) != "first" {
		t.Errorf("body = %q after a refused put, want \"first\"", got)
	}
}

func testIfMatch(t *testing.T, s publisher.Store) {
	ctx := t.Context()
	if _, err := s.Put(ctx, "cur.json", []byte("x"), publisher.PutOptions{IfMatch: "no-such-token"}); !errors.Is(err, publisher.ErrConflict) {
		t.Errorf("if-match on a missing object: err = %v, want ErrConflict", err)
	}
	t1 := mustPut(t, s, "cur.json", []byte("one"), publisher.PutOptions{})
	t2 := mustPut(t, s, "cur.json", []byte("two"), publisher.PutOptions{IfMatch: t1})
	if _, err := s.Put(ctx, "cur.json", []byte("three"), publisher.PutOptions{IfMatch: t1}); !errors.Is(err, publisher.ErrConflict) {
		t.Fatalf("if-match with a stale token: err = %v, want ErrConflict", err)
	}
	if obj := mustGet(t, s, "cur.json"); string(obj.Body) != "two" || obj.Token != t2 {
		t.Errorf("got %q token %q, want \"two\" token %q", obj.Body, obj.Token, t2)
	}
	mustPut(t, s, "cur.json", []byte("three"), publisher.PutOptions{IfMatch: t2})
}

func testList(t *testing.T, s publisher.Store) {
	keys := []string{"a/ruleset.json", "a/versions/1.json", "a/versions/2.json", "a/versions/10.json", "ab/ruleset.json", "b/ruleset.json"}
	for _, k := range keys {
		mustPut(t, s, k, []byte(k), publisher.PutOptions{})
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", keys},
		{"a/", keys[:4]},
		{"a", keys[:5]},
		{"a/versions/", []string{"a/versions/1.json", "a/versions/10.json", "a/versions/2.json"}},
		{"a/versions/1", []string{"a/versions/1.json", "a/versions/10.json"}},
		{"c/", nil},
	} {
		got, err := s.List(t.Context(), tc.prefix)
		if err != nil {
			t.Fatalf("list %q: %v", tc.prefix, err)
		}
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("list %q = %q, want %q", tc.prefix, got, want)
		}
	}
}

func testLargeObject(t *testing.T, s publisher.Store) {
	body := make([]byte, 6<<20+12345)
	var x uint32 = 2463534242
	for i := range body {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		body[i] = byte(x)
	}
	tok := mustPut(t, s, "big/ruleset.json", body, publisher.PutOptions{Meta: publisher.Meta{ContentType: "application/json"}})
	obj := mustGet(t, s, "big/ruleset.json")
	if !bytes.Equal(obj.Body, body) || obj.Token != tok {
		t.Errorf("large object: got %d bytes token %q, want %d bytes token %q", len(obj.Body), obj.Token, len(body), tok)
	}
}

func testOddKeys(t *testing.T, s publisher.Store) {
	keys := []string{"odd/with space.json", "odd/ünïcødé/флаг.json", "odd/a+b.json", "odd/100%.json", "odd/%2F.json", "odd/q?x=1&y=#h.json", "odd/~tilde'quote\".json"}
	for _, k := range keys {
		mustPut(t, s, k, []byte(k), publisher.PutOptions{IfNotExists: true})
		if obj := mustGet(t, s, k); string(obj.Body) != k {
			t.Errorf("get %q = %q", k, obj.Body)
		}
	}
	got, err := s.List(t.Context(), "odd/")
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("list = %q, want %q", got, want)
	}
	if _, err := s.Get(t.Context(), "odd/a b.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get odd/a b.json (never stored; a+b.json is): err = %v, want fs.ErrNotExist", err)
	}
}

func testBadKeys(t *testing.T, s publisher.Store) {
	for _, k := range []string{"", "/abs.json", "../escape.json", "a/../../b.json", "a//b.json", "a/./b.json", "trailing/"} {
		if _, err := s.Put(t.Context(), k, []byte("x"), publisher.PutOptions{}); err == nil {
			t.Errorf("put %q: no error, want a refused key", k)
		}
		if _, err := s.Get(t.Context(), k); err == nil {
			t.Errorf("get %q: no error, want a refused key", k)
		}
	}
}

// racers is how many writers race for one precondition.
const racers = 8

func testConcurrentIfNotExists(t *testing.T, s publisher.Store) {
	wins := race(t, func(ctx context.Context, i int) error {
		_, err := s.Put(ctx, "race/1.json", fmt.Appendf(nil, "writer %d", i), publisher.PutOptions{IfNotExists: true})
		return err
	})
	if wins != 1 {
		t.Errorf("%d if-not-exists writers won, want exactly 1", wins)
	}
}

func testConcurrentIfMatch(t *testing.T, s publisher.Store) {
	tok := mustPut(t, s, "race/cur.json", []byte("base"), publisher.PutOptions{})
	wins := race(t, func(ctx context.Context, i int) error {
		_, err := s.Put(ctx, "race/cur.json", fmt.Appendf(nil, "writer %d", i), publisher.PutOptions{IfMatch: tok})
		return err
	})
	if wins != 1 {
		t.Errorf("%d if-match writers won, want exactly 1", wins)
	}
}

// race runs racers calls of put at once and counts the winners; every
// loser must fail with ErrConflict.
func race(t *testing.T, put func(ctx context.Context, i int) error) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, racers)
	)
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = put(t.Context(), i)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, publisher.ErrConflict):
			t.Errorf("writer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	return wins
}
