package ruleset

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestRolloutServe(t *testing.T) {
	boolean := plainBoolFlag("b")
	// Variations listed off first: weights must follow that order.
	boolean.Variations = []Variation{{Key: "off", Value: json.RawMessage("false")}, {Key: "on", Value: json.RawMessage("true")}}
	two := Flag{Key: "s", Type: TypeString, Variations: []Variation{{Key: "old", Value: json.RawMessage(`"a"`)}, {Key: "new", Value: json.RawMessage(`"b"`)}}}
	three := Flag{Key: "t", Type: TypeString, Variations: []Variation{{Key: "a"}, {Key: "b"}, {Key: "c"}}}
	tests := []struct {
		name          string
		f             Flag
		buckets       int
		variation     string
		rest          string
		want          []Weighted
		wantErrSubstr string
	}{
		{name: "boolean default", f: boolean, buckets: 2500, want: []Weighted{{"off", 7500}, {"on", 2500}}},
		{name: "two variations default rest", f: two, buckets: 1000, variation: "new", want: []Weighted{{"old", 9000}, {"new", 1000}}},
		{name: "three need rest", f: three, buckets: 1000, variation: "a", wantErrSubstr: "has 3 variations"},
		{name: "three with rest", f: three, buckets: 1000, variation: "c", rest: "a", want: []Weighted{{"a", 9000}, {"c", 1000}}},
		{name: "string needs variation", f: two, buckets: 1000, wantErrSubstr: "is not boolean"},
		{name: "unknown", f: two, buckets: 1000, variation: "nope", wantErrSubstr: `no variation "nope" (have: old, new)`},
		{name: "same", f: three, buckets: 1000, variation: "a", rest: "a", wantErrSubstr: "both"},
		{name: "share", f: boolean, buckets: 10001, wantErrSubstr: "outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := RolloutServe(tt.f, tt.buckets, tt.variation, tt.rest)
			if tt.wantErrSubstr != "" {
				if err == nil || !errors.Is(err, ErrBadServe) || !strings.Contains(err.Error(), tt.wantErrSubstr) {
					t.Fatalf("err = %v, want ErrBadServe containing %q", err, tt.wantErrSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Split, tt.want) {
				t.Errorf("split = %v, want %v", s.Split, tt.want)
			}
		})
	}
	if _, err := VariationServe(two, "nope"); !errors.Is(err, ErrBadServe) {
		t.Errorf("VariationServe of an unknown variation: %v", err)
	}
}
