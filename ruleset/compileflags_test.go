package ruleset

import (
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
)

// checkCompilePartsAgree holds compiling flags in 2 to 5 parts to
// compiling them in one piece: the same problems in the same order, the
// same quarantines, the same content and the same answer for every flag.
func checkCompilePartsAgree(t *testing.T, data []byte) {
	t.Helper()
	want, wantDoc, wantP := loadDocumentIn(decode, data, 1, true)
	contexts := []*Context{nil, benchContext(), NewContext("user-42", map[string]any{"country": "DE", "app_version": "2.3.0", "email": "a@example.com"})}
	for workers := 2; workers <= 5; workers++ {
		got, gotDoc, gotP := loadDocumentIn(decode, data, workers, true)
		if !reflect.DeepEqual(gotP, wantP) {
			t.Fatalf("%d parts: problems\n%v\nwant\n%v", workers, gotP, wantP)
		}
		if want == nil {
			if got != nil {
				t.Fatalf("%d parts: loaded what one piece refuses", workers)
			}
			continue
		}
		if !maps.Equal(got.Quarantined(), want.Quarantined()) || !got.SameContent(want) ||
			!reflect.DeepEqual(got.FlagKeys(), want.FlagKeys()) || !reflect.DeepEqual(gotDoc, wantDoc) {
			t.Fatalf("%d parts: loaded a different ruleset", workers)
		}
		for _, key := range want.FlagKeys() {
			for _, c := range contexts {
				g, w := got.Evaluate(key, c, benchNow), want.Evaluate(key, c, benchNow)
				if fmt.Sprint(g) != fmt.Sprint(w) {
					t.Fatalf("%d parts: %s = %+v, want %+v", workers, key, g, w)
				}
			}
		}
	}
}

func TestCompilePartsAgreeWithOnePiece(t *testing.T) {
	checkCompilePartsAgree(t, mustMarshal(t, manyFlags(90)))
	for _, seed := range vectorSeeds(t) {
		checkCompilePartsAgree(t, seed)
	}
}

// Problems and quarantines spread over every part come out as they do in
// one piece.
func TestCompilePartsProblemsAndQuarantines(t *testing.T) {
	d := manyFlags(90)
	for i := 0; i < 90; i += 7 {
		key := fmt.Sprintf("flag-%05d", i)
		f := d.Flags[key]
		switch i % 3 {
		case 0:
			f.OffVariation = "nope"
		case 1:
			f.Default = Serve{Variation: "missing"}
		default:
			f.Rules[0].Conditions[0].Op = "from_the_future"
		}
		d.Flags[key] = f
	}
	bad := mustMarshal(t, d)
	_, _, ps := loadDocumentIn(decode, bad, 1, false)
	if len(ps) < 8 {
		t.Fatalf("want problems in many flags, got %v", ps)
	}
	checkCompilePartsAgree(t, bad)
	// Quarantines alone load.
	onlyNew := strings.ReplaceAll(string(bad), `"nope"`, `"off"`)
	onlyNew = strings.ReplaceAll(onlyNew, `"missing"`, `"on"`)
	rs, _, ps := loadDocumentIn(decode, []byte(onlyNew), 3, false)
	if len(ps) > 0 || len(rs.Quarantined()) < 3 {
		t.Fatalf("want a ruleset with quarantined flags, got problems %v", ps)
	}
	checkCompilePartsAgree(t, []byte(onlyNew))
}
