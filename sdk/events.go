package sdk

import (
	"context"
	"slices"
	"sync"
)

// Change describes a new ruleset taking the place of the old one.
type Change struct {
	// OldVersion is 0 when there was no ruleset before.
	OldVersion  int64
	NewVersion  int64
	Environment string
	// Flags are the keys of the flags added, removed or changed (their
	// definition, or a segment they use), sorted.
	Flags []string
	// Origin is where the new ruleset came from (see Status.Origin).
	Origin string
}

// StateChange describes a transition of the client's State. Err is the
// failure that caused a move to STALE or NOT_READY, else nil.
type StateChange struct {
	From, To State
	Err      error
}

// eventQueue bounds the events waiting for listeners; see OnChange.
const eventQueue = 64

type event struct {
	change *Change
	state  *StateChange
}

// listeners holds the registered callbacks in registration order.
// Registration is rare and dispatch copies the callbacks out, so a mutex is
// enough.
type listeners struct {
	mu     sync.Mutex
	nextID int
	change []listener[Change]
	state  []listener[StateChange]
}

type listener[T any] struct {
	id int
	fn func(T)
}

func (l *listeners) hasChange() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.change) > 0
}

// add registers fn in *list and returns its remover.
func add[T any](l *listeners, list *[]listener[T], fn func(T)) func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := l.nextID
	l.nextID++
	*list = append(*list, listener[T]{id, fn})
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		*list = slices.DeleteFunc(slices.Clone(*list), func(e listener[T]) bool { return e.id == id })
	}
}

// OnChange registers fn to hear about every new ruleset from now on, and
// returns a function that unregisters it. Listeners run one at a time, in
// order of events and then of registration, on a goroutine of the client's own, never on the poller:
// a slow listener delays other listeners, not fetching. While 64 events wait
// for a stuck listener, further events are dropped (and logged). A
// panicking listener is logged and skipped.
func (c *Client) OnChange(fn func(Change)) (remove func()) {
	return add(&c.listeners, &c.listeners.change, fn)
}

// OnStateChange registers fn to hear about every change of State from now
// on, like OnChange (and in one order with it), and returns a function that
// unregisters it.
func (c *Client) OnStateChange(fn func(StateChange)) (remove func()) {
	return add(&c.listeners, &c.listeners.state, fn)
}

// enqueue hands ev to the dispatcher without ever blocking the caller (the
// poller, often with c.mu held).
func (c *Client) enqueue(ev event) {
	select {
	case c.events <- ev:
	default:
		c.log.Warn("cairn listener queue full; event dropped (a listener is stuck)")
	}
}

// dispatch calls listeners until ctx is done.
func (c *Client) dispatch(ctx context.Context) {
	defer c.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-c.events:
			c.deliver(ev)
		}
	}
}

func (c *Client) deliver(ev event) {
	l := &c.listeners
	l.mu.Lock()
	// The slices are replaced, never modified in place, on removal; a
	// copy of the header is a stable snapshot.
	changeFns, stateFns := l.change, l.state
	l.mu.Unlock()
	if ev.change != nil {
		for _, e := range changeFns {
			c.safely(func() { e.fn(*ev.change) })
		}
	}
	if ev.state != nil {
		for _, e := range stateFns {
			c.safely(func() { e.fn(*ev.state) })
		}
	}
}

// safely runs a user callback; a panic in it must not take down the
// client's goroutine, and with it every later notification.
func (c *Client) safely(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("cairn listener panicked", "panic", r)
		}
	}()
	fn()
}
