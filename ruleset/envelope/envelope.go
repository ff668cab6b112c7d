// Package envelope signs and encrypts published rulesets, and opens them.
//
// A signed ruleset is a DSSE envelope (github.com/secure-systems-lab/dsse)
// around the ruleset's canonical JSON: one object, published at the same key
// as an unsigned ruleset would be. The signature is Ed25519 over DSSE's
// pre-authentication encoding (PAE) of the payload type and the payload, and
// the payload is the ruleset itself, whose environment and version an SDK
// checks, so a signature can be neither moved to another environment nor
// used to roll an SDK back.
//
// An encrypted ruleset is a small JSON object holding the AES-256-GCM
// ciphertext of the ruleset, with the environment and version in clear and
// bound to the ciphertext as additional data. When a ruleset is both signed
// and encrypted, the ciphertext object is what is signed (encrypt, then
// sign): see docs/security.md for why.
//
// The package imports only the standard library, because every SDK user
// compiles it.
package envelope

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Payload types of the DSSE envelopes Cairn writes.
const (
	// PayloadType marks a payload that is a ruleset's JSON.
	PayloadType = "application/vnd.cairn.ruleset+json"
	// EncryptedPayloadType marks a payload that is an encrypted ruleset
	// (see Encrypt).
	EncryptedPayloadType = "application/vnd.cairn.ruleset.encrypted+json"
)

// Errors that Open and Unpack return, possibly wrapped.
var (
	// ErrNotEnvelope: the data is not a DSSE envelope.
	ErrNotEnvelope = errors.New("not a signed ruleset (DSSE envelope)")
	// ErrMalformed: the data looks like an envelope but does not decode
	// as one.
	ErrMalformed = errors.New("malformed envelope")
	// ErrUnsigned: signatures are required and the ruleset has none.
	ErrUnsigned = errors.New("ruleset is not signed")
	// ErrSignature: no signature verifies with a trusted key.
	ErrSignature = errors.New("no valid signature by a trusted key")
)

// Envelope is a DSSE envelope as it is on the wire.
type Envelope struct {
	Payload     string      `json:"payload"`
	PayloadType string      `json:"payloadType"`
	Signatures  []Signature `json:"signatures"`
}

// Signature is one signature of an Envelope: the signing key's id and the
// standard-base64 Ed25519 signature of PAE(payloadType, payload).
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// PAE is DSSE's pre-authentication encoding, the exact bytes that are
// signed: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. Lengths are
// ASCII decimal. Signing these rather than the payload alone binds the
// payload type and rules out ambiguities between the two.
func PAE(payloadType string, payload []byte) []byte {
	b := make([]byte, 0, 32+len(payloadType)+len(payload))
	b = append(b, "DSSEv1 "...)
	b = strconv.AppendInt(b, int64(len(payloadType)), 10)
	b = append(b, ' ')
	b = append(b, payloadType...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(payload)), 10)
	b = append(b, ' ')
	return append(b, payload...)
}

// Sign wraps payload in a DSSE envelope of payloadType signed by every key,
// and returns its JSON with a final newline. At least one key is required;
// signing with two keys at once is how a rotation can overlap.
func Sign(payloadType string, payload []byte, keys ...PrivateKey) ([]byte, error) {
	if len(keys) == 0 {
		return nil, errors.New("sign: no key")
	}
	pae := PAE(payloadType, payload)
	env := Envelope{
		Payload:     base64.StdEncoding.EncodeToString(payload),
		PayloadType: payloadType,
		Signatures:  make([]Signature, len(keys)),
	}
	for i, k := range keys {
		if len(k.Key) != ed25519.PrivateKeySize || CheckKeyID(k.ID) != nil {
			return nil, fmt.Errorf("sign: key %d: need an Ed25519 private key with a valid id", i)
		}
		env.Signatures[i] = Signature{KeyID: k.ID, Sig: base64.StdEncoding.EncodeToString(ed25519.Sign(k.Key, pae))}
	}
	out, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return append(out, '\n'), nil
}

