package ruleset

import (
	"strings"
	"testing"
	"time"
)

const editSample = `# Checkout flags. Owned by team-checkout.
flags:
  new-checkout:
    description: The redesigned checkout.   # keep this comment
    environments:
      staging:
        enabled: true    # on for QA
        default: on
      production:
        # ramping up carefully
        enabled: false
        default:
          split:
            on: 25     # a quarter
            off: 75
  compact: {environments: {production: {enabled: true, default: on}}}
  bare:
    owner: someone
`

func TestEditSurgical(t *testing.T) {
	tests := []struct {
		name string
		edit func(data []byte) ([]byte, error)
		// old and new lines: every other line must stay byte for byte.
		old, new string
	}{
		{"enable", func(d []byte) ([]byte, error) {
			return SetEnabled("f.yaml", d, "new-checkout", "production", true)
		}, "        enabled: false\n", "        enabled: true\n"},
		{"disable keeps the comment", func(d []byte) ([]byte, error) {
			return SetEnabled("f.yaml", d, "new-checkout", "staging", false)
		}, "        enabled: true    # on for QA\n", "        enabled: false    # on for QA\n"},
		{"rollout changes only numbers", func(d []byte) ([]byte, error) {
			return SetDefaultServe("f.yaml", d, "new-checkout", "production", Serve{Split: []Weighted{{"on", 5050}, {"off", 4950}}})
		}, "            on: 25     # a quarter\n            off: 75\n", "            on: 50.5     # a quarter\n            off: 49.5\n"},
		{"split to a variation", func(d []byte) ([]byte, error) {
			return SetDefaultServe("f.yaml", d, "new-checkout", "production", Serve{Variation: "on"})
		}, "        default:\n          split:\n            on: 25     # a quarter\n            off: 75\n", "        default: on\n"},
		{"variation to a split", func(d []byte) ([]byte, error) {
			return SetDefaultServe("f.yaml", d, "new-checkout", "staging", Serve{Split: []Weighted{{"on", 1000}, {"off", 9000}}})
		}, "        default: on\n", "        default: {split: {on: 10, off: 90}}\n"},
		{"flow mapping", func(d []byte) ([]byte, error) {
			return SetEnabled("f.yaml", d, "compact", "production", false)
		}, "  compact: {environments: {production: {enabled: true, default: on}}}\n", "  compact: {environments: {production: {enabled: false, default: on}}}\n"},
		{"new environment", func(d []byte) ([]byte, error) {
			return SetEnabled("f.yaml", d, "bare", "staging", true)
		}, "    owner: someone\n", "    owner: someone\n    environments:\n      staging:\n        enabled: true\n"},
		{"disable where already off", func(d []byte) ([]byte, error) {
			return SetEnabled("f.yaml", d, "bare", "staging", false)
		}, "", ""},
		{"progressive into an environment", func(d []byte) ([]byte, error) {
			return SetDefaultServe("f.yaml", d, "bare", "production", Serve{Progressive: &Progressive{
				Variation: "on", Rest: "off", Start: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
				End: time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC), ToWeight: Buckets,
			}})
		}, "    owner: someone\n", "    owner: someone\n    environments:\n      production:\n        default:\n          progressive:\n            variation: on\n            rest: off\n            start: 2026-03-01T09:00:00Z\n            end: 2026-03-15T09:00:00Z\n            from: 0\n            to: 100\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.edit([]byte(editSample))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(editSample, tt.old) {
				t.Fatalf("test bug: sample lacks %q", tt.old)
			}
			want := strings.Replace(editSample, tt.old, tt.new, 1)
			if string(got) != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestEditRejectsInvalidResult(t *testing.T) {
	_, err := SetDefaultServe("f.yaml", []byte(editSample), "new-checkout", "production", Serve{Variation: "onn"})
	if err == nil || !strings.Contains(err.Error(), `unknown variation "onn" (have: on, off)`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := SetEnabled("f.yaml", []byte(editSample), "missing", "production", true); err == nil {
		t.Fatal("SetEnabled on a missing flag: no error")
	}
}

func TestEditJSON(t *testing.T) {
	in := "{\n\t\"flags\": {\n\t\t\"x\": {\"environments\": {\"production\": {\"default\": \"on\"}}}\n\t}\n}\n"
	got, err := SetEnabled("f.json", []byte(in), "x", "production", true)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(in, `{"default": "on"}`, `{"enabled": true, "default": "on"}`, 1)
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	got, err = SetDefaultServe("f.json", got, "x", "production", Serve{Split: []Weighted{{"on", 2500}, {"off", 7500}}})
	if err != nil {
		t.Fatal(err)
	}
	want = strings.Replace(want, `"default": "on"`, `"default": {"split": {"on": 25, "off": 75}}`, 1)
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSyncFile(t *testing.T) {
	doc := &Document{Environment: "production", Flags: map[string]Flag{
		"new-checkout": {Key: "new-checkout", Enabled: true, OffVariation: "off", Default: Serve{Split: []Weighted{{"on", 1000}, {"off", 9000}}}},
		"compact":      {Key: "compact", Enabled: false, OffVariation: "off", Default: Serve{Variation: "on"}},
		"bare": {Key: "bare", Enabled: true, OffVariation: "off", Default: Serve{Variation: "on"},
			Rules: []Rule{{Conditions: []Condition{{Attribute: "a", Op: OpExists}}, Serve: Serve{Variation: "off"}}}},
	}}
	got, report, err := SyncFile("f.yaml", []byte(editSample), doc)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(
		"        enabled: false\n", "        enabled: true\n",
		"            on: 25     # a quarter\n            off: 75\n", "            on: 10     # a quarter\n            off: 90\n",
		"{production: {enabled: true,", "{production: {enabled: false,",
		"    owner: someone\n", "    owner: someone\n    environments:\n      production:\n        default: on\n        enabled: true\n",
	).Replace(editSample)
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	wantChanged := "new-checkout: production default: split on=10% off=90%|new-checkout: production enabled: true|compact: production enabled: false|bare: production default: on|bare: production enabled: true"
	if c := strings.Join(report.Changed, "|"); c != wantChanged {
		t.Errorf("changed = %s\nwant      %s", c, wantChanged)
	}
	if u := strings.Join(report.Unsynced, ","); u != "bare" {
		t.Errorf("unsynced = %s, want bare", u)
	}
	// Syncing again changes nothing.
	again, report, err := SyncFile("f.yaml", got, doc)
	if err != nil || string(again) != string(got) || len(report.Changed) != 0 {
		t.Errorf("second sync: err %v, changed %v", err, report.Changed)
	}
}
