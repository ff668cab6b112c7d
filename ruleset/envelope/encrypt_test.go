package envelope

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustEncKey(t testing.TB) EncryptionKey {
	t.Helper()
	k, err := GenerateEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEncryptRoundTrip(t *testing.T) {
	k := mustEncKey(t)
	data, err := Encrypt(k, "production", 3, []byte(testPayload))
	if err != nil {
		t.Fatal(err)
	}
	if !IsEncrypted(data) || IsEnvelope(data) || strings.Contains(string(data), "flags") {
		t.Fatalf("sealed object leaks or misclassifies: %s", data)
	}
	pt, s, err := Decrypt(k, data)
	if err != nil || string(pt) != testPayload || s.Environment != "production" || s.Version != 3 {
		t.Fatalf("Decrypt: %q %+v %v", pt, s, err)
	}
	again, _ := Encrypt(k, "production", 3, []byte(testPayload))
	if bytes.Equal(again, data) {
		t.Fatal("two encryptions share a nonce")
	}
	text, _ := k.MarshalText()
	back, err := ParseEncryptionKey(append(text, '\n'))
	if err != nil || back.ID() != k.ID() {
		t.Fatalf("key text round trip: %v", err)
	}
}

func TestDecryptWrongKey(t *testing.T) {
	k, other := mustEncKey(t), mustEncKey(t)
	data, _ := Encrypt(k, "production", 3, []byte(testPayload))
	_, _, err := Decrypt(other, data)
	if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), k.ID()) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, _, err := Unpack(data, Options{}); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("no key: %v", err)
	}
}

// The clear header is bound to the ciphertext: moving a ciphertext to
// another environment or version fails, as does any other change.
func TestDecryptRejectsEveryByteChange(t *testing.T) {
	k := mustEncKey(t)
	data, _ := Encrypt(k, "staging", 3, []byte(testPayload))
	for i := range data {
		mod := bytes.Clone(data)
		mod[i] ^= 0x01
		if _, _, err := Decrypt(k, mod); err == nil {
			t.Fatalf("byte %d (%q) changed, accepted", i, data[i])
		}
	}
	moved := bytes.Replace(data, []byte(`"staging"`), []byte(`"production"`), 1)
	if _, _, err := Decrypt(k, moved); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("moved to production: %v", err)
	}
	older := bytes.Replace(data, []byte(`"version":3`), []byte(`"version":4`), 1)
	if _, _, err := Decrypt(k, older); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("version changed: %v", err)
	}
}

func TestUnpack(t *testing.T) {
	sk, other := mustKey(t, "k1"), mustKey(t, "k2")
	ek := mustEncKey(t)
	plain := []byte(testPayload)
	signed, _ := Sign(PayloadType, plain, sk)
	sealed, _ := Encrypt(ek, "production", 3, plain)
	both, _ := Sign(EncryptedPayloadType, sealed, sk)
	trust := []PublicKey{sk.Public()}

	cases := []struct {
		name    string
		data    []byte
		opts    Options
		wantErr error
		want    Info
	}{
		{"plain", plain, Options{}, nil, Info{}},
		{"plain, signatures required", plain, Options{TrustedKeys: trust}, ErrUnsigned, Info{}},
		{"signed, unverified", signed, Options{}, nil, Info{Signed: true, KeyIDs: []string{"k1"}}},
		{"signed, verified", signed, Options{TrustedKeys: trust}, nil, Info{Signed: true, Verified: true, KeyID: "k1", KeyIDs: []string{"k1"}}},
		{"signed by another key", signed, Options{TrustedKeys: []PublicKey{other.Public()}}, ErrSignature, Info{}},
		{"encrypted, no key", sealed, Options{}, ErrEncrypted, Info{}},
		{"encrypted", sealed, Options{DecryptionKey: &ek}, nil, Info{Encrypted: true, EncryptionKeyID: ek.ID(), Environment: "production", Version: 3}},
		{"signed and encrypted", both, Options{TrustedKeys: trust, DecryptionKey: &ek}, nil,
			Info{Signed: true, Verified: true, KeyID: "k1", KeyIDs: []string{"k1"}, Encrypted: true, EncryptionKeyID: ek.ID(), Environment: "production", Version: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, info, err := Unpack(c.data, c.opts)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != testPayload {
				t.Fatalf("payload %q", got)
			}
			if info.Signed != c.want.Signed || info.Verified != c.want.Verified || info.KeyID != c.want.KeyID ||
				strings.Join(info.KeyIDs, ",") != strings.Join(c.want.KeyIDs, ",") || info.Encrypted != c.want.Encrypted ||
				info.EncryptionKeyID != c.want.EncryptionKeyID || info.Environment != c.want.Environment || info.Version != c.want.Version {
				t.Fatalf("info = %+v, want %+v", info, c.want)
			}
		})
	}
}
