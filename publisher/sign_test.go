package publisher_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/publisher/file"
	"github.com/cairnflags/cairn/publisher/storetest"
	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

func signKey(t *testing.T, id string) envelope.PrivateKey {
	t.Helper()
	k, err := envelope.GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// stored returns an object's bytes and what is inside, verified with pub.
func stored(t *testing.T, s *file.Store, key string, opts envelope.Options) ([]byte, envelope.Info) {
	t.Helper()
	obj, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	payload, info, err := envelope.Unpack(obj.Body, opts)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if _, err := ruleset.Load(payload); err != nil {
		t.Fatalf("%s: payload does not load: %v", key, err)
	}
	return obj.Body, info
}

func TestSignedPublishEditHistoryDiff(t *testing.T) {
	k := signKey(t, "ci-2026")
	p, s := newPublisher(t, publisher.WithSigner(k))
	trust := envelope.Options{TrustedKeys: []envelope.PublicKey{k.Public()}}
	publish(t, p, storetest.Document(env, 3, 1), publisher.PublishOptions{})

	cur, info := stored(t, s, publisher.CurrentKey(env), trust)
	if !envelope.IsEnvelope(cur) || info.KeyID != "ci-2026" {
		t.Fatalf("current is not signed by ci-2026: %+v", info)
	}
	ver, _ := stored(t, s, publisher.VersionKey(env, 1), trust)
	if !bytes.Equal(cur, ver) {
		t.Fatal("versions/1.json differs from ruleset.json")
	}
	if keys, _ := s.List(t.Context(), ""); len(keys) != 2 {
		t.Fatalf("objects %q: a signature must not be a sibling file", keys)
	}

	// Reading a signed store: Current, Toggle (re-signed), History, diff.
	doc, err := p.Current(t.Context(), env)
	if err != nil || doc.Version != 1 {
		t.Fatalf("Current: %v", err)
	}
	if _, err := p.Toggle(t.Context(), env, "flag-00001", false, "ana"); err != nil {
		t.Fatal(err)
	}
	_, info = stored(t, s, publisher.CurrentKey(env), trust)
	if !info.Verified {
		t.Fatal("toggle was not re-signed")
	}
	hist, err := p.History(t.Context(), env, 0)
	if err != nil || len(hist) != 2 || !hist[0].Current || hist[0].Source.Kind != ruleset.SourceEdit {
		t.Fatalf("History: %+v %v", hist, err)
	}
	v1, _ := p.Get(t.Context(), env, 1)
	v2, _ := p.Get(t.Context(), env, 2)
	if r := diff.Compare(v1, v2, t0); len(r.Flags) != 1 {
		t.Fatalf("diff: %+v", r)
	}
	if _, err := p.Rollback(t.Context(), env, 1, ruleset.Source{Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	_, info = stored(t, s, publisher.CurrentKey(env), trust)
	if !info.Verified {
		t.Fatal("rollback was not signed")
	}
}

func TestUnsignedPublisherOverSignedStore(t *testing.T) {
	k := signKey(t, "ci")
	signer, s := newPublisher(t, publisher.WithSigner(k))
	publish(t, signer, storetest.Document(env, 2, 1), publisher.PublishOptions{})

	plain := publisher.New(s, publisher.WithClock(func() time.Time { return t0 }))
	if _, err := plain.Current(t.Context(), env); err != nil {
		t.Fatalf("reading needs no key: %v", err)
	}
	_, err := plain.Toggle(t.Context(), env, "flag-00001", false, "ana")
	var ske *publisher.SigningKeyError
	if !errors.As(err, &ske) || !errors.Is(err, publisher.ErrSigningKeyRequired) || ske.KeyIDs[0] != "ci" {
		t.Fatalf("toggle without a key: %v", err)
	}
	if doc, _ := plain.Current(t.Context(), env); doc.Version != 1 {
		t.Fatal("the refused toggle published")
	}
	downgrade := publisher.New(s, publisher.WithUnsigned())
	if _, err := downgrade.Toggle(t.Context(), env, "flag-00001", false, "ana"); err != nil {
		t.Fatalf("explicit unsigned publish: %v", err)
	}
	obj, _ := s.Get(t.Context(), publisher.CurrentKey(env))
	if envelope.IsEnvelope(obj.Body) {
		t.Fatal("WithUnsigned still signed")
	}
}

// Signing (or a new key) takes effect on the next publish even when the
// flags did not change.
func TestUnchangedContentResignedWithNewKey(t *testing.T) {
	plain, s := newPublisher(t)
	publish(t, plain, storetest.Document(env, 2, 1), publisher.PublishOptions{})
	old := signKey(t, "old")
	r := publish(t, publisher.New(s, publisher.WithSigner(old)), storetest.Document(env, 2, 1), publisher.PublishOptions{})
	if r.Unchanged || r.Version != 2 {
		t.Fatalf("first signed publish: %+v", r)
	}
	r = publish(t, publisher.New(s, publisher.WithSigner(old)), storetest.Document(env, 2, 1), publisher.PublishOptions{})
	if !r.Unchanged {
		t.Fatal("same key, same content: published again")
	}
	cur := signKey(t, "new")
	r = publish(t, publisher.New(s, publisher.WithSigner(cur)), storetest.Document(env, 2, 1), publisher.PublishOptions{})
	if r.Unchanged || r.Version != 3 {
		t.Fatalf("rotated key: %+v", r)
	}
	_, info := stored(t, s, publisher.CurrentKey(env), envelope.Options{TrustedKeys: []envelope.PublicKey{cur.Public()}})
	if info.KeyID != "new" {
		t.Fatalf("signed by %q", info.KeyID)
	}
}

func TestEncryptedPublish(t *testing.T) {
	ek, err := envelope.GenerateEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	k := signKey(t, "ci")
	p, s := newPublisher(t, publisher.WithSigner(k), publisher.WithEncryptionKey(env, ek))
	publish(t, p, storetest.Document(env, 2, 1), publisher.PublishOptions{})
	obj, _ := s.Get(t.Context(), publisher.CurrentKey(env))
	payload, _, err := envelope.Open(obj.Body, []envelope.PublicKey{k.Public()})
	if err != nil || !envelope.IsEncrypted(payload) || bytes.Contains(obj.Body, []byte("flag-0000")) {
		t.Fatalf("not encrypted then signed: %v", err)
	}
	_, info := stored(t, s, publisher.CurrentKey(env), envelope.Options{TrustedKeys: []envelope.PublicKey{k.Public()}, DecryptionKey: &ek})
	if !info.Encrypted || info.Environment != env || info.Version != 1 {
		t.Fatalf("info %+v", info)
	}
	if _, err := p.Toggle(t.Context(), env, "flag-00001", false, "ana"); err != nil {
		t.Fatal(err)
	}

	noKey := publisher.New(s, publisher.WithSigner(k))
	if _, err := noKey.Current(t.Context(), env); !errors.Is(err, envelope.ErrEncrypted) {
		t.Fatalf("Current without the key: %v", err)
	}
	if _, err := noKey.Publish(t.Context(), storetest.Document(env, 2, 2), publisher.PublishOptions{}); !errors.Is(err, envelope.ErrEncrypted) {
		t.Fatalf("publish without the key must not replace the encrypted ruleset: %v", err)
	}
	other, _ := envelope.GenerateEncryptionKey()
	wrong := publisher.New(s, publisher.WithSigner(k), publisher.WithEncryptionKey(env, other))
	if _, err := wrong.Current(t.Context(), env); !errors.Is(err, envelope.ErrWrongKey) {
		t.Fatalf("Current with a wrong key: %v", err)
	}
}
