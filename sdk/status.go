package sdk

import "time"

// State is the client's health as callers and the OpenFeature provider see
// it.
type State string

// States.
const (
	// StateNotReady: no ruleset in memory; evaluations serve defaults.
	StateNotReady State = "NOT_READY"
	// StateReady: the ruleset in memory was fetched or confirmed by the
	// last poll cycle.
	StateReady State = "READY"
	// StateStale: a ruleset is in memory but the last cycle failed, or it
	// came from the bootstrap or disk cache and no fetch has succeeded yet.
	StateStale State = "STALE"
)

// Status is a snapshot of the client's fetching and of the ruleset it
// serves.
type Status struct {
	State State
	// Environment, Version and PublishedAt describe the ruleset in memory
	// (zero without one); Age is how long ago it was published, by the
	// client's clock; Origin is where it came from: a URL, "bootstrap" or
	// the disk cache.
	Environment string
	Version     int64
	PublishedAt time.Time
	Age         time.Duration
	Origin      string
	// LastSuccess is when a poll cycle last succeeded (a ruleset accepted,
	// or the current one confirmed by a 304 or identical content);
	// LastAttempt when a cycle last ended.
	LastSuccess time.Time
	LastAttempt time.Time
	// LastError is the most recent failure, kept after recovery for
	// diagnosis (ConsecutiveFailures is 0 once a cycle succeeds again), and
	// LastErrorAt when it happened.
	LastError           error
	LastErrorAt         time.Time
	ConsecutiveFailures int
}

// fetchStatus is the poller's record, guarded by Client.mu.
type fetchStatus struct {
	lastSuccess time.Time
	lastAttempt time.Time
	lastErr     error
	lastErrAt   time.Time
	failures    int
	// fetched: some cycle has succeeded.
	fetched bool
	state   State
}

// Status reports the client's current state.
func (c *Client) Status() Status {
	c.mu.Lock()
	st := c.st
	c.mu.Unlock()
	s := Status{
		State: st.state, LastSuccess: st.lastSuccess, LastAttempt: st.lastAttempt,
		LastError: st.lastErr, LastErrorAt: st.lastErrAt, ConsecutiveFailures: st.failures,
	}
	if snap := c.current.Load(); snap != nil {
		s.Environment = snap.rs.Environment()
		s.Version = snap.rs.Version()
		s.PublishedAt = snap.rs.PublishedAt()
		s.Origin = snap.origin
		if !s.PublishedAt.IsZero() {
			s.Age = c.now().Sub(s.PublishedAt)
		}
	}
	return s
}

// updateStateLocked recomputes the state and tells the state listeners when
// it changed. c.mu must be held.
func (c *Client) updateStateLocked() {
	next := StateReady
	switch {
	case c.current.Load() == nil:
		next = StateNotReady
	case len(c.sources) > 0 && (!c.st.fetched || c.st.failures > 0):
		next = StateStale
	}
	prev := c.st.state
	if prev == "" {
		prev = StateNotReady
	}
	c.st.state = next
	if next != prev {
		var err error
		if c.st.failures > 0 {
			err = c.st.lastErr
		}
		c.enqueue(event{state: &StateChange{From: prev, To: next, Err: err}})
	}
}
