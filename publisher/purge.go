package publisher

import (
	"context"
	"fmt"
	"time"
)

// DefaultPurgeTimeout bounds one purge after a publish. A CDN that does not
// answer in time still expires the old ruleset after its TTL, so waiting
// longer buys nothing.
const DefaultPurgeTimeout = 30 * time.Second

// Purger tells a CDN to drop its cached copies of objects, so that SDKs see
// a new ruleset within one poll interval instead of one TTL plus a poll
// interval. Keys are store keys, such as "production/ruleset.json"; an
// implementation maps them to its own URLs, paths or surrogate keys.
// Package publisher/purge and its subpackages hold implementations.
type Purger interface {
	Purge(ctx context.Context, env string, keys []string) error
}

// WithPurger makes every publish, rollback and edit that replaces an
// environment's ruleset.json purge it from the CDN afterwards, waiting at
// most timeout (0 means DefaultPurgeTimeout). A failed purge does not fail
// the publish, which has already happened: Result.PurgeError reports it and
// the CDN serves the new ruleset once the old one's TTL runs out.
func WithPurger(pg Purger, timeout time.Duration) Option {
	return func(p *Publisher) {
		p.purger = pg
		p.purgeTimeout = orDefault(timeout, DefaultPurgeTimeout)
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// purge runs the configured purger for the current ruleset of res's
// environment and records the outcome in res. Versions are immutable under
// new keys, so only ruleset.json can be stale in a cache.
func (p *Publisher) purge(ctx context.Context, res *Result) {
	if p.purger == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, p.purgeTimeout)
	defer cancel()
	start := p.now()
	if err := p.purger.Purge(ctx, res.Environment, []string{res.Key}); err != nil {
		res.PurgeError = fmt.Errorf("purge %s: %w", res.Key, err)
		p.log.WarnContext(ctx, "published, but the CDN purge failed; SDKs get the new ruleset when the cached one expires",
			"environment", res.Environment, "version", res.Version, "error", err)
		return
	}
	res.Purged = true
	p.log.InfoContext(ctx, "purged the CDN", "environment", res.Environment, "key", res.Key,
		"took", p.now().Sub(start).Round(time.Millisecond))
}
