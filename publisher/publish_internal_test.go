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

func TestDecodeCurrentEnvelope(t *testing.T) {
	doc := &ruleset.Document{Schema: 1, Environment: "e", Version: 7,
		Source: ruleset.Source{Kind: "edit", OutOfBand: []ruleset.OutOfBandEdit{{Flag: "f", Change: "enabled=false", Version: 7}}},
		Flags:  map[string]ruleset.Flag{"f": {Key: "f"}}}
	data, err := ruleset.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]byte{data, []byte(`{"flags":{"f":{"key":"f"}},"version":7,"source":{"kind":"edit","out_of_band":[{"flag":"f","version":7}]}}`)} {
		c, err := decodeCurrent(in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != 7 || len(c.Source.OutOfBand) != 1 {
			t.Errorf("envelope = version %d, source %+v", c.Version, c.Source)
		}
		full, err := c.document()
		if err != nil || len(full.Flags) != 1 {
			t.Errorf("document = %+v, %v", full, err)
		}
	}
	if _, err := decodeCurrent([]byte("not json")); err == nil {
		t.Error("garbage decoded")
	}
}
