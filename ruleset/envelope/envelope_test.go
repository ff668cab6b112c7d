package envelope

import (
	"bytes"
	"errors"
	"testing"
)

func mustKey(t testing.TB, id string) PrivateKey {
	t.Helper()
	k, err := GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const testPayload = `{"environment":"production","flags":{},"schema":1,"segments":{},"source":{"kind":"git"},"version":3}`

func TestSignOpen(t *testing.T) {
	k := mustKey(t, "k1")
	data, err := Sign(PayloadType, []byte(testPayload), k)
	if err != nil {
		t.Fatal(err)
	}
	if !IsEnvelope(data) || IsEnvelope([]byte(testPayload)) {
		t.Fatal("IsEnvelope misclassifies")
	}
	payload, id, err := Open(data, []PublicKey{k.Public()})
	if err != nil {
		t.Fatal(err)
	}
	if string(payload) != testPayload || id != "k1" {
		t.Fatalf("got %q %q", payload, id)
	}
	unwrapped, ids, err := Unwrap(data)
	if err != nil || string(unwrapped) != testPayload || len(ids) != 1 || ids[0] != "k1" {
		t.Fatalf("Unwrap: %q %v %v", unwrapped, ids, err)
	}
}

func TestPAE(t *testing.T) {
	// The example of the DSSE protocol document.
	got := string(PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Fatalf("PAE = %q, want %q", got, want)
	}
}

// Every single byte changed anywhere in the envelope must be refused, not
// only the changes the signature would catch.
func TestOpenRejectsEveryByteChange(t *testing.T) {
	k := mustKey(t, "k1")
	data, err := Sign(PayloadType, []byte(testPayload), k)
	if err != nil {
		t.Fatal(err)
	}
	trusted := []PublicKey{k.Public()}
	for i := range data {
		for _, x := range []byte{0x01, 0x20, 0x80} {
			mod := bytes.Clone(data)
			mod[i] ^= x
			if _, _, err := Open(mod, trusted); err == nil {
				t.Fatalf("byte %d ^ %#x (%q -> %q) accepted", i, x, data[i], mod[i])
			}
		}
	}
	if _, _, err := Open(append(bytes.Clone(data), ' '), trusted); err == nil {
		t.Fatal("trailing space accepted")
	}
}

func TestOpenRotation(t *testing.T) {
	old, cur, gone := mustKey(t, "old"), mustKey(t, "new"), mustKey(t, "removed")
	trusted := []PublicKey{old.Public(), cur.Public()}
	for _, k := range []PrivateKey{old, cur} {
		data, _ := Sign(PayloadType, []byte(testPayload), k)
		if _, id, err := Open(data, trusted); err != nil || id != k.ID {
			t.Fatalf("%s: %v %q", k.ID, err, id)
		}
	}
	data, _ := Sign(PayloadType, []byte(testPayload), gone)
	if _, _, err := Open(data, trusted); !errors.Is(err, ErrSignature) {
		t.Fatalf("removed key: %v", err)
	}
	// A foreign key that claims a trusted id does not verify either.
	impostor := mustKey(t, "new")
	data, _ = Sign(PayloadType, []byte(testPayload), impostor)
	if _, _, err := Open(data, trusted); !errors.Is(err, ErrSignature) {
		t.Fatalf("impostor: %v", err)
	}
	// Overlap: signed by both, trusted by either.
	data, _ = Sign(PayloadType, []byte(testPayload), old, cur)
	if _, id, err := Open(data, []PublicKey{cur.Public()}); err != nil || id != "new" {
		t.Fatalf("dual-signed: %v %q", err, id)
	}
	if _, _, err := Open(data, nil); !errors.Is(err, ErrSignature) {
		t.Fatalf("no trusted keys: %v", err)
	}
}

func TestOpenRefusesOtherPayloadTypes(t *testing.T) {
	k := mustKey(t, "k1")
	data, _ := Sign("application/vnd.in-toto+json", []byte(testPayload), k)
	if _, _, err := Open(data, []PublicKey{k.Public()}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("foreign payload type: %v", err)
	}
	enc, _ := GenerateEncryptionKey()
	sealed, _ := Encrypt(enc, "production", 3, []byte(testPayload))
	data, _ = Sign(PayloadType, sealed, k)
	if _, _, err := Open(data, []PublicKey{k.Public()}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("encrypted under the plain type: %v", err)
	}
}

func TestOpenNotEnvelope(t *testing.T) {
	k := mustKey(t, "k1")
	for _, in := range []string{"", "{}", "[]", testPayload, `{"payload":`, `{"payload":"","payloadType":"x","signatures":[]}`} {
		if _, _, err := Open([]byte(in), []PublicKey{k.Public()}); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	data := []byte(`{"payload":"e30=","payloadType":"application/vnd.cairn.ruleset+json","signatures":[]}`)
	if _, _, err := Open(data, []PublicKey{k.Public()}); !errors.Is(err, ErrUnsigned) {
		t.Errorf("no signatures: %v", err)
	}
}

func TestKeysPEM(t *testing.T) {
	k := mustKey(t, "")
	if k.ID != DefaultKeyID(k.Public().Key) || len(k.ID) != 16 {
		t.Fatalf("default id %q", k.ID)
	}
	privPEM, err := MarshalPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(privPEM)
	if err != nil || back.ID != k.ID || !back.Key.Equal(k.Key) {
		t.Fatalf("private round trip: %v", err)
	}
	k2 := mustKey(t, "second")
	p1, _ := MarshalPublicKey(k.Public())
	p2, _ := MarshalPublicKey(k2.Public())
	keys, err := ParsePublicKeys(append(p1, p2...))
	if err != nil || len(keys) != 2 || keys[1].ID != "second" || !keys[0].Key.Equal(k.Public().Key) {
		t.Fatalf("public keys: %v %v", keys, err)
	}
	if _, err := ParsePublicKeys(append(p2, p2...)); err == nil {
		t.Fatal("duplicate id accepted")
	}
	if _, err := ParsePublicKeys(privPEM); err == nil {
		t.Fatal("private key read as public")
	}
	if _, err := ParsePrivateKey(p1); err == nil {
		t.Fatal("public key read as private")
	}
	if _, err := GenerateKey("bad id/"); err == nil {
		t.Fatal("bad id accepted")
	}
}
