package sdk

import (
	"encoding/json"
	"errors"
	"math"

	"github.com/cairnflags/cairn/ruleset"
)

// Context is who a flag is evaluated for; see ruleset.Context. Build it once
// per request with NewContext and reuse it for every flag.
type Context = ruleset.Context

// NewContext builds a Context from a targeting key and attributes; see
// ruleset.NewContext for the attribute types it understands.
func NewContext(key string, attrs map[string]any) *Context {
	return ruleset.NewContext(key, attrs)
}

// Reason says why an evaluation returned what it did; see ruleset.Reason.
type Reason = ruleset.Reason

// Reasons, as in package ruleset.
const (
	ReasonOff          = ruleset.ReasonOff
	ReasonTargetMatch  = ruleset.ReasonTargetMatch
	ReasonSplit        = ruleset.ReasonSplit
	ReasonDefault      = ruleset.ReasonDefault
	ReasonFlagNotFound = ruleset.ReasonFlagNotFound
	ReasonTypeMismatch = ruleset.ReasonTypeMismatch
	ReasonError        = ruleset.ReasonError
)

var (
	// ErrNotReady is the Err of evaluations made while no ruleset is in
	// memory (no fetch has succeeded and there is no bootstrap or cache).
	ErrNotReady = errors.New("cairn: no ruleset loaded yet")
	// ErrNotInteger is the Err of an Int evaluation whose number flag
	// served a value with a fraction or out of int64's range.
	ErrNotInteger = errors.New("cairn: number flag value is not an int64")
)

// Detail is a typed evaluation result. Value is the served variation's
// value, or the caller's default when Reason is FLAG_NOT_FOUND,
// TYPE_MISMATCH or ERROR (then Variation is "", VariationIndex -1 and Err
// says why).
type Detail[T any] struct {
	Value          T
	Variation      string
	VariationIndex int
	Reason         Reason
	// RuleIndex is the matching rule for TARGET_MATCH, else -1; RuleName
	// is its name, if it has one.
	RuleIndex int
	RuleName  string
	// InSplit reports that bucketing chose the variation.
	InSplit bool
	// Expired reports that the flag is past its expiry date; it is still
	// served, and the client logs a warning once.
	Expired bool
	Err     error
}

// Bool returns the value of boolean flag flagKey for ec (nil means an
// anonymous context), or def when the flag is missing, not boolean, or
// can't be evaluated. It does not allocate.
func (c *Client) Bool(flagKey string, ec *Context, def bool) bool {
	return value(c, flagKey, ruleset.TypeBoolean, ec, def)
}

// BoolDetail is Bool with the variation and reason.
func (c *Client) BoolDetail(flagKey string, ec *Context, def bool) Detail[bool] {
	return detail(c, flagKey, ruleset.TypeBoolean, ec, def)
}

// String returns the value of string flag flagKey for ec, or def; see Bool.
func (c *Client) String(flagKey string, ec *Context, def string) string {
	return value(c, flagKey, ruleset.TypeString, ec, def)
}

// StringDetail is String with the variation and reason.
func (c *Client) StringDetail(flagKey string, ec *Context, def string) Detail[string] {
	return detail(c, flagKey, ruleset.TypeString, ec, def)
}

// Float returns the value of number flag flagKey for ec, or def; see Bool.
func (c *Client) Float(flagKey string, ec *Context, def float64) float64 {
	return value(c, flagKey, ruleset.TypeNumber, ec, def)
}

// FloatDetail is Float with the variation and reason.
func (c *Client) FloatDetail(flagKey string, ec *Context, def float64) Detail[float64] {
	return detail(c, flagKey, ruleset.TypeNumber, ec, def)
}

// Int returns the value of number flag flagKey for ec as an int64, or def;
// see Bool. A served value with a fraction, or outside int64's range, gives
// def with reason TYPE_MISMATCH and ErrNotInteger.
func (c *Client) Int(flagKey string, ec *Context, def int64) int64 {
	return c.IntDetail(flagKey, ec, def).Value
}

// IntDetail is Int with the variation and reason.
func (c *Client) IntDetail(flagKey string, ec *Context, def int64) Detail[int64] {
	d := c.evaluate(flagKey, ruleset.TypeNumber, ec)
	f, ok := d.Value.(float64)
	// 2^63 is exactly representable; it and anything above overflow.
	if ok && (f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63) {
		d = ruleset.Detail{Reason: ReasonTypeMismatch, VariationIndex: -1, RuleIndex: -1, Err: ErrNotInteger, Expired: d.Expired}
		ok = false
	}
	return typed(&d, int64(f), ok, def)
}

