package adminapi

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Token is one bearer token the API accepts. Only the SHA-256 of the
// secret is kept, so a memory dump or a log of the Tokens value does not
// reveal it.
type Token struct {
	// Name identifies the holder in the audit trail.
	Name string
	// digest is SHA-256 of the secret.
	digest [32]byte
	// Write lists the environments the token may change; "*" is every one.
	// Every token may read every environment.
	Write []string
}

// CanWrite reports whether the token may change env.
func (t *Token) CanWrite(env string) bool {
	return slices.Contains(t.Write, "*") || slices.Contains(t.Write, env)
}

// Tokens is the set of accepted tokens. It never changes once parsed.
type Tokens struct{ list []Token }

// ParseTokens reads one token per line (blank lines and lines starting
// with # are skipped):
//
//	NAME:SECRET:read
//	NAME:SECRET:write=production,staging
//	NAME:SECRET:write=*
//	NAME:sha256=HEX:read        the secret given as its SHA-256, in hex
//
// Names must be unique; secrets must be at least 16 characters, so that a
// guessable word can't be a token.
func ParseTokens(data []byte) (*Tokens, error) {
	ts := &Tokens{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		t, err := parseToken(line)
		if err != nil {
			return nil, fmt.Errorf("tokens line %d: %w", n, err)
		}
		for _, o := range ts.list {
			if o.Name == t.Name {
				return nil, fmt.Errorf("tokens line %d: name %q given twice", n, t.Name)
			}
		}
		ts.list = append(ts.list, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	if len(ts.list) == 0 {
		return nil, fmt.Errorf("tokens: none given")
	}
	return ts, nil
}

func parseToken(line string) (Token, error) {
	parts := strings.Split(line, ":")
	if len(parts) != 3 || parts[0] == "" {
		// Never echo the line: it holds a secret.
		return Token{}, fmt.Errorf("want NAME:SECRET:read or NAME:SECRET:write=ENV[,ENV…]")
	}
	t := Token{Name: parts[0]}
	if strings.ContainsAny(t.Name, " \t\"") {
		return Token{}, fmt.Errorf("token name %q: no spaces or quotes", t.Name)
	}
	if hexDigest, ok := strings.CutPrefix(parts[1], "sha256="); ok {
		b, err := hex.DecodeString(hexDigest)
		if err != nil || len(b) != sha256.Size {
			return Token{}, fmt.Errorf("token %s: sha256= wants 64 hex digits", t.Name)
		}
		copy(t.digest[:], b)
	} else {
		if len(parts[1]) < 16 {
			return Token{}, fmt.Errorf("token %s: secret shorter than 16 characters", t.Name)
		}
		t.digest = sha256.Sum256([]byte(parts[1]))
	}
	switch scope := parts[2]; {
	case scope == "read":
	case strings.HasPrefix(scope, "write="):
		for env := range strings.SplitSeq(strings.TrimPrefix(scope, "write="), ",") {
			if env = strings.TrimSpace(env); env == "" {
				return Token{}, fmt.Errorf("token %s: empty environment in %q", t.Name, scope)
			}
			t.Write = append(t.Write, env)
		}
	default:
		return Token{}, fmt.Errorf("token %s: scope %q: want read or write=ENV[,ENV…]", t.Name, scope)
	}
	return t, nil
}

// Names lists the token names, for logging at start-up.
func (ts *Tokens) Names() []string {
	out := make([]string, len(ts.list))
	for i, t := range ts.list {
		out[i] = t.Name
	}
	return out
}

// lookup returns the token whose secret is secret, or nil. It compares
// digests in constant time and always looks at every token, so neither
// the secret nor its position in the file shows in the timing.
func (ts *Tokens) lookup(secret string) *Token {
	d := sha256.Sum256([]byte(secret))
	var found *Token
	for i := range ts.list {
		if subtle.ConstantTimeCompare(d[:], ts.list[i].digest[:]) == 1 {
			found = &ts.list[i]
		}
	}
	return found
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}
