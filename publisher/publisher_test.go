package publisher_test

import (
	"errors"
	"io/fs"
	"slices"
	"testing"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/file"
	"github.com/cairnflags/cairn/publisher/storetest"
	"github.com/cairnflags/cairn/ruleset"
)

const env = "production"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newPublisher(t testing.TB, opts ...publisher.Option) (*publisher.Publisher, *file.Store) {
	t.Helper()
	s, err := file.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return publisher.New(s, append([]publisher.Option{publisher.WithClock(func() time.Time { return t0 })}, opts...)...), s
}

func publish(t *testing.T, p *publisher.Publisher, doc *ruleset.Document, opts publisher.PublishOptions) publisher.Result {
	t.Helper()
	res, err := p.Publish(t.Context(), doc, opts)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return res
}

func TestPublishRefusesInvalid(t *testing.T) {
	p, s := newPublisher(t)
	doc := storetest.Document(env, 2, 1)
	f := doc.Flags["flag-00001"]
	f.Default = ruleset.Serve{Variation: "maybe"}
	doc.Flags["flag-00001"] = f
	_, err := p.Publish(t.Context(), doc, publisher.PublishOptions{})
	var ie *publisher.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *InvalidError", err)
	}
	var ps ruleset.Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Errorf("err = %v, want ruleset.Problems inside", err)
	}
	if keys, _ := s.List(t.Context(), ""); len(keys) != 0 {
		t.Errorf("an invalid ruleset wrote %q", keys)
	}
	if _, err := p.Publish(t.Context(), storetest.Document("a/b", 1, 1), publisher.PublishOptions{}); err == nil {
		t.Error("environment a/b: no error")
	}
}

func TestPublishGzip(t *testing.T) {
	p, s := newPublisher(t, publisher.WithGzip(true), publisher.WithCacheControl("max-age=5", ""))
	publish(t, p, storetest.Document(env, 3, 1), publisher.PublishOptions{})
	obj, err := s.Get(t.Context(), publisher.CurrentKey(env))
	if err != nil {
		t.Fatal(err)
	}
	if obj.Meta.ContentEncoding != "gzip" || obj.Body[0] != 0x1f || obj.Meta.CacheControl != "max-age=5" {
		t.Errorf("meta = %+v, first byte %#x; want gzip and max-age=5", obj.Meta, obj.Body[0])
	}
	doc, err := p.Current(t.Context(), env)
	if err != nil || len(doc.Flags) != 3 {
		t.Fatalf("current: %v, %v", doc, err)
	}
}

