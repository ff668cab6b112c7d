package ruleset

import (
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// The scanner reads strings and whitespace a word at a time, so every byte
// value is tried at every position around the 8-byte word boundaries, and
// the result held to jsontext's.
func TestScannerStringsAgreeWithJSONText(t *testing.T) {
	var specials []string
	for b := range 256 {
		specials = append(specials, string(rune(b))[:1], string([]byte{byte(b)}))
	}
	specials = append(specials, "é", "€", "😀", `\"`, `\\`, `\/`, `\n`, `\u00e9`, `\ud83d\ude00`,
		`\ud83d`, `\x`, `\u12`, "\xed\xa0\x80", "\xc3", "\xf0\x9f\x98")
	for _, special := range specials {
		for prefix := range 18 {
			raw := `"` + strings.Repeat("a", prefix) + special + `bc"`
			s := scanner{data: []byte(raw)}
			got, err := s.str()
			valid := jsontext.Value(raw).IsValid()
			if !valid {
				if err == nil && s.pos == len(raw) {
					t.Errorf("%q: scanner accepts it, jsontext does not", raw)
				}
				continue
			}
			want, _ := jsontext.AppendUnquote(nil, raw)
			if err != nil || s.pos != len(raw) || string(got) != string(want) {
				t.Errorf("%q: scanner read %q (err %v, at %d), want %q", raw, got, err, s.pos, want)
			}
		}
	}
}

func TestScannerNumbersAgreeWithJSONText(t *testing.T) {
	for _, n := range []string{
		"0", "-0", "1", "-1", "10", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5", "1.25e-3", "123456789012345678901234567890",
		"01", "-", "+1", ".5", "1.", "1e", "1e+", "--1", "0x10", "1.2.3", "1e5.5", "- 1", "Infinity", "NaN",
	} {
		s := scanner{data: []byte(n)}
		_, err := s.number()
		accepted := err == nil && s.pos == len(n)
		if valid := jsontext.Value(n).IsValid(); accepted != valid {
			t.Errorf("%q: scanner accepts %v, jsontext %v", n, accepted, valid)
		}
	}
}

func TestScannerSkipsWhitespace(t *testing.T) {
	for n := range 40 {
		for _, unit := range []string{" ", "\t", "\r\n", "\n"} {
			for _, tail := range []string{"", "\n", " "} {
				ws := "\n" + strings.Repeat(unit, n) + tail
				s := scanner{data: []byte(ws + "x")}
				if c := s.peek(); c != 'x' || s.pos != len(ws) {
					t.Fatalf("%q: peek = %q at %d, want 'x' at %d", ws, c, s.pos, len(ws))
				}
				s = scanner{data: []byte(ws)}
				if !s.atEnd() {
					t.Fatalf("%q: not at end", ws)
				}
			}
		}
	}
}

// Documents that differ from valid ones in one byte of syntax must be left
// to the reflection decoder, which reports them.
func TestScannerRejectsMalformedDocuments(t *testing.T) {
	const flag = `{"key":"f","type":"boolean","variations":[{"key":"on","value":true},{"key":"off","value":false}],` +
		`"enabled":true,"off_variation":"off","salt":"f","default":{"variation":"on"}}`
	valid := `{"schema":1,"environment":"production","version":1,"flags":{"f":` + flag + `},"segments":{}}`
	if _, ok := decodeFast([]byte(valid)); !ok {
		t.Fatal("the valid document was not decoded by hand")
	}
	for _, bad := range []string{
		strings.Replace(valid, `"segments":{}`, `"segments":{},`, 1),
		strings.Replace(valid, `[{"key":"on","value":true},`, `[{"key":"on","value":true},,`, 1),
		strings.Replace(valid, `{"key":"off","value":false}]`, `{"key":"off","value":false},]`, 1),
		strings.Replace(valid, `"enabled":true`, `"enabled":tru`, 1),
		strings.Replace(valid, `"enabled":true`, `"enabled":truex`, 1),
		strings.Replace(valid, `"enabled":true`, `"enabled" true`, 1),
		strings.Replace(valid, `"version":1`, `"version":01`, 1),
		strings.Replace(valid, `"salt":"f"`, `"salt":"f","salt":"f"`, 1),
		strings.Replace(valid, `"schema":1`, `"schema":1,"schema":1`, 1),
		strings.Replace(valid, `"flags":{"f":`+flag+`}`, `"flags":{"f":`+flag+`,"f":`+flag+`}`, 1),
		strings.Replace(valid, `"segments":{}`, `"segments":{},"x":{"a":1,"a":2}`, 1),
		strings.Replace(valid, `"segments":{}`, `"segments":{},"x":["\xff"]`, 1),
		strings.Replace(valid, `"key":"f"`, "\"key\":\"f\x01\"", 1),
		valid + "x",
		valid[:len(valid)-1],
	} {
		if _, ok := decodeFast([]byte(bad)); ok {
			t.Errorf("decoded by hand: %s", bad)
		}
		checkDecodeAgrees(t, []byte(bad))
	}
}