// IsEnvelope reports whether data is meant as a DSSE envelope: a JSON
// object whose first member is payload, payloadType or signatures. A
// ruleset never starts so. It looks at the first bytes only, so it costs
// nothing on a large ruleset, and says nothing about validity: Open does.
func IsEnvelope(data []byte) bool {
	switch firstKey(data) {
	case "payload", "payloadType", "signatures":
		return true
	}
	return false
}

// Open verifies data, a DSSE envelope, against trusted and returns its
// payload and the id of the trusted key that verified it. It fails with
// ErrNotEnvelope, ErrMalformed, ErrUnsigned (no signature at all) or
// ErrSignature (none by a trusted key, or none valid). An empty trusted
// list verifies nothing: it is ErrSignature.
//
// A signature whose key id names a trusted key is checked with that key
// only; one without a key id is tried with every trusted key. Open also
// refuses payload types other than Cairn's, so that an envelope signed for
// some other purpose with the same key is not taken for a ruleset.
func Open(data []byte, trusted []PublicKey) (payload []byte, keyID string, err error) {
	env, payload, err := decode(data)
	if err != nil {
		return nil, "", err
	}
	if keyID, err = verify(env, payload, trusted); err != nil {
		return nil, "", err
	}
	return payload, keyID, nil
}

// verify checks env's signatures over payload, its decoded payload, and
// returns the id of the trusted key that verified one.
func verify(env *Envelope, payload []byte, trusted []PublicKey) (string, error) {
	if len(env.Signatures) == 0 {
		return "", ErrUnsigned
	}
	pae := PAE(env.PayloadType, payload)
	var seen []string
	for _, s := range env.Signatures {
		sig, err := base64.StdEncoding.Strict().DecodeString(s.Sig)
		if err != nil || len(sig) != ed25519.SignatureSize {
			continue
		}
		seen = append(seen, s.KeyID)
		for _, k := range trusted {
			if s.KeyID != "" && s.KeyID != k.ID {
				continue
			}
			if len(k.Key) == ed25519.PublicKeySize && ed25519.Verify(k.Key, pae, sig) {
				return k.ID, nil
			}
		}
	}
	return "", fmt.Errorf("%w (signed by key id(s) %q; trusted: %q)", ErrSignature, seen, ids(trusted))
}

// Unwrap returns the payload of a DSSE envelope and the key ids its
// signatures name, WITHOUT verifying anything. It is for readers that do not
// hold public keys (an SDK configured without any, a publisher reading its
// own store) and for showing what an envelope claims.
func Unwrap(data []byte) (payload []byte, keyIDs []string, err error) {
	env, payload, err := decode(data)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range env.Signatures {
		keyIDs = append(keyIDs, s.KeyID)
	}
	return payload, keyIDs, nil
}

// decode parses an envelope strictly and checks that its payload type and
// payload agree.
func decode(data []byte) (*Envelope, []byte, error) {
	if !IsEnvelope(data) {
		return nil, nil, ErrNotEnvelope
	}
	env, err := parseCanonical(data)
	if err != nil {
		return nil, nil, err
	}
	payload, err := base64.StdEncoding.Strict().DecodeString(env.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: payload is not base64", ErrMalformed)
	}
	switch env.PayloadType {
	case PayloadType:
		if IsEncrypted(payload) {
			return nil, nil, fmt.Errorf("%w: payload type %s holds an encrypted ruleset", ErrMalformed, PayloadType)
		}
	case EncryptedPayloadType:
		if !IsEncrypted(payload) {
			return nil, nil, fmt.Errorf("%w: payload type %s holds no encrypted ruleset", ErrMalformed, EncryptedPayloadType)
		}
	default:
		return nil, nil, fmt.Errorf("%w: payload type %q is not a Cairn ruleset", ErrMalformed, env.PayloadType)
	}
	return env, payload, nil
}

func ids(keys []PublicKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

// firstKey returns the name of the first member of the JSON object data
// starts with, or "" when data does not start with an object, the object
// is empty, or the name holds an escape (none of the names that matter do).
func firstKey(data []byte) string {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ""
	}
	i = skipSpace(data, i+1)
	if i >= len(data) || data[i] != '"' {
		return ""
	}
	end := bytes.IndexAny(data[i+1:], "\"\\")
	if end < 0 || data[i+1+end] != '"' {
		return ""
	}
	return string(data[i+1 : i+1+end])
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
