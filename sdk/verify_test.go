package sdk

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cairnflags/cairn/ruleset/envelope"
)

func signingKey(t testing.TB, id string) envelope.PrivateKey {
	t.Helper()
	k, err := envelope.GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signedDoc is testDoc(env, version) as the publisher would sign it.
func signedDoc(t testing.TB, env string, version int64, k envelope.PrivateKey) []byte {
	t.Helper()
	data, err := envelope.Sign(envelope.PayloadType, marshal(t, testDoc(env, version)), k)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// rejected waits until the client has refused what the origin now serves
// and checks it still serves want.
func rejected(t *testing.T, c *Client, o *origin, want string, is error) {
	t.Helper()
	before, _, _ := o.stats()
	eventually(t, "a rejected poll", func() bool {
		n, _, _ := o.stats()
		st := c.Status()
		return n > before+1 && st.LastError != nil && st.ConsecutiveFailures > 0
	})
	if got := c.String("color", nil, "default"); got != want {
		t.Fatalf("serves %q after a rejected ruleset, want %q", got, want)
	}
	if err := c.Status().LastError; is != nil && !errors.Is(err, is) {
		t.Fatalf("LastError = %v, want %v", err, is)
	}
}

func TestTrustedKeysRejectTamperedRulesets(t *testing.T) {
	k := signingKey(t, "ci")
	o := newOrigin(t, signedDoc(t, "production", 1, k))
	c := newClient(t, o.URL, fastOptions(WithTrustedKeys(k.Public()), WithEnvironment("production"))...)
	waitReady(t, c)
	if got := c.String("color", nil, ""); got != "v1" {
		t.Fatalf("serves %q", got)
	}

	// A byte changed anywhere in version 2: inside the payload, the
	// signature, the key id, the payload type, the JSON around them.
	v2 := signedDoc(t, "production", 2, k)
	for _, i := range []int{0, 5, 12, len(v2) / 3, len(v2) / 2, len(v2) - 100, len(v2) - 40, len(v2) - 3} {
		mod := bytes.Clone(v2)
		mod[i] ^= 0x01
		o.set("ok", mod)
		rejected(t, c, o, "v1", nil)
	}

	// Unsigned.
	o.set("ok", marshal(t, testDoc("production", 2)))
	rejected(t, c, o, "v1", envelope.ErrUnsigned)

	// Signed by a key nobody trusts.
	o.set("ok", signedDoc(t, "production", 2, signingKey(t, "ci")))
	rejected(t, c, o, "v1", envelope.ErrSignature)

	// Correctly signed, for staging, served at the production URL.
	o.set("ok", signedDoc(t, "staging", 2, k))
	rejected(t, c, o, "v1", ErrWrongEnvironment)

	// The genuine version 2, then an older genuine version replayed.
	o.set("ok", v2)
	eventually(t, "version 2", func() bool { return c.String("color", nil, "") == "v2" })
	o.set("ok", signedDoc(t, "production", 1, k))
	rejected(t, c, o, "v2", ErrOlderVersion)
}

// Without WithEnvironment the first ruleset pins the environment, and the
// signature makes that pin trustworthy.
func TestTrustedKeysPinnedEnvironment(t *testing.T) {
	k := signingKey(t, "ci")
	o := newOrigin(t, signedDoc(t, "production", 1, k))
	c := newClient(t, o.URL, fastOptions(WithTrustedKeys(k.Public()))...)
	waitReady(t, c)
	o.set("ok", signedDoc(t, "staging", 5, k))
	rejected(t, c, o, "v1", ErrWrongEnvironment)
}

func TestTrustedKeysRotation(t *testing.T) {
	old, cur := signingKey(t, "old"), signingKey(t, "new")
	o := newOrigin(t, signedDoc(t, "production", 1, old))
	// During the rotation both are trusted.
	c := newClient(t, o.URL, fastOptions(WithTrustedKeys(old.Public(), cur.Public()))...)
	waitReady(t, c)
	o.set("ok", signedDoc(t, "production", 2, cur))
	eventually(t, "version 2 signed by the new key", func() bool { return c.String("color", nil, "") == "v2" })

	// After it, the old key is removed: what it signs is rejected.
	c2 := newClient(t, o.URL, fastOptions(WithTrustedKeys(cur.Public()))...)
	waitReady(t, c2)
	o.set("ok", signedDoc(t, "production", 3, old))
	rejected(t, c2, o, "v2", envelope.ErrSignature)
}

// A client without keys reads signed rulesets too, unverified.
func TestNoTrustedKeysReadsSigned(t *testing.T) {
	o := newOrigin(t, signedDoc(t, "production", 1, signingKey(t, "ci")))
	c := newClient(t, o.URL, fastOptions()...)
	waitReady(t, c)
	if got := c.String("color", nil, ""); got != "v1" {
		t.Fatalf("serves %q", got)
	}
}

func encKey(t testing.TB) envelope.EncryptionKey {
	t.Helper()
	k, err := envelope.GenerateEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sealedDoc(t testing.TB, env string, version int64, ek envelope.EncryptionKey, sk *envelope.PrivateKey) []byte {
	t.Helper()
	data, err := envelope.Encrypt(ek, env, version, marshal(t, testDoc(env, version)))
	if err != nil {
		t.Fatal(err)
	}
	if sk != nil {
		if data, err = envelope.Sign(envelope.EncryptedPayloadType, data, *sk); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

func TestDecryptionKey(t *testing.T) {
	ek, sk := encKey(t), signingKey(t, "ci")
	o := newOrigin(t, sealedDoc(t, "production", 1, ek, &sk))
	c := newClient(t, o.URL, fastOptions(WithTrustedKeys(sk.Public()), WithDecryptionKey(ek))...)
	waitReady(t, c)
	if got := c.String("color", nil, ""); got != "v1" {
		t.Fatalf("serves %q", got)
	}
	o.set("ok", sealedDoc(t, "production", 2, ek, nil))
	rejected(t, c, o, "v1", envelope.ErrUnsigned)
	o.set("ok", sealedDoc(t, "production", 2, encKey(t), &sk))
	rejected(t, c, o, "v1", envelope.ErrWrongKey)
	if msg := c.Status().LastError.Error(); !strings.Contains(msg, "encrypted with key id") {
		t.Fatalf("wrong key is not a clear error: %s", msg)
	}
	// Signed plaintext when encryption is expected.
	o.set("ok", signedDoc(t, "production", 2, sk))
	rejected(t, c, o, "v1", ErrNotEncrypted)
	o.set("ok", sealedDoc(t, "production", 2, ek, &sk))
	eventually(t, "version 2", func() bool { return c.String("color", nil, "") == "v2" })

	// Without the key, an encrypted ruleset is a clear error.
	c2 := newClient(t, o.URL, fastOptions()...)
	eventually(t, "an error", func() bool { return c2.Status().LastError != nil })
	if err := c2.Status().LastError; !errors.Is(err, envelope.ErrEncrypted) {
		t.Fatalf("no key: %v", err)
	}
}

// The header of an encrypted ruleset is what is signed: one that claims
// another version than its content is refused.
func TestEncryptedHeaderMustMatchContent(t *testing.T) {
	ek := encKey(t)
	lying, err := envelope.Encrypt(ek, "production", 9, marshal(t, testDoc("production", 1)))
	if err != nil {
		t.Fatal(err)
	}
	o := newOrigin(t, lying)
	c := newClient(t, o.URL, fastOptions(WithDecryptionKey(ek))...)
	eventually(t, "an error", func() bool { return c.Status().LastError != nil })
	if err := c.Status().LastError; !errors.Is(err, envelope.ErrDecrypt) {
		t.Fatalf("lying header: %v", err)
	}
}

func TestTrustOptionErrors(t *testing.T) {
	if _, err := New("http://127.0.0.1:1/x.json", WithTrustedKeys()); err == nil {
		t.Error("no keys accepted")
	}
	if _, err := New("http://127.0.0.1:1/x.json", WithTrustedKeys(envelope.PublicKey{ID: "x"})); err == nil {
		t.Error("empty key accepted")
	}
	if _, err := New("http://127.0.0.1:1/x.json", WithDecryptionKey(envelope.EncryptionKey{})); err == nil {
		t.Error("zero decryption key accepted")
	}
}

// BenchmarkVerifyPoll is the cost a signature adds to a poll that brings a
// new ruleset: unpacking and verifying a 1,000-flag signed ruleset, next
// to loading it.
func BenchmarkVerifyPoll(b *testing.B) {
	k := signingKey(b, "ci")
	doc := testDoc("production", 1)
	for i := range 1000 {
		key := "flag-" + strconv.Itoa(i)
		doc.Flags[key] = boolFlag(key, i%2 == 0)
	}
	plain := marshal(b, doc)
	signed, _ := envelope.Sign(envelope.PayloadType, plain, k)
	trusted := envelope.Options{TrustedKeys: []envelope.PublicKey{k.Public()}}
	b.Run("verify-only", func(b *testing.B) {
		b.SetBytes(int64(len(signed)))
		for b.Loop() {
			if _, _, err := envelope.Unpack(signed, trusted); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load-unsigned", func(b *testing.B) {
		c := &Client{}
		for b.Loop() {
			if _, err := c.load("x", plain); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load-signed", func(b *testing.B) {
		c := &Client{cfg: config{trust: trustConfig{keys: trusted.TrustedKeys}}}
		for b.Loop() {
			if _, err := c.load("x", signed); err != nil {
				b.Fatal(err)
			}
		}
	})
}
