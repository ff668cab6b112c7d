package ruleset

import (
	"strconv"

	"github.com/twmb/murmur3"
)

// Bucket returns the bucket, in [0, Buckets), of value under salt: MurmurHash3
// x86_32 (seed 0) of salt + "/" + value, modulo Buckets. It is the portable
// definition every SDK implements; the test vectors pin it.
func Bucket(salt, value string) int {
	var buf [192]byte
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
	var buf [192]byte
	if f.bucketBy != "" && c != nil {
		if v, ok := c.lookup(f.bucketBy); ok {
			switch v.kind {
			case kindString:
				return bucketBytes(buf[:0], f.salt, v.s)
			case kindNumber:
				// Numbers bucket by their shortest decimal form, so 42 and
				// "42" land in the same bucket in every SDK.
				var nb [32]byte
				return bucketBytes(buf[:0], f.salt, strconv.AppendFloat(nb[:0], v.n, 'f', -1, 64))
			}
		}
	}
	key := ""
	if c != nil {
		key = c.key
	}
	return bucketBytes(buf[:0], f.salt, key)
}
