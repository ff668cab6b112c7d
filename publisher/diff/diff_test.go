package diff

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func flag(key string, vars []string, def ruleset.Serve) ruleset.Flag {
	f := ruleset.Flag{Key: key, Type: ruleset.TypeString, Enabled: true, OffVariation: vars[0], Salt: key, Default: def}
	for _, v := range vars {
		f.Variations = append(f.Variations, ruleset.Variation{Key: v, Value: json.RawMessage(`"` + v + `"`)})
	}
	return f
}

func split(ws ...any) ruleset.Serve {
	var s ruleset.Serve
	for i := 0; i < len(ws); i += 2 {
		s.Split = append(s.Split, ruleset.Weighted{Variation: ws[i].(string), Weight: ws[i+1].(int)})
	}
	return s
}

func one(v string) ruleset.Serve { return ruleset.Serve{Variation: v} }

func TestServeShift(t *testing.T) {
	ramp := &ruleset.Progressive{Variation: "on", Rest: "off", Start: t0, End: t0.Add(10 * time.Hour), FromWeight: 0, ToWeight: 10000}
	for _, tc := range []struct {
		name       string
		a, b       ruleset.Flag
		now        time.Time
		moved      int
		want       string
		wantChange bool
	}{
		{
			name:  "raise a rollout from 10% to 20%",
			a:     flag("f", []string{"off", "on"}, split("off", 9000, "on", 1000)),
			b:     flag("f", []string{"off", "on"}, split("off", 8000, "on", 2000)),
			moved: 1000, want: "moves 10.00% of users from off to on",
		},
		{
			name:  "split order does not matter, the flag's variation order does",
			a:     flag("f", []string{"off", "on"}, split("on", 1000, "off", 9000)),
			b:     flag("f", []string{"off", "on"}, one("on")),
			moved: 9000, want: "moves 90.00% of users from off to on",
		},
		{
			name:  "reordering the variations moves users at both ends",
			a:     flag("f", []string{"off", "on"}, split("off", 9000, "on", 1000)),
			b:     flag("f", []string{"on", "off"}, split("off", 9000, "on", 1000)),
			moved: 2000, want: "moves 20.00% of users: 10.00% from off to on, 10.00% from on to off",
		},
		{
			name:  "three ways",
			a:     flag("f", []string{"a", "b", "c"}, split("a", 3333, "b", 3333, "c", 3334)),
			b:     flag("f", []string{"a", "b", "c"}, split("a", 5000, "b", 0, "c", 5000)),
			moved: 3333, want: "moves 33.33% of users: 16.67% from b to a, 16.66% from b to c",
		},
		{
			name:  "progressive rollout at one hour of ten is at 10%",
			a:     flag("f", []string{"off", "on"}, ruleset.Serve{Progressive: ramp}),
			b:     flag("f", []string{"off", "on"}, one("off")),
			now:   t0.Add(time.Hour),
			moved: 1000, want: "moves 10.00% of users from on to off",
		},
		{
			name:  "progressive rollout truncates like evaluation",
			a:     flag("f", []string{"off", "on"}, ruleset.Serve{Progressive: ramp}),
			b:     flag("f", []string{"off", "on"}, one("off")),
			now:   t0.Add(time.Hour + 1799*time.Millisecond),
			moved: 1000, want: "moves 10.00% of users from on to off",
		},
		{
			name:  "progressive rollout before its start is at its from weight",
			a:     flag("f", []string{"off", "on"}, ruleset.Serve{Progressive: ramp}),
			b:     flag("f", []string{"off", "on"}, split("off", 10000)),
			now:   t0.Add(-time.Hour),
			moved: 0,
		},
		{
			name:  "single variation to single variation is everyone",
			a:     flag("f", []string{"off", "on"}, one("off")),
			b:     flag("f", []string{"off", "on"}, one("on")),
			moved: 10000, want: "moves 100.00% of users from off to on",
		},
		{
			name:  "one bucket is 0.01%",
			a:     flag("f", []string{"off", "on"}, split("off", 10000)),
			b:     flag("f", []string{"off", "on"}, split("off", 9999, "on", 1)),
			moved: 1, want: "moves 0.01% of users from off to on",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = t0
			}
			a := &ruleset.Document{Flags: map[string]ruleset.Flag{"f": tc.a}}
			b := &ruleset.Document{Flags: map[string]ruleset.Flag{"f": tc.b}}
			r := Compare(a, b, now)
			var def *FieldChange
			for _, fc := range r.Flags {
				for i := range fc.Fields {
					if fc.Fields[i].Field == "default" {
						def = &fc.Fields[i]
					}
				}
			}
			if def == nil {
				if tc.moved != 0 {
					t.Fatalf("no default change reported:\n%s", r)
				}
				return
			}
			if def.Shift == nil {
				t.Fatalf("default change without a shift: %+v", def)
			}
			if def.Shift.Moved != tc.moved {
				t.Errorf("moved %d buckets, want %d", def.Shift.Moved, tc.moved)
			}
			if tc.want != "" && def.Shift.String() != tc.want {
				t.Errorf("shift = %q, want %q", def.Shift, tc.want)
			}
		})
	}
}

func TestCompareFlagsAndSegments(t *testing.T) {
	base := flag("checkout", []string{"off", "on"}, split("off", 9000, "on", 1000))
	changed := base
	changed.Enabled = false
	changed.Default = split("off", 8000, "on", 2000)
	changed.Rules = []ruleset.Rule{{Name: "staff", Conditions: []ruleset.Condition{{Attribute: "email", Op: ruleset.OpEndsWith, Values: []any{"@example.com"}}}, Serve: one("on")}}
	resalted := flag("resalted", []string{"off", "on"}, split("off", 5000, "on", 5000))
	resalted2 := resalted
	resalted2.Salt = "new-salt"
	a := &ruleset.Document{Version: 4,
		Flags:    map[string]ruleset.Flag{"checkout": base, "old": flag("old", []string{"x"}, one("x")), "resalted": resalted},
		Segments: map[string]ruleset.Segment{"beta": {Key: "beta", Included: []string{"u1", "u2"}}, "gone": {Key: "gone"}},
	}
	b := &ruleset.Document{Version: 5,
		Flags:    map[string]ruleset.Flag{"checkout": changed, "new": flag("new", []string{"x"}, one("x")), "resalted": resalted2},
		Segments: map[string]ruleset.Segment{"beta": {Key: "beta", Included: []string{"u2", "u3"}}},
	}
	got := Compare(a, b, t0).String()
	want := strings.Join([]string{
		"~ flag checkout: enabled: true -> false",
		"~ flag checkout: rules: 0 rules -> 1 rules",
		"~ flag checkout: default: split(off:9000,on:1000) -> split(off:8000,on:2000): moves 10.00% of users from off to on",
		"+ flag new",
		"- flag old",
		"~ flag resalted: salt: resalted -> new-salt",
		"~ segment beta: included: 2 keys -> 2 keys (added u3; removed u1)",
		"- segment gone",
		"",
	}, "\n")
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	if r := Compare(a, a, t0); !r.Empty() {
		t.Errorf("a ruleset compared with itself: %s", r)
	}
	if r := Compare(nil, a, t0); len(r.Flags) != 3 || r.Flags[0].Kind != Added {
		t.Errorf("compare with nil: %+v", r.Flags)
	}
}
