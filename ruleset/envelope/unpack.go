package envelope

import "fmt"

// Options say how strictly Unpack reads.
type Options struct {
	// TrustedKeys, when not empty, require a valid signature by one of
	// them: an unsigned ruleset is ErrUnsigned, a bad or foreign signature
	// ErrSignature. When empty, a signed ruleset is unwrapped without
	// verification.
	TrustedKeys []PublicKey
	// DecryptionKey opens encrypted rulesets; nil makes one ErrEncrypted.
	DecryptionKey *EncryptionKey
}

// Info says what Unpack found around the ruleset.
type Info struct {
	// Signed is true for a DSSE envelope; Verified when a trusted key
	// checked its signature. KeyIDs are the ids its signatures name and
	// KeyID the one that verified it (empty when not verified).
	Signed   bool
	Verified bool
	KeyID    string
	KeyIDs   []string
	// Encrypted is true for an encrypted ruleset; Environment, Version and
	// EncryptionKeyID are then its clear header, which the caller compares
	// with the decrypted ruleset.
	Encrypted       bool
	EncryptionKeyID string
	Environment     string
	Version         int64
}

// Unpack returns the ruleset JSON inside data, which may be a plain
// ruleset, a signed one, an encrypted one, or a signed encrypted one, and
// what it found. The returned ruleset JSON has not been parsed: load it
// with ruleset.Load, then check the environment and version it claims
// against Info (when encrypted) and against what the reader expects.
//
// Signatures are checked before anything is decrypted, so bytes nobody
// trusted signed never reach the cipher.
func Unpack(data []byte, opts Options) ([]byte, Info, error) {
	var info Info
	payload := data
	if IsEnvelope(data) {
		info.Signed = true
		env, p, err := decode(data)
		if err != nil {
			return nil, info, err
		}
		payload = p
		for _, s := range env.Signatures {
			info.KeyIDs = append(info.KeyIDs, s.KeyID)
		}
		if len(opts.TrustedKeys) > 0 {
			if info.KeyID, err = verify(env, payload, opts.TrustedKeys); err != nil {
				return nil, info, err
			}
			info.Verified = true
		}
	} else if len(opts.TrustedKeys) > 0 {
		return nil, info, ErrUnsigned
	}
	if !IsEncrypted(payload) {
		return payload, info, nil
	}
	info.Encrypted = true
	s, err := ReadSealed(payload)
	if err != nil {
		return nil, info, err
	}
	info.Environment, info.Version, info.EncryptionKeyID = s.Environment, s.Version, s.KeyID
	if opts.DecryptionKey == nil {
		return nil, info, fmt.Errorf("%w (encrypted with key id %q)", ErrEncrypted, s.KeyID)
	}
	pt, _, err := Decrypt(*opts.DecryptionKey, payload)
	if err != nil {
		return nil, info, err
	}
	return pt, info, nil
}
