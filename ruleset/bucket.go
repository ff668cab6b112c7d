package ruleset

import (
	"encoding/binary"
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
	// memmove twice. The key's copy overwrites the salt's zero padding;
	// its own is not hashed.
	p := f.saltPad
	n, block := int(p.n), int(p.block)
	var buf [2 * saltPadLen]byte
	*(*[saltPadLen]byte)(buf[:saltPadLen]) = p.b
	*(*[saltPadLen]byte)(buf[n : n+saltPadLen]) = c.keyBytes
	// MurmurHash3 reads four bytes at a time. Unless len(salt) + 1 is a
	// multiple of four, one read takes the end of the salt from one copy
	// and the start of the key from the other, and a load from two stores
	// can't be forwarded from them: the CPU waits until both reach the
	// cache, about 10 ns of a 60 ns evaluation on the benchmark machine.
	// Storing that block again, whole, lets it be forwarded. (The shift
	// count is masked so that the compiler needn't handle counts of 32 or
	// more.)
	head := binary.LittleEndian.Uint32(c.keyBytes[:4])
	binary.LittleEndian.PutUint32(buf[block:block+4], p.tail|head<<(p.tailBits&31))
	return int(murmur3.Sum32(buf[:n+k]) % Buckets)
}

// saltPadLen is the longest salt + "/" that a flag keeps padded for
// bucketOf; it is the size of a context's padded key.
const saltPadLen = len(Context{}.keyBytes)

// paddedSalt is what bucketOf needs of a salt. It is a struct, not an
// array behind a pointer, so that copying b reads a field: copying out of
// a dereferenced array is compiled to a memmove call in case the two
// arrays partly overlap.
type paddedSalt struct {
	b [saltPadLen]byte // salt + "/", then zeros
	// The four-byte hash block that holds the end of salt + "/" and the
	// start of the key: the salt bytes in it (little-endian, zeros above
	// them), its offset and how many bits the salt bytes take.
	tail     uint32
	block    uint8
	tailBits uint8
	n        uint8 // len(salt) + 1
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

// padSalt returns what bucketOf needs of salt, or nil when salt + "/" is
// longer than saltPadLen.
func padSalt(salt string) *paddedSalt {
	n := len(salt) + 1
	if n > saltPadLen {
		return nil
	}
	block := n &^ 3
	p := paddedSalt{n: uint8(n), block: uint8(block), tailBits: uint8(8 * (n - block))}
	copy(p.b[:], salt)
	p.b[n-1] = '/'
	if block < n {
		// At most three salt bytes, then the padding's zeros.
		p.tail = binary.LittleEndian.Uint32(p.b[block:])
	}
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
