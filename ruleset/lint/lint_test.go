package lint

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

func project(t *testing.T, settings, flags string) *ruleset.Project {
	t.Helper()
	p, err := ruleset.LoadProject(fstest.MapFS{
		"cairn.yaml": {Data: []byte(settings)},
		"flags.yaml": {Data: []byte(flags)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	p := project(t, "environments: [staging, production]\nrequire_owner: true\nrequire_expiry: true\nmax_expiry_days: 90\n", `
flags:
  fine:
    owner: a
    expires: 2026-08-01
    environments:
      production:
        enabled: true
        default: {split: {on: 50, off: 50}}
  expired:
    owner: a
    expires: 2026-05-31
    environments:
      production: {enabled: true, default: {split: {on: 50, off: 50}}}
  expiring:
    owner: a
    expires: 2026-06-10
    environments:
      production: {enabled: true, default: {split: {on: 50, off: 50}}}
  too-far:
    owner: a
    expires: 2027-06-01
    environments:
      production: {enabled: true, default: {split: {on: 50, off: 50}}}
  ownerless:
    expires: 2026-08-01
    environments:
      production: {enabled: true, default: {split: {on: 50, off: 50}}}
  no-expiry:
    owner: a
    environments:
      production: {enabled: true, default: {split: {on: 50, off: 50}}}
  done:
    owner: a
    expires: 2026-08-01
    environments:
      staging: {enabled: true}
      production: {enabled: true}
  dormant:
    owner: a
    expires: 2026-08-01
  targeted:
    owner: a
    expires: 2026-08-01
    environments:
      production:
        enabled: true
        rules:
          - when: [{segment: used}]
            serve: on
        default: off
segments:
  used:
    included: [a]
  unused:
    included: [b]
`)
	got := map[string]Severity{}
	for _, f := range Check(p, Options{Now: now, Within: 14 * 24 * time.Hour}) {
		got[f.Flag+f.Segment+"/"+f.Code] = f.Severity
		if f.File != "flags.yaml" || f.Line == 0 {
			t.Errorf("%v: not located", f)
		}
	}
	want := map[string]Severity{
		"expired/expired":        Error,
		"expiring/expiring":      Warning,
		"too-far/expiry-too-far": Error,
		"ownerless/no-owner":     Error,
		"no-expiry/no-expiry":    Error,
		"done/rolled-out":        Info,
		"dormant/off-everywhere": Info,
		"unused/unused-segment":  Warning,
	}
	for k, sev := range want {
		if got[k] != sev {
			t.Errorf("%s: severity %q, want %q", k, got[k], sev)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected finding %s", k)
		}
	}
}

func TestNoRequirementsNoFindings(t *testing.T) {
	p := project(t, "environments: [production]\n", "flags:\n  plain:\n    environments:\n      production:\n        enabled: true\n        default: {split: {on: 50, off: 50}}\n")
	if f := Check(p, Options{Now: time.Now(), Within: 14 * 24 * time.Hour}); len(f) != 0 {
		t.Errorf("findings %v, want none", f)
	}
}
