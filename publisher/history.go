package publisher

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// historyReads bounds the concurrent reads of History: enough to hide
// latency to a remote store, few enough to be polite to it.
const historyReads = 8

// VersionInfo describes one published version.
type VersionInfo struct {
	Version     int64
	PublishedAt time.Time
	Source      ruleset.Source
	// Key is the version's own key, <env>/versions/<N>.json.
	Key string
	// Current is true for the version <env>/ruleset.json holds.
	Current bool
	// Flags and Segments count the version's content.
	Flags    int
	Segments int
}

// Current returns the ruleset env's SDKs now see, or an error matching
// fs.ErrNotExist when none is published.
func (p *Publisher) Current(ctx context.Context, env string) (*ruleset.Document, error) {
	if err := checkEnv(env); err != nil {
		return nil, err
	}
	return p.read(ctx, env, CurrentKey(env))
}

// Get returns version v of env, or an error matching fs.ErrNotExist.
func (p *Publisher) Get(ctx context.Context, env string, v int64) (*ruleset.Document, error) {
	if err := checkEnv(env); err != nil {
		return nil, err
	}
	return p.read(ctx, env, VersionKey(env, v))
}

func (p *Publisher) read(ctx context.Context, env, key string) (*ruleset.Document, error) {
	obj, err := p.store.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	doc, err := p.decodeDocument(env, obj)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return doc, nil
}

// History lists env's versions, newest first; limit > 0 keeps only the
// newest limit. A version file that exists but never became current (a lost
// race, or a crash mid-publish) is listed too: it is what was written.
func (p *Publisher) History(ctx context.Context, env string, limit int) ([]VersionInfo, error) {
	if err := checkEnv(env); err != nil {
		return nil, err
	}
	keys, err := p.store.List(ctx, VersionsPrefix(env))
	if err != nil {
		return nil, fmt.Errorf("list %s versions: %w", env, err)
	}
	var versions []int64
	for _, k := range keys {
		if v, ok := parseVersionKey(env, k); ok {
			versions = append(versions, v)
		}
	}
	slices.SortFunc(versions, func(a, b int64) int { return cmp.Compare(b, a) })
	if limit > 0 && len(versions) > limit {
		versions = versions[:limit]
	}
	var current int64
	if obj, err := p.store.Get(ctx, CurrentKey(env)); err == nil {
		if doc, err := p.decodeDocument(env, obj); err == nil {
			current = doc.Version
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read current %s ruleset: %w", env, err)
	}

	infos := make([]VersionInfo, len(versions))
	errs := make([]error, len(versions))
	sem := make(chan struct{}, historyReads)
	var wg sync.WaitGroup
	for i, v := range versions {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			doc, err := p.Get(ctx, env, v)
			if err != nil {
				errs[i] = err
				return
			}
			infos[i] = VersionInfo{
				Version: v, PublishedAt: doc.PublishedAt, Source: doc.Source,
				Key: VersionKey(env, v), Current: v == current,
				Flags: len(doc.Flags), Segments: len(doc.Segments),
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("history of %s: %w", env, err)
	}
	return infos, nil
}
