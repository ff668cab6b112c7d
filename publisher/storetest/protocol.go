package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cairnflags/cairn/publisher"
)

// protocolEnv is the environment the protocol tests publish to.
const protocolEnv = "production"

// RunProtocol runs the publish protocol against stores made by newStore
// (see Run): publish and read back, racing publishers, and a crash between
// every pair of steps.
func RunProtocol(t *testing.T, newStore func(t *testing.T) publisher.Store) {
	t.Run("PublishReadBack", func(t *testing.T) { testPublishReadBack(t, newStore(t)) })
	t.Run("Race", func(t *testing.T) { testRace(t, newStore(t)) })
	t.Run("RaceWithRetries", func(t *testing.T) { testRaceWithRetries(t, newStore(t)) })
	t.Run("Crash", func(t *testing.T) { testCrash(t, newStore) })
}

func clock() func() time.Time {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return t0 }
}

func testPublishReadBack(t *testing.T, s publisher.Store) {
	p := publisher.New(s, publisher.WithClock(clock()))
	ctx := t.Context()
	r1, err := p.Publish(ctx, Document(protocolEnv, 3, 1), publisher.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Version != 1 || r1.Previous != 0 || r1.Unchanged {
		t.Fatalf("first publish = %+v, want version 1 from nothing", r1)
	}
	r2, err := p.Publish(ctx, Document(protocolEnv, 3, 2), publisher.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Version != 2 || r2.Previous != 1 {
		t.Fatalf("second publish = %+v, want version 2 after 1", r2)
	}
	r3, err := p.Publish(ctx, Document(protocolEnv, 3, 2), publisher.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r3.Unchanged || r3.Version != 2 {
		t.Fatalf("identical publish = %+v, want unchanged at version 2", r3)
	}

	cur := mustGet(t, s, publisher.CurrentKey(protocolEnv))
	ver := mustGet(t, s, publisher.VersionKey(protocolEnv, 2))
	if !bytes.Equal(cur.Body, ver.Body) {
		t.Errorf("ruleset.json and versions/2.json differ")
	}
	if cur.Meta.CacheControl != publisher.DefaultCurrentCacheControl || cur.Meta.ContentType != publisher.ContentType {
		t.Errorf("current meta = %+v", cur.Meta)
	}
	if ver.Meta.CacheControl != publisher.DefaultVersionCacheControl {
		t.Errorf("version meta = %+v", ver.Meta)
	}
	doc, err := p.Current(ctx, protocolEnv)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != 2 || !doc.PublishedAt.Equal(clock()()) || doc.Source.Commit != Document(protocolEnv, 0, 2).Source.Commit {
		t.Errorf("current = version %d at %s from %+v", doc.Version, doc.PublishedAt, doc.Source)
	}
	hist, err := p.History(ctx, protocolEnv, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Version != 2 || !hist[0].Current || hist[1].Version != 1 || hist[1].Current || hist[1].Flags != 3 {
		t.Errorf("history = %+v", hist)
	}
}

// publishAll has racers publishers publish distinct documents at once, each
// retrying up to retries times on a conflict; it returns their results and
// errors by publisher.
func publishAll(t *testing.T, s publisher.Store, retries int) ([]publisher.Result, []error) {
	t.Helper()
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		results = make([]publisher.Result, racers)
		errs    = make([]error, racers)
	)
	for i := range racers {
		wg.Go(func() {
			p := publisher.New(s, publisher.WithClock(clock()))
			<-start
			for range retries + 1 {
				results[i], errs[i] = p.Publish(t.Context(), Document(protocolEnv, 5, 100+i), publisher.PublishOptions{})
				if !errors.Is(errs[i], publisher.ErrConflict) {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	return results, errs
}

func testRace(t *testing.T, s publisher.Store) {
	p := publisher.New(s, publisher.WithClock(clock()))
	if _, err := p.Publish(t.Context(), Document(protocolEnv, 5, 0), publisher.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	results, errs := publishAll(t, s, 0)
	won := map[int64]int{}
	for i, err := range errs {
		var ce *publisher.ConflictError
		switch {
		case err == nil:
			if prev, dup := won[results[i].Version]; dup {
				t.Errorf("publishers %d and %d both got version %d", prev, i, results[i].Version)
			}
			won[results[i].Version] = i
		case !errors.As(err, &ce) || !errors.Is(err, publisher.ErrConflict):
			t.Errorf("publisher %d: %v, want success or a *ConflictError", i, err)
		}
	}
	if len(won) == 0 {
		t.Fatal("no publisher won")
	}
	t.Logf("%d of %d racing publishers won, the others got a conflict", len(won), racers)
	checkWinners(t, s, won)
}

func testRaceWithRetries(t *testing.T, s publisher.Store) {
	results, errs := publishAll(t, s, 50)
	won := map[int64]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("publisher %d: %v", i, err)
		}
		if prev, dup := won[results[i].Version]; dup {
			t.Errorf("publishers %d and %d both got version %d", prev, i, results[i].Version)
		}
		won[results[i].Version] = i
	}
	if len(won) != racers {
		t.Fatalf("%d publishes landed, want all %d", len(won), racers)
	}
	checkWinners(t, s, won)
}

// checkWinners checks that every winning version holds its winner's
// content and that the current ruleset is the highest winner's.
func checkWinners(t *testing.T, s publisher.Store, won map[int64]int) {
	t.Helper()
	p := publisher.New(s)
	var top int64
	for v, i := range won {
		top = max(top, v)
		doc, err := p.Get(t.Context(), protocolEnv, v)
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		if want := Document(protocolEnv, 0, 100+i).Source.Commit; doc.Source.Commit != want {
			t.Errorf("version %d holds commit %s, want publisher %d's %s", v, doc.Source.Commit, i, want)
		}
	}
	cur := checkConsistent(t, s)
	if cur != top {
		t.Errorf("current is version %d, want the highest winner %d", cur, top)
	}
}

// checkConsistent checks what a reader and the next publisher rely on: the
// current ruleset decodes and is byte for byte its own versions/<N>.json.
// It returns the current version.
func checkConsistent(t *testing.T, s publisher.Store) int64 {
	t.Helper()
	p := publisher.New(s)
	doc, err := p.Current(t.Context(), protocolEnv)
	if err != nil {
		t.Fatalf("reader: %v", err)
	}
	cur := mustGet(t, s, publisher.CurrentKey(protocolEnv))
	ver := mustGet(t, s, publisher.VersionKey(protocolEnv, doc.Version))
	if !bytes.Equal(cur.Body, ver.Body) {
		t.Errorf("ruleset.json (version %d) differs from versions/%d.json", doc.Version, doc.Version)
	}
	return doc.Version
}

// testCrash stops a publish at each of its store calls (read current, list
// versions, write the version, replace the current), before or after the
// call takes effect, and checks that readers see a consistent state and
// that the next publish succeeds.
func testCrash(t *testing.T, newStore func(t *testing.T) publisher.Store) {
	steps := []string{"read current", "list versions", "write version", "replace current"}
	for i, step := range steps {
		for _, after := range []bool{false, true} {
			name := fmt.Sprintf("%s/before", step)
			if after {
				name = fmt.Sprintf("%s/after", step)
			}
			t.Run(name, func(t *testing.T) {
				s := newStore(t)
				ctx := t.Context()
				p := publisher.New(s, publisher.WithClock(clock()))
				if _, err := p.Publish(ctx, Document(protocolEnv, 4, 1), publisher.PublishOptions{}); err != nil {
					t.Fatal(err)
				}
				faulty := &Faulty{Store: s, FailAt: i + 1, After: after}
				if _, err := publisher.New(faulty, publisher.WithClock(clock())).Publish(ctx, Document(protocolEnv, 4, 2), publisher.PublishOptions{}); !errors.Is(err, errCrash) {
					t.Fatalf("crashed publish: err = %v, want the injected crash", err)
				}
				before := checkConsistent(t, s)
				want := Document(protocolEnv, 4, 3)
				res, err := p.Publish(ctx, want, publisher.PublishOptions{})
				if err != nil {
					t.Fatalf("publish after the crash: %v", err)
				}
				if res.Version <= before {
					t.Errorf("publish after the crash got version %d, not above %d", res.Version, before)
				}
				if got := checkConsistent(t, s); got != res.Version {
					t.Errorf("current is version %d, want %d", got, res.Version)
				}
				doc, err := p.Current(ctx, protocolEnv)
				if err != nil {
					t.Fatal(err)
				}
				if doc.Source.Commit != want.Source.Commit {
					t.Errorf("current holds commit %s, want %s", doc.Source.Commit, want.Source.Commit)
				}
			})
		}
	}
}
