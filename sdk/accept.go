package sdk

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/cairnflags/cairn/ruleset"
)

// Reasons a well-formed ruleset is refused. The ruleset in memory stays.
var (
	// ErrWrongEnvironment: the ruleset is for another environment than the
	// one expected (WithEnvironment) or pinned by the first ruleset.
	ErrWrongEnvironment = errors.New("ruleset is for another environment")
	// ErrOlderVersion: the ruleset is older than the one in memory, as when
	// a CDN edge still serves a stale copy.
	ErrOlderVersion = errors.New("ruleset is older than the one in memory")
	// ErrVersionConflict: the ruleset has the version of the one in memory
	// but different content. Versions only grow, so one of them is wrong;
	// the client keeps the one it has.
	ErrVersionConflict = errors.New("ruleset has the version in memory but different content")
)

// offer checks data fetched from origin and, if it is a valid ruleset newer
// than the one in memory, makes it current. Identical content is a success
// that changes nothing. Only the poller calls offer, so there is never a
// concurrent swap to lose.
func (c *Client) offer(data []byte, origin string) error {
	sum := sha256.Sum256(data)
	cur := c.current.Load()
	if cur != nil && cur.sum == sum {
		return nil
	}
	rs, err := c.verify(data, origin, cur)
	if err != nil {
		return err
	}
	if rs == nil {
		// Same content in other bytes: remember these bytes too, so that
		// the next identical response is recognised without a reload.
		c.current.Store(&snapshot{rs: cur.rs, sum: sum, origin: cur.origin})
		return nil
	}
	c.install(&snapshot{rs: rs, sum: sum, origin: origin}, data, true)
	return nil
}

// verify loads data and checks it may replace cur. It returns nil, nil for
// content equal to cur's (Ruleset.SameContent: the same once canonicalised).
func (c *Client) verify(data []byte, origin string, cur *snapshot) (*ruleset.Ruleset, error) {
	rs, err := c.load(origin, data)
	if err != nil {
		return nil, fmt.Errorf("invalid ruleset: %w", err)
	}
	if want := c.expectedEnvironment(cur); want != "" && rs.Environment() != want {
		return nil, fmt.Errorf("%w: got %q, want %q", ErrWrongEnvironment, rs.Environment(), want)
	}
	if cur == nil {
		return rs, nil
	}
	switch have := cur.rs.Version(); {
	case rs.Version() < have:
		return nil, fmt.Errorf("%w: got version %d, have %d", ErrOlderVersion, rs.Version(), have)
	case rs.Version() == have:
		// Bytes differ but the version does not: a proxy may have
		// re-encoded the same content, which is harmless.
		if !rs.SameContent(cur.rs) {
			return nil, fmt.Errorf("%w: version %d", ErrVersionConflict, have)
		}
		return nil, nil
	}
	return rs, nil
}

// expectedEnvironment is the configured environment, else the pinned one:
// every accepted ruleset has the first one's environment, so the ruleset in
// memory carries it.
func (c *Client) expectedEnvironment(cur *snapshot) string {
	if c.cfg.environment != "" {
		return c.cfg.environment
	}
	if cur != nil {
		return cur.rs.Environment()
	}
	return ""
}

// install makes next current, then does what follows a change: the disk
// cache (for fetched content), the log, and the change listeners.
func (c *Client) install(next *snapshot, data []byte, fetched bool) {
	prev := c.current.Swap(next)
	rs := next.rs
	c.log.Info("cairn ruleset loaded", "environment", rs.Environment(), "version", rs.Version(), "origin", next.origin)
	if q := rs.Quarantined(); len(q) > 0 {
		c.log.Warn("cairn ruleset has flags this SDK version cannot evaluate; they serve defaults with reason ERROR",
			"version", rs.Version(), "flags", q)
	}
	if fetched && c.cachePath != "" {
		if err := writeFileAtomic(c.cachePath, data); err != nil {
			c.log.Warn("cairn disk cache not written", "err", err)
		}
	}
	if c.listeners.hasChange() {
		ch := Change{NewVersion: rs.Version(), Environment: rs.Environment(), Origin: next.origin}
		var old *ruleset.Ruleset
		if prev != nil {
			ch.OldVersion = prev.rs.Version()
			old = prev.rs
		}
		ch.Flags = rs.ChangedFlags(old)
		c.enqueue(event{change: &ch})
	}
}
