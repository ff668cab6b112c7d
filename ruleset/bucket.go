package ruleset

import (
	"strconv"

	"github.com/twmb/murmur3"
)

// Bucket returns the bucket, in [0, Buckets), of value under salt: MurmurHash3
// x86_32 (seed 0) of salt + "/" + value, modulo Buckets. It is the portable
// definition every SDK implements; the test vectors pin it.
func Bucket(salt, value string) int {
	var buf [128]byte
	return bucketBytes(buf[:0], salt, value)
}

// bucketBytes hashes through a caller-provided buffer so that evaluation can
// keep it on the stack and not allocate for ordinary key lengths.
func bucketBytes[V ~string | ~[]byte](buf []byte, salt string, value V) int {
	buf = append(buf, salt...)
	buf = append(buf, '/')
	buf = append(buf, value...)
	return int(murmur3.Sum32(buf) % Buckets)
}

// bucketOf finds the bucket of the context for a flag: by the flag's
// BucketBy attribute when it is set and present as a string or number, by the
// targeting key otherwise.
func bucketOf(f *flag, c *Context) int {
	k := len(c.key)
	if f.saltPad == nil || f.bucketBy != "" || k > len(c.keyBytes) {
		return bucketAny(f, c)
	}
	// The usual case: salt + "/" + key assembled from two fixed-size
	// copies, which compile to register moves where appending calls
	// memmove twice. The padded salt and slash end where the padded key
	// begins; the zero padding on either side is not hashed.
	var buf [2 * saltPadLen]byte
	*(*[saltPadLen]byte)(buf[:saltPadLen]) = f.saltPad.b
	*(*[saltPadLen]byte)(buf[saltPadLen:]) = c.keyBytes
	return int(murmur3.Sum32(buf[f.saltPad.start:saltPadLen+k]) % Buckets)
}

// saltPadLen is the longest salt + "/" that a flag keeps padded for
// bucketOf; it is the size of a context's padded key.
const saltPadLen = len(Context{}.keyBytes)

// paddedSalt is salt + "/" right-aligned in zero bytes. It is a struct, not
// an array behind a pointer, so that copying it reads a field: copying out
// of a dereferenced array is compiled to a memmove call in case the two
// arrays partly overlap.
type paddedSalt struct {
	b     [saltPadLen]byte
	start int // where salt + "/" begins in b
}

// bucketAny is bucketOf for any flag and context.
func bucketAny(f *flag, c *Context) int {
	value := c.key
	if f.bucketBy != "" {
		if v, ok := c.lookup(f.bucketBy); ok {
			switch v.kind {
			case kindString:
				value = v.s
			case kindNumber:
				return bucketNumber(f.salt, v.n)
			}
		}
	}
	var buf [128]byte
	return bucketBytes(buf[:0], f.salt, value)
}

// padSalt returns salt + "/" padded for bucketOf, or nil when it is longer
// than saltPadLen.
func padSalt(salt string) *paddedSalt {
	n := len(salt) + 1
	if n > saltPadLen {
		return nil
	}
	p := paddedSalt{start: saltPadLen - n}
	copy(p.b[p.start:], salt)
	p.b[saltPadLen-1] = '/'
	return &p
}

// bucketNumber buckets by a number's shortest decimal form, so 42 and "42"
// land in the same bucket in every SDK. Apart from bucketOf so the common
// path doesn't zero a second buffer.
func bucketNumber(salt string, n float64) int {
	var buf [128]byte
	var nb [32]byte
	return bucketBytes(buf[:0], salt, strconv.AppendFloat(nb[:0], n, 'f', -1, 64))
}
