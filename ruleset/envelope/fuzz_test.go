package envelope

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

// fuzzKeys are fixed so that the corpus stays meaningful between runs.
func fuzzKeys() (PrivateKey, EncryptionKey) {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	sk := PrivateKey{ID: "fuzz", Key: ed25519.NewKeyFromSeed(seed)}
	ek, _ := NewEncryptionKey(bytes.Repeat([]byte{9}, 32))
	return sk, ek
}

// FuzzOpen feeds arbitrary bytes to the verifying path. It must never
// panic, and whatever it accepts must be exactly what the key signed.
func FuzzOpen(f *testing.F) {
	sk, ek := fuzzKeys()
	signed, _ := Sign(PayloadType, []byte(testPayload), sk)
	sealed, _ := Encrypt(ek, "production", 3, []byte(testPayload))
	both, _ := Sign(EncryptedPayloadType, sealed, sk)
	for _, s := range [][]byte{signed, both, []byte(testPayload), []byte(`{"payload":"","payloadType":"","signatures":[{"keyid":"","sig":""}]}`)} {
		f.Add(s)
	}
	trusted := []PublicKey{sk.Public()}
	f.Fuzz(func(t *testing.T, data []byte) {
		IsEnvelope(data)
		payload, id, err := Open(data, trusted)
		if err != nil {
			return
		}
		if id != "fuzz" {
			t.Fatalf("accepted with key id %q", id)
		}
		// Seeds are made afresh in every fuzz worker, with fresh nonces, so
		// an encrypted payload is compared once decrypted.
		if pt, _, err := Decrypt(ek, payload); err == nil {
			payload = pt
		}
		if !bytes.Equal(payload, []byte(testPayload)) {
			t.Fatalf("accepted a payload nobody signed: %q", payload)
		}
		if _, _, err := Unpack(data, Options{TrustedKeys: trusted, DecryptionKey: &ek}); err != nil {
			t.Fatalf("Open accepts, Unpack refuses: %v", err)
		}
	})
}

// FuzzDecrypt feeds arbitrary bytes to the decrypting path. It must never
// panic, and whatever decrypts must be what was encrypted.
func FuzzDecrypt(f *testing.F) {
	_, ek := fuzzKeys()
	sealed, _ := Encrypt(ek, "production", 3, []byte(testPayload))
	f.Add(sealed)
	f.Add([]byte(`{"encryption":"AES-256-GCM","key_id":"","environment":"","version":0,"nonce":"","ciphertext":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		IsEncrypted(data)
		pt, s, err := Decrypt(ek, data)
		if err != nil {
			return
		}
		if !bytes.Equal(pt, []byte(testPayload)) || s.Environment != "production" || s.Version != 3 {
			t.Fatalf("decrypted something never encrypted: %q %+v", pt, s)
		}
	})
}
