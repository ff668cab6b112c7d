package ruleset

import (
	"fmt"
	"testing"
)

// TestFlagTableSpreadsShortKeys checks the two-word hash of 8- to 16-byte
// keys, the usual length: sequential keys that differ in one or two bytes
// must not cluster.
func TestFlagTableSpreadsShortKeys(t *testing.T) {
	for _, format := range []string{"flag-%05d", "f%07d", "checkout-%07d", "x%015d", "%08d"} {
		flags := map[string]*flag{}
		for i := range 10000 {
			k := fmt.Sprintf(format, i)
			flags[k] = &flag{key: k}
		}
		tab := newFlagTable(flags)
		probes := 0
		for k, f := range flags {
			if got := tab.get(k); got != f {
				t.Fatalf("get(%q) = %v", k, got)
			}
			if got := tab.getAny(k); got != f {
				t.Fatalf("getAny(%q) = %v", k, got)
			}
			for i := keyHash(k) & tab.mask; tab.slots[i].key != k; i = (i + 1) & tab.mask {
				probes++
			}
		}
		avg := float64(probes) / float64(len(flags))
		t.Logf("%s: %.2f extra probes per lookup", format, avg)
		if avg > 1 {
			t.Errorf("%s: %.2f extra probes per lookup; the key hash clusters", format, avg)
		}
		for _, k := range []string{fmt.Sprintf(format, 10000), "flag-0000", "flag-00000x"} {
			if _, ok := flags[k]; !ok && tab.get(k) != nil {
				t.Errorf("get(%q) found a flag", k)
			}
		}
	}
}
