package publisher

import (
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

func TestSameContent(t *testing.T) {
	flags := map[string]ruleset.Flag{"f": {Key: "f", Description: "a & b <c>"}}
	a := &ruleset.Document{Schema: 1, Environment: "e", Version: 1, Flags: flags,
		Source: ruleset.Source{Kind: "git", Message: "\n  \"flags\": {}"}}
	b := &ruleset.Document{Schema: 1, Environment: "e", Version: 2, PublishedAt: time.Now(), Flags: flags,
		Source: ruleset.Source{Kind: "edit", OutOfBand: []ruleset.OutOfBandEdit{{Flag: "f", Change: "x"}}}}
	c := &ruleset.Document{Schema: 1, Environment: "e", Version: 1, Flags: map[string]ruleset.Flag{"f": {Key: "f"}}}
	enc := func(d *ruleset.Document) []byte {
		b, err := ruleset.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !sameContent(enc(a), enc(b)) {
		t.Error("same flags, different envelope: not the same content")
	}
	if sameContent(enc(a), enc(c)) {
		t.Error("different flags: the same content")
	}
	if sameContent([]byte(`{"flags":{}}`), []byte(`{"flags":{}}`)) {
		t.Error("non-canonical bytes compared as the same")
	}
}