func TestPublishSkipsOrphanVersions(t *testing.T) {
	p, s := newPublisher(t)
	publish(t, p, storetest.Document(env, 1, 1), publisher.PublishOptions{})
	// A publisher that died after writing versions/7.json.
	if _, err := s.Put(t.Context(), publisher.VersionKey(env, 7), []byte("{}"), publisher.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if res := publish(t, p, storetest.Document(env, 1, 2), publisher.PublishOptions{}); res.Version != 8 || res.Previous != 1 {
		t.Errorf("result = version %d after %d, want 8 after 1", res.Version, res.Previous)
	}
}

func TestPublishReplacesUnreadableCurrent(t *testing.T) {
	p, s := newPublisher(t)
	publish(t, p, storetest.Document(env, 1, 1), publisher.PublishOptions{})
	if _, err := s.Put(t.Context(), publisher.CurrentKey(env), []byte("not json"), publisher.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if res := publish(t, p, storetest.Document(env, 1, 2), publisher.PublishOptions{}); res.Version != 2 {
		t.Errorf("version %d, want 2", res.Version)
	}
}

func TestOutOfBandEdits(t *testing.T) {
	p, _ := newPublisher(t)
	ctx := t.Context()
	git := storetest.Document(env, 3, 1)
	publish(t, p, git, publisher.PublishOptions{})

	res, err := p.Toggle(ctx, env, "flag-00001", false, "alice")
	if err != nil {
		t.Fatal(err)
	}
	src := res.Document.Source
	if res.Version != 2 || src.Kind != ruleset.SourceEdit || src.Author != "alice" || len(src.OutOfBand) != 1 {
		t.Fatalf("toggle = version %d, source %+v", res.Version, src)
	}
	if e := src.OutOfBand[0]; e.Flag != "flag-00001" || e.Change != "enabled=false" || e.By != "alice" || e.Version != 2 || !e.At.Equal(t0) {
		t.Errorf("record = %+v", e)
	}
	if again, err := p.Toggle(ctx, env, "flag-00001", false, "bob"); err != nil || !again.Unchanged {
		t.Errorf("toggle to the same state = %+v, %v; want unchanged", again, err)
	}
	if _, err := p.Toggle(ctx, env, "no-such-flag", false, "alice"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("toggle of a missing flag: %v, want fs.ErrNotExist", err)
	}

	// Git still says enabled: publishing it would undo alice's edit.
	_, err = p.Publish(ctx, storetest.Document(env, 3, 1), publisher.PublishOptions{})
	var oob *publisher.OutOfBandError
	if !errors.As(err, &oob) || !slices.Equal(oob.Flags, []string{"flag-00001"}) || len(oob.Edits) != 1 {
		t.Fatalf("git publish over an edit: %v, want *OutOfBandError naming flag-00001", err)
	}

	// Git catches up: the record is cleared and nothing else changes.
	caughtUp := storetest.Document(env, 3, 1)
	f := caughtUp.Flags["flag-00001"]
	f.Enabled = false
	caughtUp.Flags["flag-00001"] = f
	res = publish(t, p, caughtUp, publisher.PublishOptions{})
	if res.Unchanged || res.Version != 3 || !slices.Equal(res.ClearedOutOfBand, []string{"flag-00001"}) || len(res.Document.Source.OutOfBand) != 0 {
		t.Errorf("caught-up publish = %+v", res)
	}

	// An edit, then an explicit overwrite from git.
	split := ruleset.Serve{Split: []ruleset.Weighted{{Variation: "off", Weight: 5000}, {Variation: "on", Weight: 5000}}}
	res, err = p.SetServe(ctx, env, "flag-00002", split, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Document.Source.OutOfBand; len(got) != 1 || got[0].Change != "default=split(off:5000,on:5000)" {
		t.Errorf("set-serve records %+v", got)
	}
	res = publish(t, p, caughtUp, publisher.PublishOptions{Overwrite: true})
	if !slices.Equal(res.Overwritten, []string{"flag-00002"}) || len(res.Document.Source.OutOfBand) != 0 {
		t.Errorf("overwrite = %+v", res)
	}
	if _, err := p.SetServe(ctx, env, "flag-00002", ruleset.Serve{Variation: "maybe"}, "bob"); !errors.As(err, new(*publisher.InvalidError)) {
		t.Errorf("set-serve to an unknown variation: %v, want *InvalidError", err)
	}
}

func TestRollback(t *testing.T) {
	p, _ := newPublisher(t)
	ctx := t.Context()
	publish(t, p, storetest.Document(env, 3, 1), publisher.PublishOptions{})
	publish(t, p, storetest.Document(env, 3, 2), publisher.PublishOptions{})

	res, err := p.Rollback(ctx, env, 1, ruleset.Source{Author: "carol", Message: "bad rollout"})
	if err != nil {
		t.Fatal(err)
	}
	src := res.Document.Source
	if res.Version != 3 || src.Kind != ruleset.SourceRollback || src.RollbackOf != 1 || src.Author != "carol" || src.Message != "bad rollout" {
		t.Errorf("rollback = version %d, source %+v", res.Version, src)
	}
	if len(src.OutOfBand) != 3 {
		t.Errorf("rollback records %d out-of-band edits, want one per changed flag (3)", len(src.OutOfBand))
	}
	v1, err := p.Get(ctx, env, 1)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := p.Current(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != 3 || cur.Flags["flag-00000"].Default.Split[1].Weight != v1.Flags["flag-00000"].Default.Split[1].Weight {
		t.Errorf("current after rollback is not version 1's content")
	}
	// Git has not caught up: republishing version 2's content would undo it.
	if _, err := p.Publish(ctx, storetest.Document(env, 3, 2), publisher.PublishOptions{}); !errors.As(err, new(*publisher.OutOfBandError)) {
		t.Errorf("git publish over a rollback: %v, want *OutOfBandError", err)
	}
	if again, err := p.Rollback(ctx, env, 1, ruleset.Source{}); err != nil || !again.Unchanged {
		t.Errorf("second rollback to the same content = %+v, %v; want unchanged", again, err)
	}
	if _, err := p.Rollback(ctx, env, 42, ruleset.Source{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rollback to a missing version: %v, want fs.ErrNotExist", err)
	}
	hist, err := p.History(ctx, env, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Version != 3 || !hist[0].Current || hist[0].Source.RollbackOf != 1 || hist[1].Version != 2 {
		t.Errorf("history = %+v", hist)
	}
}
