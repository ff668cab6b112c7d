package ruleset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// checkPartsAgree holds decoding in parts to decoding in one piece, for
// every number of parts from 2 to 7, and returns the most parts kept.
func checkPartsAgree(t *testing.T, data []byte) int {
	t.Helper()
	want, wantOK := decodeFastIn(data, 1)
	most := 0
	for workers := 2; workers <= 7; workers++ {
		got, ok := decodeFastIn(data, workers)
		if ok != wantOK {
			t.Fatalf("%d parts: decoded by hand %v, in one piece %v", workers, ok, wantOK)
		}
		if !ok {
			continue
		}
		if g, w := normalizeDecoded(got), normalizeDecoded(want); !reflect.DeepEqual(g, w) {
			t.Fatalf("%d parts: decoded differently:\nparts: %s\nwhole: %s", workers, diffHint(g, w), diffHint(w, g))
		}
		if got.slowFlags != want.slowFlags {
			t.Fatalf("%d parts: %d flags left to reflection, want %d", workers, got.slowFlags, want.slowFlags)
		}
		most = max(most, got.flagParts)
	}
	return most
}

func TestFlagPartsAgreeWithOnePiece(t *testing.T) {
	pretty := mustMarshal(t, manyFlags(300))
	var compact bytes.Buffer
	if err := json.Compact(&compact, pretty); err != nil {
		t.Fatal(err)
	}
	if got := checkPartsAgree(t, pretty); got < 7 {
		t.Errorf("pretty ruleset: at most %d parts kept, want 7", got)
	}
	if got := checkPartsAgree(t, compact.Bytes()); got < 7 {
		t.Errorf("compact ruleset: at most %d parts kept, want 7", got)
	}
	for _, seed := range vectorSeeds(t) {
		checkPartsAgree(t, seed)
	}
}

// Variation values that look like the start of a flag make wrong guesses;
// the parts that began at them must be dropped.
func TestFlagPartsDropWrongGuesses(t *testing.T) {
	d := benchDoc()
	for i := range 120 {
		key := fmt.Sprintf("json-%03d", i)
		val := json.RawMessage(fmt.Sprintf(`{"a": {"b": %d}, "c": {"d": "}, \"e\": {"}, "f": {"g": [{}, {}]}}`, i))
		d.Flags[key] = Flag{Key: key, Type: TypeJSON, Variations: []Variation{{Key: "v", Value: val}, {Key: "w", Value: json.RawMessage(`{}`)}},
			Enabled: true, OffVariation: "w", Salt: key, Default: Serve{Variation: "v"}}
	}
	data := mustMarshal(t, d)
	if got := checkPartsAgree(t, data); got < 2 {
		t.Errorf("at most %d parts kept, want several", got)
	}
	// Some of the guesses made for those parts must have been wrong.
	fd := &fastDecoder{scanner: scanner{data: data, pos: bytes.Index(data, []byte(`"flags": {`)) + len(`"flags": {`)}}
	wrong := 0
	for workers := 2; workers <= 7; workers++ {
		for _, at := range fd.guessFlagStarts(workers) {
			if !bytes.HasPrefix(data[at:], []byte(`"json-`)) {
				wrong++
			}
		}
	}
	if wrong == 0 {
		t.Fatal("no guess was wrong: the test document does not test dropping parts")
	}
}

// Whatever breaks the rules inside one part breaks the whole decoding, as
// it does in one piece.
func TestFlagPartsMalformed(t *testing.T) {
	data := string(mustMarshal(t, manyFlags(200)))
	for name, bad := range map[string]string{
		"repeated key across parts": strings.Replace(data, `"flag-00150": {`, `"flag-00010": {`, 1),
		"trailing comma":            strings.Replace(data, `"off_variation": "off",`, `"off_variation": "off",,`, 1),
		"unknown member":            strings.Replace(data, `"off_variation": "off",`, `"off_variation": "off", "later": 1,`, 1),
		"wrong kind":                strings.Replace(data, `"enabled": true`, `"enabled": "yes"`, 1),
		"bad byte late":             strings.Replace(data, `"flag-00190": {`, "\"flag-00190\": \x01{", 1),
	} {
		if bad == data {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		t.Run(name, func(t *testing.T) {
			checkPartsAgree(t, []byte(bad))
			checkDecodeAgrees(t, []byte(bad))
		})
	}
}
