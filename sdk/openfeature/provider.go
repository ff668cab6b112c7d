package openfeature

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	of "github.com/open-feature/go-sdk/openfeature"

	"github.com/cairnflags/cairn/sdk"
)

// Name is the provider name reported in Metadata and events.
const Name = "cairn"

// DefaultInitTimeout bounds Init when the caller gives no deadline.
const DefaultInitTimeout = 10 * time.Second

// eventBuffer bounds the events waiting for OpenFeature to read them.
const eventBuffer = 64

var (
	_ of.FeatureProvider          = (*Provider)(nil)
	_ of.StateHandler             = (*Provider)(nil)
	_ of.ContextAwareStateHandler = (*Provider)(nil)
	_ of.EventHandler             = (*Provider)(nil)
)

// Provider serves OpenFeature evaluations from a Cairn client. It owns the
// client from registration on: Shutdown closes it.
type Provider struct {
	client      *sdk.Client
	initTimeout time.Duration
	events      chan of.Event
	done        chan struct{} // closed by Shutdown

	mu           sync.Mutex
	subscribed   bool
	initializing bool
	closed       bool
	// reported is the state OpenFeature was last told, so that a
	// transition is emitted once, and not on top of Init's own result.
	reported    of.State
	initVersion int64
	removes     []func()
}

// Option configures a Provider.
type Option func(*Provider)

// WithInitTimeout bounds how long Init waits for the first fetch (default
// 10 s), within any deadline OpenFeature gives. Keep it below that deadline
// for a client with a bootstrap or disk cache, so that Init can succeed on
// the local ruleset when the network is down.
func WithInitTimeout(d time.Duration) Option {
	return func(p *Provider) {
		if d > 0 {
			p.initTimeout = d
		}
	}
}

// NewProvider wraps c. Register the result with OpenFeature's
// SetProviderAndWait (or an isolated API's).
func NewProvider(c *sdk.Client, opts ...Option) *Provider {
	p := &Provider{
		client:      c,
		initTimeout: DefaultInitTimeout,
		events:      make(chan of.Event, eventBuffer),
		done:        make(chan struct{}),
		reported:    of.NotReadyState,
	}
	for _, opt := range opts {
		opt(p)
	}
	return p
}

// Metadata names the provider.
func (p *Provider) Metadata() of.Metadata { return of.Metadata{Name: Name} }

// Hooks returns none: the client's own exposure logger and listeners cover
// what hooks would.
func (p *Provider) Hooks() []of.Hook { return nil }

// EventChannel is where the provider emits READY, STALE and
// CONFIGURATION_CHANGED after Init. Events are dropped, not queued without
// bound, if nobody reads it.
func (p *Provider) EventChannel() <-chan of.Event { return p.events }

// Init is InitWithContext bounded by the init timeout.
func (p *Provider) Init(ec of.EvaluationContext) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.initTimeout)
	defer cancel()
	return p.InitWithContext(ctx, ec)
}

// InitWithContext waits for the client's first successful fetch. If ctx
// or the init timeout ends first while the client serves a bootstrap or
// cached ruleset, Init succeeds and the provider reports STALE right after,
// until a fetch succeeds; with no ruleset at all it returns the error, and
// emits READY later when one arrives.
func (p *Provider) InitWithContext(ctx context.Context, _ of.EvaluationContext) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return errors.New("cairn provider: shut down")
	}
	p.initializing = true
	if !p.subscribed {
		p.subscribed = true
		p.removes = append(p.removes, p.client.OnChange(p.onChange), p.client.OnStateChange(p.onState))
	}
	p.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, p.initTimeout)
	defer cancel()
	err := p.client.WaitReady(ctx)

	p.mu.Lock()
	defer p.mu.Unlock()
	p.initializing = false
	// Listeners run asynchronously: changes up to this version may still
	// be on their way, and are covered by Init's own result.
	p.initVersion = p.client.Status().Version
	switch {
	case err == nil:
		p.reported = of.ReadyState
		return nil
	case p.client.Status().State == sdk.StateStale:
		// OpenFeature marks the provider READY after Init returns, and
		// an event sent from inside Init can overtake that. So report
		// READY now (a good ruleset is served) and STALE just after.
		p.reported = of.ReadyState
		go p.syncAfter(staleGrace)
		return nil
	}
	p.reported = of.ErrorState
	return fmt.Errorf("cairn provider: %w", err)
}

