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
	if f.bucketBy == "" && f.saltSlash != "" && len(c.key) <= len(c.keyBytes) {
		// The usual case: salt + "/" + key assembled from fixed-size
		// copies, which compile to register moves where appending calls
		// memmove twice. Zero padding copied past the end of either part
		// is overwritten or not hashed.
		var buf [16*saltChunks + len(c.keyBytes)]byte
		p := f.saltSlash
		for i := 0; i+16 <= len(p); i += 16 {
			copy(buf[i:i+16], p[i:i+16])
		}
		n := len(f.salt) + 1
		*(*[len(c.keyBytes)]byte)(buf[n:]) = c.keyBytes
		return int(murmur3.Sum32(buf[:n+len(c.key)]) % Buckets)
	}
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

// saltChunks is the longest salt + "/" kept padded for bucketOf; longer
// salts take the general path.
const saltChunks = 3

// paddedSaltSlash returns salt + "/" zero-padded to a whole number of
// 16-byte chunks, or "" when it is longer than saltChunks chunks.
func paddedSaltSlash(salt string) string {
	n := len(salt) + 1
	if n > 16*saltChunks {
		return ""
	}
	b := make([]byte, (n+15)/16*16)
	copy(b, salt)
	b[len(salt)] = '/'
	return string(b)
}

// bucketNumber buckets by a number's shortest decimal form, so 42 and "42"
// land in the same bucket in every SDK. Apart from bucketOf so the common
// path doesn't zero a second buffer.
func bucketNumber(salt string, n float64) int {
	var buf [128]byte
	var nb [32]byte
	return bucketBytes(buf[:0], salt, strconv.AppendFloat(nb[:0], n, 'f', -1, 64))
}
