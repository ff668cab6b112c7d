package ruleset

import "errors"

// Reason says why an evaluation returned what it did.
type Reason string

// Reasons, shared with every SDK through the test vectors.
const (
	// ReasonOff: the flag is switched off; its off variation is served.
	ReasonOff Reason = "OFF"
	// ReasonTargetMatch: a rule matched (see Detail.RuleIndex and RuleName).
	ReasonTargetMatch Reason = "TARGET_MATCH"
	// ReasonSplit: no rule matched and the default is a split or a
	// progressive rollout.
	ReasonSplit Reason = "SPLIT"
	// ReasonDefault: no rule matched and the default is one variation.
	ReasonDefault Reason = "DEFAULT"
	// ReasonFlagNotFound: the ruleset has no such flag.
	ReasonFlagNotFound Reason = "FLAG_NOT_FOUND"
	// ReasonTypeMismatch: the flag's type is not the one asked for.
	ReasonTypeMismatch Reason = "TYPE_MISMATCH"
	// ReasonError: the flag can't be evaluated (quarantined, or no ruleset).
	ReasonError Reason = "ERROR"
)

// Errors carried in Detail.Err.
var (
	// ErrNoRuleset is returned by evaluating on a nil *Ruleset.
	ErrNoRuleset = errors.New("no ruleset loaded")
	// ErrFlagNotFound is set with ReasonFlagNotFound.
	ErrFlagNotFound = errors.New("flag not found")
	// ErrTypeMismatch is set with ReasonTypeMismatch.
	ErrTypeMismatch = errors.New("flag type mismatch")
)

// Detail is the full result of one evaluation. When no variation is served
// (flag not found, type mismatch, error) Value is nil, VariationIndex is -1
// and the caller serves its own default.
type Detail struct {
	// Value is the served variation's value: bool for boolean flags, string,
	// float64 for number flags, json.RawMessage for JSON flags. It is shared
	// with every other evaluation and must not be modified.
	Value any
	// VariationKey and VariationIndex name the served variation; the index
	// is its position in the flag's variations.
	VariationKey   string
	VariationIndex int
	Reason         Reason
	// RuleIndex is the 0-based index of the matching rule for
	// ReasonTargetMatch, else -1. RuleName is that rule's name, if any.
	RuleIndex int
	RuleName  string
	// InSplit reports that the variation was chosen by bucketing.
	InSplit bool
	// Expired reports that the flag's expiry date has passed at now.
	Expired bool
	// Err says what went wrong for ReasonError, ReasonFlagNotFound and
	// ReasonTypeMismatch.
	Err error
}

func failed(reason Reason, err error) Detail {
	return Detail{VariationIndex: -1, RuleIndex: -1, Reason: reason, Err: err}
}