// Shutdown is ShutdownWithContext without a deadline.
func (p *Provider) Shutdown() { _ = p.ShutdownWithContext(context.Background()) }

// ShutdownWithContext stops events and closes the client. If ctx ends
// first (a listener of the client's is stuck), the client finishes closing
// in the background.
func (p *Provider) ShutdownWithContext(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.done)
	}
	removes := p.removes
	p.removes = nil
	p.mu.Unlock()
	for _, remove := range removes {
		remove()
	}
	done := make(chan struct{})
	go func() {
		p.client.Close()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cairn provider shutdown: %w", ctx.Err())
	}
}

func (p *Provider) onChange(ch sdk.Change) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.initializing || ch.NewVersion <= p.initVersion {
		return // part of Init's result
	}
	p.emit(of.ProviderConfigChange, fmt.Sprintf("ruleset version %d (was %d)", ch.NewVersion, ch.OldVersion), &ch)
}

// staleGrace is how long after a successful Init on a local ruleset the
// provider reports STALE, so that the event follows Init's READY.
const staleGrace = 50 * time.Millisecond

func (p *Provider) syncAfter(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		p.onState(sdk.StateChange{})
	case <-p.done:
	}
}

// onState reports the client's state as it is now, not as the event says:
// events arrive asynchronously, and one queued before Init returned may
// describe a state that is already gone.
func (p *Provider) onState(sdk.StateChange) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.initializing || p.closed {
		return // Init reports the outcome itself
	}
	st := p.client.Status()
	switch {
	case st.State == sdk.StateReady && p.reported != of.ReadyState:
		p.reported = of.ReadyState
		p.emit(of.ProviderReady, "ruleset fetched", nil)
	case st.State == sdk.StateStale && p.reported != of.StaleState:
		p.reported = of.StaleState
		msg := "serving the last good ruleset"
		if st.LastError != nil {
			msg += ": " + st.LastError.Error()
		}
		p.emit(of.ProviderStale, msg, nil)
	}
}

// emit sends an event without blocking: it runs on the client's listener
// goroutine, which must not wait on OpenFeature. p.mu must be held.
func (p *Provider) emit(t of.EventType, msg string, ch *sdk.Change) {
	if p.closed {
		return
	}
	ev := of.Event{ProviderName: Name, EventType: t, ProviderEventDetails: of.ProviderEventDetails{Message: msg}}
	if ch != nil {
		ev.FlagChanges = ch.Flags
		ev.EventMetadata = map[string]any{"version": ch.NewVersion, "previousVersion": ch.OldVersion, "environment": ch.Environment}
	}
	select {
	case p.events <- ev:
	default:
	}
}

// BooleanEvaluation evaluates a boolean flag.
func (p *Provider) BooleanEvaluation(_ context.Context, flag string, def bool, fc of.FlattenedContext) of.BoolResolutionDetail {
	return resolve(flag, p.client.BoolDetail(flag, toContext(fc), def))
}

// StringEvaluation evaluates a string flag.
func (p *Provider) StringEvaluation(_ context.Context, flag string, def string, fc of.FlattenedContext) of.StringResolutionDetail {
	return resolve(flag, p.client.StringDetail(flag, toContext(fc), def))
}

// FloatEvaluation evaluates a number flag.
func (p *Provider) FloatEvaluation(_ context.Context, flag string, def float64, fc of.FlattenedContext) of.FloatResolutionDetail {
	return resolve(flag, p.client.FloatDetail(flag, toContext(fc), def))
}

