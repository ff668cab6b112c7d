package sdk

import (
	"errors"
	"fmt"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

// ErrNotEncrypted: a decryption key is configured (WithDecryptionKey) and
// the ruleset is not encrypted. The client keeps the ruleset it has.
var ErrNotEncrypted = errors.New("ruleset is not encrypted but a decryption key is configured")

// trustConfig is what WithTrustedKeys and WithDecryptionKey set.
type trustConfig struct {
	keys    []envelope.PublicKey
	decrypt *envelope.EncryptionKey
}

// WithTrustedKeys makes the client accept only rulesets signed (DSSE,
// Ed25519) by one of keys: an unsigned ruleset, a signature by another key,
// or any altered byte is rejected, reported through Status and the logger,
// and the ruleset in memory stays. This holds for the bootstrap and the
// disk cache too, so a bootstrap file must be the signed one as published.
//
// Give the old and the new key during a rotation. The signed payload is the
// ruleset with its environment and version, which the client checks as for
// any ruleset: a signature can't be replayed onto another environment or
// roll the client back. Read key files with envelope.ParsePublicKeys.
//
// Without this option the client reads signed and unsigned rulesets alike,
// and takes signed ones out of their envelope without verifying them.
func WithTrustedKeys(keys ...envelope.PublicKey) Option {
	return func(c *config) error {
		if len(keys) == 0 {
			return errors.New("trusted keys: none given")
		}
		for _, k := range keys {
			if err := envelope.CheckKeyID(k.ID); err != nil {
				return fmt.Errorf("trusted key: %w", err)
			}
			if len(k.Key) != 32 {
				return fmt.Errorf("trusted key %s: not an Ed25519 public key", k.ID)
			}
		}
		c.trust.keys = append(c.trust.keys, keys...)
		return nil
	}
}

// WithDecryptionKey decrypts rulesets encrypted with key (AES-256-GCM, one
// key per environment). With it, an unencrypted ruleset is rejected
// (ErrNotEncrypted), and one encrypted with another key fails with an
// error matching envelope.ErrWrongKey. Read the key with
// envelope.ParseEncryptionKey.
func WithDecryptionKey(key envelope.EncryptionKey) Option {
	return func(c *config) error {
		if key.ID() == "" {
			return errors.New("decryption key: zero key")
		}
		c.trust.decrypt = &key
		return nil
	}
}

// load unpacks data (verifying and decrypting as configured) and loads the
// ruleset inside. An encrypted ruleset's clear environment and version
// must be those of its content: they are what the signature covers.
func (c *Client) load(origin string, data []byte) (*ruleset.Ruleset, error) {
	t := &c.cfg.trust
	if len(t.keys) == 0 && t.decrypt == nil && !envelope.IsEnvelope(data) && !envelope.IsEncrypted(data) {
		return ruleset.LoadNamed(origin, data)
	}
	payload, info, err := envelope.Unpack(data, envelope.Options{TrustedKeys: t.keys, DecryptionKey: t.decrypt})
	if err != nil {
		return nil, err
	}
	if t.decrypt != nil && !info.Encrypted {
		return nil, ErrNotEncrypted
	}
	rs, err := ruleset.LoadNamed(origin, payload)
	if err != nil {
		return nil, err
	}
	if info.Encrypted && (rs.Environment() != info.Environment || rs.Version() != info.Version) {
		return nil, fmt.Errorf("%w: encrypted as %s version %d but holds %s version %d",
			envelope.ErrDecrypt, info.Environment, info.Version, rs.Environment(), rs.Version())
	}
	return rs, nil
}
