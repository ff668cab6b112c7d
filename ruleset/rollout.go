package ruleset

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrBadServe is wrapped by the errors of RolloutServe and VariationServe:
// the arguments don't fit the flag.
var ErrBadServe = errors.New("invalid serve for this flag")

// RolloutServe builds the split that serves variation to a share of users
// (buckets out of Buckets) and rest to everyone else, with the defaults the
// CLI and the admin API share: a boolean flag rolls out its true variation
// against its false one; a flag with two variations rolls out variation
// against the other. Weights are listed in the flag's variation order, the
// order that lays out bucket ranges.
func RolloutServe(f Flag, buckets int, variation, rest string) (Serve, error) {
	if buckets < 0 || buckets > Buckets {
		return Serve{}, fmt.Errorf("%w: share %d is outside 0..%d buckets", ErrBadServe, buckets, Buckets)
	}
	keys := variationKeys(f)
	if variation == "" {
		if variation = boolVariationKey(f, "true"); variation == "" {
			return Serve{}, fmt.Errorf("%w: flag %s is not boolean: name the variation to roll out", ErrBadServe, f.Key)
		}
	}
	if rest == "" {
		switch {
		case f.Type == TypeBoolean:
			rest = boolVariationKey(f, "false")
		case len(keys) == 2:
			rest = keys[0]
			if rest == variation {
				rest = keys[1]
			}
		default:
			return Serve{}, fmt.Errorf("%w: flag %s has %d variations: name the one everyone else gets", ErrBadServe, f.Key, len(keys))
		}
	}
	for _, v := range []string{variation, rest} {
		if err := hasVariation(f, keys, v); err != nil {
			return Serve{}, err
		}
	}
	if rest == variation {
		return Serve{}, fmt.Errorf("%w: the rolled-out variation and the rest are both %q", ErrBadServe, rest)
	}
	var split []Weighted
	for _, k := range keys {
		switch k {
		case variation:
			split = append(split, Weighted{Variation: k, Weight: buckets})
		case rest:
			split = append(split, Weighted{Variation: k, Weight: Buckets - buckets})
		}
	}
	return Serve{Split: split}, nil
}

// VariationServe serves one variation of f to everyone.
func VariationServe(f Flag, variation string) (Serve, error) {
	if err := hasVariation(f, variationKeys(f), variation); err != nil {
		return Serve{}, err
	}
	return Serve{Variation: variation}, nil
}

func variationKeys(f Flag) []string {
	keys := make([]string, len(f.Variations))
	for i, v := range f.Variations {
		keys[i] = v.Key
	}
	return keys
}

func hasVariation(f Flag, keys []string, v string) error {
	if !slices.Contains(keys, v) {
		return fmt.Errorf("%w: flag %s has no variation %q (have: %s)", ErrBadServe, f.Key, v, strings.Join(keys, ", "))
	}
	return nil
}

// boolVariationKey is the key of a boolean flag's variation whose value is
// the JSON literal want ("true" or "false"), or "" for other flags.
func boolVariationKey(f Flag, want string) string {
	if f.Type != TypeBoolean {
		return ""
	}
	for _, v := range f.Variations {
		if string(bytes.TrimSpace(v.Value)) == want {
			return v.Key
		}
	}
	return ""
}
