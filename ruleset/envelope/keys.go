package envelope

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
)

// PEM block types and the header that carries a key's id.
const (
	pemPrivate = "PRIVATE KEY"
	pemPublic  = "PUBLIC KEY"
	// KeyIDHeader is the PEM header naming a key's id. A key file without
	// it gets DefaultKeyID.
	KeyIDHeader = "Key-Id"
)

// PublicKey is an Ed25519 public key and the id signatures name it by.
type PublicKey struct {
	ID  string
	Key ed25519.PublicKey
}

// PrivateKey is an Ed25519 private key and the id its signatures carry.
type PrivateKey struct {
	ID  string
	Key ed25519.PrivateKey
}

// Public returns the public half of k, with the same id.
func (k PrivateKey) Public() PublicKey {
	pub, _ := k.Key.Public().(ed25519.PublicKey)
	return PublicKey{ID: k.ID, Key: pub}
}

// keyIDPattern keeps ids printable and short: they go into JSON, file names
// and log lines.
var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckKeyID reports whether id is a usable key id: 1 to 64 letters, digits,
// dots, dashes and underscores, starting with a letter or digit.
func CheckKeyID(id string) error {
	if !keyIDPattern.MatchString(id) {
		return fmt.Errorf("key id %q: want 1-64 of [A-Za-z0-9._-], starting with a letter or digit", id)
	}
	return nil
}

// DefaultKeyID is the id of a key that was given none: the first 8 bytes of
// the SHA-256 of the raw public key, in hex.
func DefaultKeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// GenerateKey makes a new Ed25519 key pair. An empty id means DefaultKeyID.
func GenerateKey(id string) (PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("generate key: %w", err)
	}
	if id == "" {
		id = DefaultKeyID(pub)
	}
	if err := CheckKeyID(id); err != nil {
		return PrivateKey{}, err
	}
	return PrivateKey{ID: id, Key: priv}, nil
}

// MarshalPrivateKey encodes k as a PKCS #8 "PRIVATE KEY" PEM block with its
// id in a Key-Id header. Write it to a file only its owner can read.
func MarshalPrivateKey(k PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Headers: map[string]string{KeyIDHeader: k.ID}, Bytes: der}), nil
}

// MarshalPublicKey encodes k as a PKIX "PUBLIC KEY" PEM block with its id in
// a Key-Id header.
func MarshalPublicKey(k PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Headers: map[string]string{KeyIDHeader: k.ID}, Bytes: der}), nil
}

// ParsePrivateKey reads the first PEM block of data, which must be an
// Ed25519 PKCS #8 private key.
func ParsePrivateKey(data []byte) (PrivateKey, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != pemPrivate {
		return PrivateKey{}, errors.New("private key: want a PEM \"PRIVATE KEY\" block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("private key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return PrivateKey{}, fmt.Errorf("private key: %T is not Ed25519", k)
	}
	pub, _ := priv.Public().(ed25519.PublicKey)
	id, err := blockID(b, pub)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("private key: %w", err)
	}
	return PrivateKey{ID: id, Key: priv}, nil
}

// ParsePublicKeys reads every PEM "PUBLIC KEY" block of data (a file may
// hold the old and the new key during a rotation). Each must be Ed25519;
// at least one is required, and ids must be unique.
func ParsePublicKeys(data []byte) ([]PublicKey, error) {
	var keys []PublicKey
	seen := map[string]bool{}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != pemPublic {
			return nil, fmt.Errorf("public key: unexpected PEM block %q", b.Type)
		}
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key: %T is not Ed25519", k)
		}
		id, err := blockID(b, pub)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		if seen[id] {
			return nil, fmt.Errorf("public key: id %q given twice", id)
		}
		seen[id] = true
		keys = append(keys, PublicKey{ID: id, Key: pub})
	}
	if len(keys) == 0 {
		return nil, errors.New("public key: want a PEM \"PUBLIC KEY\" block")
	}
	return keys, nil
}

func blockID(b *pem.Block, pub ed25519.PublicKey) (string, error) {
	id, ok := b.Headers[KeyIDHeader]
	if !ok {
		return DefaultKeyID(pub), nil
	}
	return id, CheckKeyID(id)
}
