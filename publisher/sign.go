package publisher

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cairnflags/cairn/ruleset/envelope"
)

// WithSigner signs every ruleset the publisher writes (publishes, edits,
// rollbacks) in a DSSE envelope with each of keys; two keys make two
// signatures, which lets a key rotation overlap. The signed object stays at
// the same keys, <env>/ruleset.json and <env>/versions/<N>.json.
func WithSigner(keys ...envelope.PrivateKey) Option {
	return func(p *Publisher) { p.signers = append(p.signers, keys...) }
}

// WithEncryptionKey encrypts env's rulesets with key (AES-256-GCM) before
// they are signed, and decrypts them when reading. An empty env gives the
// key of every environment that has none of its own, for a program that
// handles one environment at a time. Without the key, an encrypted
// environment can be neither read nor published to.
func WithEncryptionKey(env string, key envelope.EncryptionKey) Option {
	return func(p *Publisher) {
		if p.encKeys == nil {
			p.encKeys = map[string]envelope.EncryptionKey{}
		}
		p.encKeys[env] = key
	}
}

// WithUnsigned lets a publisher that has no signing key publish over a
// signed ruleset, which removes the signature. Without it such a publish
// fails with *SigningKeyError: SDKs that require signatures would refuse
// the unsigned version and keep serving the old one, so an emergency
// toggle would silently do nothing.
func WithUnsigned() Option { return func(p *Publisher) { p.allowUnsigned = true } }

// ErrSigningKeyRequired matches *SigningKeyError.
var ErrSigningKeyRequired = errors.New("the published ruleset is signed and this publisher has no signing key")

// SigningKeyError stops a publish without a signing key over a signed
// ruleset (see WithUnsigned).
type SigningKeyError struct {
	Environment string
	// KeyIDs name the keys the current ruleset is signed with.
	KeyIDs []string
}

func (e *SigningKeyError) Error() string {
	return fmt.Sprintf("%s: the published ruleset is signed (key id %s) and this publisher has no signing key; SDKs that require signatures would ignore an unsigned version (give the signing key, or explicitly publish unsigned)",
		e.Environment, strings.Join(e.KeyIDs, ", "))
}

// Is makes the error match ErrSigningKeyRequired.
func (e *SigningKeyError) Is(target error) bool { return target == ErrSigningKeyRequired }

// unpack returns the ruleset JSON inside a stored object: decompressed,
// taken out of its envelope (not verified: the store is the publisher's
// own) and decrypted with env's key.
func (p *Publisher) unpack(env string, obj *Object) ([]byte, envelope.Info, error) {
	data, err := decodeBody(obj)
	if err != nil {
		return nil, envelope.Info{}, err
	}
	var opts envelope.Options
	if k, ok := p.encKey(env); ok {
		opts.DecryptionKey = &k
	}
	data, info, err := envelope.Unpack(data, opts)
	if err != nil {
		return nil, info, fmt.Errorf("open %s ruleset: %w", env, err)
	}
	return data, info, nil
}

// seal encrypts and signs a ruleset's canonical JSON as configured. It
// encrypts first, then signs the ciphertext: a reader checks the signature
// before decrypting anything (docs/security.md).
func (p *Publisher) seal(env string, version int64, data []byte) ([]byte, error) {
	payloadType := envelope.PayloadType
	if k, ok := p.encKey(env); ok {
		var err error
		if data, err = envelope.Encrypt(k, env, version, data); err != nil {
			return nil, err
		}
		payloadType = envelope.EncryptedPayloadType
	}
	if len(p.signers) == 0 {
		return data, nil
	}
	return envelope.Sign(payloadType, data, p.signers...)
}

// checkSigning refuses to replace a signed ruleset with an unsigned one
// unless told to (WithUnsigned).
func (p *Publisher) checkSigning(env string, cur *current) error {
	if cur == nil || !cur.wrap.Signed || len(p.signers) > 0 || p.allowUnsigned {
		return nil
	}
	return &SigningKeyError{Environment: env, KeyIDs: cur.wrap.KeyIDs}
}

// sameWrapping reports whether cur is signed and encrypted exactly as this
// publisher would write it now. When not, an otherwise unchanged publish
// still writes a version: that is how a new key, or signing at all, takes
// effect without a change to the flags.
func (p *Publisher) sameWrapping(env string, cur *current) bool {
	ids := make([]string, len(p.signers))
	for i, k := range p.signers {
		ids[i] = k.ID
	}
	k, enc := p.encKey(env)
	return slices.Equal(ids, cur.wrap.KeyIDs) && enc == cur.wrap.Encrypted &&
		(!enc || k.ID() == cur.wrap.EncryptionKeyID)
}

// encKey is env's encryption key, else the key for every environment.
func (p *Publisher) encKey(env string) (envelope.EncryptionKey, bool) {
	if k, ok := p.encKeys[env]; ok {
		return k, true
	}
	k, ok := p.encKeys[""]
	return k, ok
}
