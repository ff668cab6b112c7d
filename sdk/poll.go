package sdk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// poll fetches until ctx is done: one cycle, then a wait drawn afresh each
// time (the poll interval after success, an exponential backoff after
// failures), both jittered so that many SDKs do not poll in step.
func (c *Client) poll(ctx context.Context) {
	defer c.wg.Done()
	for {
		err := c.cycle(ctx)
		if ctx.Err() != nil {
			return
		}
		failures := c.recordCycle(err)
		t := time.NewTimer(nextDelay(&c.cfg, failures, c.cfg.rand()))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// cycle tries each source in order until one yields a ruleset the client
// accepts or confirms the one it has. A source whose answer is rejected
// (older, other environment, invalid) counts as failed, so that a stale CDN
// edge falls through to the bucket.
func (c *Client) cycle(ctx context.Context) error {
	var errs []error
	for _, src := range c.sources {
		err := c.tryOne(ctx, src)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.log.Debug("cairn fetch failed", "source", src.String(), "err", err)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (c *Client) tryOne(ctx context.Context, src source) error {
	f, err := src.fetch(ctx)
	if err != nil {
		return err
	}
	if f.notModified {
		return nil
	}
	if err := c.offer(f.body, src.String()); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	src.accepted(f.validator)
	return nil
}

// recordCycle updates the status after a cycle and returns the number of
// consecutive failed cycles.
func (c *Client) recordCycle(err error) int {
	c.mu.Lock()
	now := c.now()
	c.st.lastAttempt = now
	recovered := false
	if err == nil {
		recovered = c.st.failures > 0
		c.st.failures = 0
		c.st.lastSuccess = now
		c.st.fetched = true
	} else {
		c.st.failures++
		c.st.lastErr = err
		c.st.lastErrAt = now
	}
	failures := c.st.failures
	c.updateStateLocked()
	c.mu.Unlock()
	switch {
	case err != nil:
		c.log.Warn("cairn ruleset fetch failed; serving the last good ruleset", "err", err, "consecutive_failures", failures)
	case recovered:
		c.log.Info("cairn ruleset fetch recovered")
	}
	if err == nil {
		c.markReady()
	}
	return failures
}

// nextDelay is the wait before the next cycle: the poll interval after a
// success, else backoffInitial doubled per consecutive failure up to
// backoffMax; then spread by ±jitter using r in [0, 1).
func nextDelay(cfg *config, failures int, r float64) time.Duration {
	d := cfg.pollInterval
	if failures > 0 {
		d = cfg.backoffInitial
		for i := 1; i < failures && d < cfg.backoffMax; i++ {
			d *= 2
		}
		d = min(d, cfg.backoffMax)
	}
	return time.Duration(float64(d) * (1 + cfg.jitter*(2*r-1)))
}
