package ruleset

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// SyncReport says what SyncFile changed and what it could not.
type SyncReport struct {
	// Changed describes each edit made, such as
	// "new-checkout: production enabled: true".
	Changed []string
	// Unsynced names the flags whose published rules, schedule or off
	// variation differ from the file; SyncFile leaves those to a person.
	Unsynced []string
}

// SyncFile brings the flags defined in one flag file up to date with a
// published ruleset doc of one environment (cairn sync: git catches up with
// an out-of-band edit such as a kill switch). For each flag of the file that
// doc holds, it writes the published on/off switch and default serve into the
// file with SetEnabled and SetDefaultServe; other differences are reported,
// not written. Flags of the file that doc lacks are left alone.
func SyncFile(name string, data []byte, doc *Document) ([]byte, SyncReport, error) {
	var report SyncReport
	ff, err := ParseFile(name, data)
	if err != nil {
		return nil, report, fmt.Errorf("sync %s: %w", name, err)
	}
	env := doc.Environment
	for _, key := range ff.FlagKeys() {
		published, ok := doc.Flags[key]
		if !ok {
			continue
		}
		inFile, err := compileFromFile(name, data, key, env)
		if err != nil {
			return nil, report, err
		}
		if !sameJSON(published.Default, inFile.Default) {
			if data, err = SetDefaultServe(name, data, key, env, published.Default); err != nil {
				return nil, report, fmt.Errorf("sync %s: %w", name, err)
			}
			report.Changed = append(report.Changed, fmt.Sprintf("%s: %s default: %s", key, env, describeServe(published.Default)))
		}
		if published.Enabled != inFile.Enabled {
			if data, err = SetEnabled(name, data, key, env, published.Enabled); err != nil {
				return nil, report, fmt.Errorf("sync %s: %w", name, err)
			}
			report.Changed = append(report.Changed, fmt.Sprintf("%s: %s enabled: %t", key, env, published.Enabled))
		}
		if !sameJSON(published.Rules, inFile.Rules) || !sameJSON(published.Schedule, inFile.Schedule) ||
			published.OffVariation != inFile.OffVariation {
			report.Unsynced = append(report.Unsynced, key)
		}
	}
	return data, report, nil
}

// compileFromFile compiles one flag of a single file for env.
func compileFromFile(name string, data []byte, key, env string) (Flag, error) {
	f, probs := parseFlagFile(name, data)
	if len(probs) > 0 {
		return Flag{}, fmt.Errorf("sync %s: %w", name, probs)
	}
	for _, fl := range f.flags {
		if fl.Key == key {
			return fl.compile(env), nil
		}
	}
	return Flag{}, fmt.Errorf("sync %s: flag %q vanished from the file", name, key)
}

// sameJSON compares two values by their JSON encoding, which is what an SDK
// sees (and ignores time zones and nil-versus-empty).
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func describeServe(s Serve) string {
	switch {
	case s.Variation != "":
		return s.Variation
	case s.Progressive != nil:
		return fmt.Sprintf("progressive %s %s%%→%s%%", s.Progressive.Variation,
			bucketsToPercent(s.Progressive.FromWeight), bucketsToPercent(s.Progressive.ToWeight))
	}
	out := "split"
	for _, w := range s.Split {
		out += fmt.Sprintf(" %s=%s%%", w.Variation, bucketsToPercent(w.Weight))
	}
	return out
}
