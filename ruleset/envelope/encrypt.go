package envelope

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Algorithm names the one cipher Cairn encrypts with.
const Algorithm = "AES-256-GCM"

// Errors that Decrypt and Unpack return, possibly wrapped.
var (
	// ErrEncrypted: the ruleset is encrypted and no key was given.
	ErrEncrypted = errors.New("ruleset is encrypted and no decryption key is configured")
	// ErrWrongKey: the ruleset is encrypted with another key than the one
	// given.
	ErrWrongKey = errors.New("ruleset is encrypted with another key")
	// ErrDecrypt: the key is the right one but the ciphertext, or the
	// environment or version bound to it, was altered.
	ErrDecrypt = errors.New("encrypted ruleset does not decrypt: altered or corrupt")
)

// EncryptionKey is one environment's 32-byte AES-256 key. Its id is derived
// from the key and reveals nothing useful about it; it lets a reader tell
// "wrong key" from "tampered ciphertext".
type EncryptionKey struct {
	id  string
	key [32]byte
}

// NewEncryptionKey returns the key made of exactly 32 bytes.
func NewEncryptionKey(raw []byte) (EncryptionKey, error) {
	if len(raw) != 32 {
		return EncryptionKey{}, fmt.Errorf("encryption key: %d bytes, want 32", len(raw))
	}
	var k EncryptionKey
	copy(k.key[:], raw)
	sum := sha256.Sum256(append([]byte("cairn encryption key id\x00"), raw...))
	k.id = hex.EncodeToString(sum[:8])
	return k, nil
}

// GenerateEncryptionKey returns a new random key.
func GenerateEncryptionKey() (EncryptionKey, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return EncryptionKey{}, fmt.Errorf("generate encryption key: %w", err)
	}
	return NewEncryptionKey(raw)
}

// ParseEncryptionKey reads a key written as 64 hex digits or as standard
// base64 of 32 bytes; surrounding white space is ignored.
func ParseEncryptionKey(text []byte) (EncryptionKey, error) {
	s := string(bytes.TrimSpace(text))
	if raw, err := hex.DecodeString(s); err == nil && len(raw) == 32 {
		return NewEncryptionKey(raw)
	}
	if raw, err := base64.StdEncoding.DecodeString(s); err == nil && len(raw) == 32 {
		return NewEncryptionKey(raw)
	}
	return EncryptionKey{}, errors.New("encryption key: want 64 hex digits or the base64 of 32 bytes")
}

// ID returns the key's id.
func (k EncryptionKey) ID() string { return k.id }

// MarshalText returns the key as 64 hex digits, the form ParseEncryptionKey
// reads. Keep it secret.
func (k EncryptionKey) MarshalText() ([]byte, error) {
	if k.id == "" {
		return nil, errors.New("encryption key: zero key")
	}
	return []byte(hex.EncodeToString(k.key[:])), nil
}

// Sealed is an encrypted ruleset as it is on the wire. Environment and
// Version are in clear, so that a reader can route and order it without
// the key, and are bound to the ciphertext: changing them makes decryption
// fail.
type Sealed struct {
	// Encryption is always Algorithm; it comes first so that IsEncrypted
	// can recognise the object from its first bytes.
	Encryption  string `json:"encryption"`
	KeyID       string `json:"key_id"`
	Environment string `json:"environment"`
	Version     int64  `json:"version"`
	Nonce       string `json:"nonce"`
	Ciphertext  string `json:"ciphertext"`
}

// IsEncrypted reports whether data is meant as an encrypted ruleset: a JSON
// object whose first member is "encryption". Like IsEnvelope it looks at the
// first bytes only.
func IsEncrypted(data []byte) bool { return firstKey(data) == "encryption" }

// Encrypt seals plaintext, the ruleset of env at version, with key under a
// fresh random nonce, and returns the Sealed object's JSON with a final
// newline.
func Encrypt(key EncryptionKey, env string, version int64, plaintext []byte) ([]byte, error) {
	aead, err := key.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	ct := aead.Seal(nil, nonce, plaintext, additionalData(env, version))
	out, err := json.Marshal(Sealed{
		Encryption: Algorithm, KeyID: key.id, Environment: env, Version: version,
		Nonce: base64.StdEncoding.EncodeToString(nonce), Ciphertext: base64.StdEncoding.EncodeToString(ct),
	})
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return append(out, '\n'), nil
}

// ReadSealed parses an encrypted ruleset's clear header without decrypting.
func ReadSealed(data []byte) (*Sealed, error) {
	if !IsEncrypted(data) {
		return nil, errors.New("not an encrypted ruleset")
	}
	var s Sealed
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("encrypted ruleset: %w", err)
	}
	// As with envelopes, only the exact bytes Encrypt writes are read.
	if canon, err := json.Marshal(s); err != nil || !bytes.Equal(bytes.TrimSuffix(data, []byte("\n")), canon) {
		return nil, errors.New("encrypted ruleset: not in the canonical form Cairn writes")
	}
	if s.Encryption != Algorithm {
		return nil, fmt.Errorf("encrypted ruleset: algorithm %q, want %s", s.Encryption, Algorithm)
	}
	return &s, nil
}

// Decrypt opens an encrypted ruleset with key and returns the plaintext and
// the clear header. A key with another id is ErrWrongKey; a ciphertext,
// nonce, environment or version that was altered is ErrDecrypt. The caller
// must still check that the plaintext's own environment and version are the
// header's (Unpack's callers do).
func Decrypt(key EncryptionKey, data []byte) ([]byte, *Sealed, error) {
	s, err := ReadSealed(data)
	if err != nil {
		return nil, nil, err
	}
	if key.id == "" {
		return nil, nil, ErrEncrypted
	}
	if s.KeyID != key.id {
		return nil, nil, fmt.Errorf("%w: encrypted with key id %q, the configured key is %q", ErrWrongKey, s.KeyID, key.id)
	}
	aead, err := key.aead()
	if err != nil {
		return nil, nil, err
	}
	nonce, err1 := base64.StdEncoding.Strict().DecodeString(s.Nonce)
	ct, err2 := base64.StdEncoding.Strict().DecodeString(s.Ciphertext)
	if err1 != nil || err2 != nil || len(nonce) != aead.NonceSize() {
		return nil, nil, fmt.Errorf("%w: bad nonce or ciphertext encoding", ErrDecrypt)
	}
	pt, err := aead.Open(nil, nonce, ct, additionalData(s.Environment, s.Version))
	if err != nil {
		return nil, nil, fmt.Errorf("%w (%s version %d)", ErrDecrypt, s.Environment, s.Version)
	}
	return pt, s, nil
}

func (k EncryptionKey) aead() (cipher.AEAD, error) {
	if k.id == "" {
		return nil, errors.New("encryption key: zero key")
	}
	block, err := aes.NewCipher(k.key[:])
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	return cipher.NewGCM(block)
}

// additionalData binds a ciphertext to its environment and version, so that
// neither can be swapped in the clear header.
func additionalData(env string, version int64) []byte {
	b := []byte("cairn ruleset v1\x00")
	b = append(b, env...)
	b = append(b, 0)
	return strconv.AppendInt(b, version, 10)
}