// IntEvaluation evaluates a number flag whose value must be an integer; a
// fractional value is a TYPE_MISMATCH.
func (p *Provider) IntEvaluation(_ context.Context, flag string, def int64, fc of.FlattenedContext) of.IntResolutionDetail {
	return resolve(flag, p.client.IntDetail(flag, toContext(fc), def))
}

// ObjectEvaluation evaluates a JSON flag, decoding its value into maps,
// slices, strings, float64s, booleans and nils.
func (p *Provider) ObjectEvaluation(_ context.Context, flag string, def any, fc of.FlattenedContext) of.InterfaceResolutionDetail {
	d := p.client.JSONDetail(flag, toContext(fc), nil)
	out := of.InterfaceResolutionDetail{Value: def, ProviderResolutionDetail: resolution(flag, d.Reason, d.Variation, d.RuleIndex, d.RuleName, d.Expired, d.Err)}
	if d.Err != nil {
		return out
	}
	var v any
	if err := json.Unmarshal(d.Value, &v); err != nil {
		out.ProviderResolutionDetail = of.ProviderResolutionDetail{
			Reason:          of.ErrorReason,
			ResolutionError: of.NewParseErrorResolutionError(fmt.Sprintf("flag %q: value is not JSON", flag), err),
		}
		return out
	}
	out.Value = v
	return out
}

func resolve[T any](flag string, d sdk.Detail[T]) of.GenericResolutionDetail[T] {
	return of.GenericResolutionDetail[T]{
		Value:                    d.Value,
		ProviderResolutionDetail: resolution(flag, d.Reason, d.Variation, d.RuleIndex, d.RuleName, d.Expired, d.Err),
	}
}

func resolution(flag string, reason sdk.Reason, variation string, ruleIndex int, ruleName string, expired bool, err error) of.ProviderResolutionDetail {
	r := of.ProviderResolutionDetail{Variant: variation}
	switch reason {
	case sdk.ReasonTargetMatch:
		r.Reason = of.TargetingMatchReason
		r.FlagMetadata = of.FlagMetadata{"ruleIndex": int64(ruleIndex)}
		if ruleName != "" {
			r.FlagMetadata["ruleName"] = ruleName
		}
	case sdk.ReasonSplit:
		r.Reason = of.SplitReason
	case sdk.ReasonDefault:
		r.Reason = of.DefaultReason
	case sdk.ReasonOff:
		r.Reason = of.DisabledReason
	case sdk.ReasonFlagNotFound:
		r.Reason = of.ErrorReason
		r.ResolutionError = of.NewFlagNotFoundResolutionError(fmt.Sprintf("flag %q not found", flag))
	case sdk.ReasonTypeMismatch:
		r.Reason = of.ErrorReason
		r.ResolutionError = of.NewTypeMismatchResolutionError(fmt.Sprintf("flag %q: %v", flag, err))
	case sdk.ReasonError:
		r.Reason = of.ErrorReason
		if errors.Is(err, sdk.ErrNotReady) {
			r.ResolutionError = of.NewProviderNotReadyResolutionError(err.Error())
		} else {
			r.ResolutionError = of.NewGeneralResolutionError(fmt.Sprintf("flag %q can't be evaluated", flag), err)
		}
	default:
		r.Reason = of.UnknownReason
	}
	if expired {
		if r.FlagMetadata == nil {
			r.FlagMetadata = of.FlagMetadata{}
		}
		r.FlagMetadata["expired"] = true
	}
	return r
}

// toContext converts OpenFeature's flattened context: targetingKey becomes
// the targeting key, everything else an attribute.
func toContext(fc of.FlattenedContext) *sdk.Context {
	key, _ := fc[of.TargetingKey].(string)
	attrs := make(map[string]any, len(fc))
	for k, v := range fc {
		if k != of.TargetingKey {
			attrs[k] = v
		}
	}
	return sdk.NewContext(key, attrs)
}