// JSON returns the value of JSON flag flagKey for ec, or def; see Bool. The
// returned bytes are shared by every evaluation and must not be modified.
func (c *Client) JSON(flagKey string, ec *Context, def json.RawMessage) json.RawMessage {
	return value(c, flagKey, ruleset.TypeJSON, ec, def)
}

// JSONDetail is JSON with the variation and reason.
func (c *Client) JSONDetail(flagKey string, ec *Context, def json.RawMessage) Detail[json.RawMessage] {
	return detail(c, flagKey, ruleset.TypeJSON, ec, def)
}

// evaluate is the path of IntDetail, which post-processes the number: a lock-free load of the
// current ruleset, a pure evaluation, and the hooks, which cost one branch
// when unused.
func (c *Client) evaluate(flagKey string, want ruleset.FlagType, ec *Context) ruleset.Detail {
	snap := c.current.Load()
	if snap == nil {
		return notReady()
	}
	// The clock is read only for flags whose result depends on time: on
	// some machines time.Now costs more than the evaluation itself.
	d := snap.rs.EvaluateTypeClock(flagKey, want, ec, c.now)
	if d.Expired || c.exposures != nil {
		c.afterEvaluate(snap, flagKey, ec, &d)
	}
	return d
}

// value is evaluate for the plain typed methods, written out so that the
// result lands in the caller's frame without the extra call and copies of a
// Detail: this is the path the wrapper's 10 ns budget is measured on.
func value[T any](c *Client, flagKey string, want ruleset.FlagType, ec *Context, def T) T {
	snap := c.current.Load()
	if snap == nil {
		return def
	}
	// The clock is read only for flags whose result depends on time: on
	// some machines time.Now costs more than the evaluation itself.
	d := snap.rs.EvaluateTypeClock(flagKey, want, ec, c.now)
	if d.Expired || c.exposures != nil {
		c.afterEvaluate(snap, flagKey, ec, &d)
	}
	if v, ok := d.Value.(T); ok {
		return v
	}
	return def
}

// detail is value for the Detail methods.
func detail[T any](c *Client, flagKey string, want ruleset.FlagType, ec *Context, def T) Detail[T] {
	snap := c.current.Load()
	if snap == nil {
		return Detail[T]{Value: def, VariationIndex: -1, RuleIndex: -1, Reason: ReasonError, Err: ErrNotReady}
	}
	// The clock is read only for flags whose result depends on time: on
	// some machines time.Now costs more than the evaluation itself.
	d := snap.rs.EvaluateTypeClock(flagKey, want, ec, c.now)
	if d.Expired || c.exposures != nil {
		c.afterEvaluate(snap, flagKey, ec, &d)
	}
	v, ok := d.Value.(T)
	return typed(&d, v, ok, def)
}

func notReady() ruleset.Detail {
	return ruleset.Detail{Reason: ReasonError, VariationIndex: -1, RuleIndex: -1, Err: ErrNotReady}
}

// afterEvaluate runs the hooks: the expiry warning and the exposure logger.
func (c *Client) afterEvaluate(snap *snapshot, flagKey string, ec *Context, d *ruleset.Detail) {
	if d.Expired {
		c.warnExpired(snap, flagKey)
	}
	if c.exposures != nil && d.VariationIndex >= 0 {
		c.exposures.record(Exposure{
			Flag: flagKey, Key: targetingKey(ec), Variation: d.VariationKey, Reason: d.Reason, RuleIndex: d.RuleIndex,
			Environment: snap.rs.Environment(), Version: snap.rs.Version(), Time: c.now(),
		})
	}
}

// typed converts an evaluation to the caller's type, serving def when no
// variation of that type was served.
func typed[T any](d *ruleset.Detail, v T, ok bool, def T) Detail[T] {
	out := Detail[T]{
		Value: def, Variation: d.VariationKey, VariationIndex: d.VariationIndex, Reason: d.Reason,
		RuleIndex: d.RuleIndex, RuleName: d.RuleName, InSplit: d.InSplit, Expired: d.Expired, Err: d.Err,
	}
	if ok {
		out.Value = v
	} else if d.Err == nil {
		// A variation was served but not of the flag's declared type: the
		// ruleset package guarantees it can't happen, so say so loudly.
		out.Variation, out.VariationIndex, out.RuleIndex, out.RuleName = "", -1, -1, ""
		out.Reason, out.Err = ReasonError, ruleset.ErrTypeMismatch
	}
	return out
}

// targetingKey is ec's key; a nil context is anonymous, with an empty key.
func targetingKey(ec *Context) string {
	if ec == nil {
		return ""
	}
	return ec.Key()
}
