package ruleset

import "math/bits"

// flagTable is an immutable open-addressing hash table from flag key to
// compiled flag. Flag lookup is the one cost every evaluation pays; this
// table does it in about half the instructions of a Go map (one hash, one
// probe on average, one key comparison) and costs the same at 10 or 10,000
// flags.
type flagTable struct {
	mask  uint64
	slots []flagSlot
}

type flagSlot struct {
	key  string
	flag *flag
}

func newFlagTable(flags map[string]*flag) flagTable {
	size := uint64(8)
	// A load factor of at most one half keeps probe chains short.
	for size < uint64(2*len(flags)) {
		size <<= 1
	}
	t := flagTable{mask: size - 1, slots: make([]flagSlot, size)}
	for key, f := range flags {
		i := keyHash(key) & t.mask
		for t.slots[i].flag != nil {
			i = (i + 1) & t.mask
		}
		t.slots[i] = flagSlot{key: key, flag: f}
	}
	return t
}

// get finds a flag. It is the one cost every evaluation pays, so callers
// on the hot path (Evaluate, find) write it out to reach getWords, which
// calls nothing and so needs no stack frame, for the usual key length.
func (t *flagTable) get(key string) *flag {
	if wordKey(key) && len(t.slots) != 0 {
		return t.getWords(key)
	}
	return t.getAny(key)
}

// wordKey reports whether getWords can look key up: 8 to 16 bytes.
func wordKey(key string) bool { return uint(len(key)-8) <= 8 }

// getWords is get for a key of 8 to 16 bytes in a non-empty table: the two
// words that hash the key also compare it, where == would call memequal.
func (t *flagTable) getWords(key string) *flag {
	n := len(key)
	w0, w1 := le64(key), le64(key[n-8:])
	i := hashWords(n, w0, w1) & t.mask
	for {
		s := &t.slots[i]
		if s.flag == nil {
			return nil
		}
		// s.key[len(s.key)-8:] rather than [n-8:]: the compiler knows
		// that it is eight bytes long, so it needs no pointer masking.
		if len(s.key) == n && le64(s.key) == w0 && le64(s.key[len(s.key)-8:]) == w1 {
			return s.flag
		}
		i = (i + 1) & t.mask
	}
}

// getAny is get for any key length.
func (t *flagTable) getAny(key string) *flag {
	if len(t.slots) == 0 {
		return nil
	}
	i := keyHash(key) & t.mask
	for {
		s := &t.slots[i]
		if s.flag == nil {
			return nil
		}
		if s.key == key {
			return s.flag
		}
		i = (i + 1) & t.mask
	}
}

// keyHash mixes a key into a slot hash. Keys of 8 to 16 bytes, the usual
// length, are two overlapping words (the first and last eight bytes) and
// their length; others go eight bytes at a time. Both end in finish so
// that the low bits used as the slot index depend on every byte. It needs
// no seed: flag keys come from the team's own ruleset, so it need not
// resist chosen collisions, which only lengthen a probe chain.
func keyHash(key string) uint64 {
	n := len(key)
	if n >= 8 && n <= 16 {
		return hashWords(n, le64(key), le64(key[n-8:]))
	}
	const m1, m2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
	h := uint64(n) * m1
	s := key
	for len(s) >= 8 {
		h ^= le64(s) * m2
		h = bits.RotateLeft64(h, 31) * m1
		s = s[8:]
	}
	if len(s) > 0 {
		var tail uint64
		if n >= 8 {
			// Re-read the last eight bytes (overlapping) rather than loop.
			tail = le64(key[n-8:])
		} else {
			for i := 0; i < len(s); i++ {
				tail |= uint64(s[i]) << (8 * i)
			}
		}
		h ^= tail * m2
		h = bits.RotateLeft64(h, 31) * m1
	}
	return finish(h)
}

// hashWords is keyHash of an 8- to 16-byte key of length n whose first and
// last eight bytes are w0 and w1.
func hashWords(n int, w0, w1 uint64) uint64 {
	const m1, m2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
	return finish(w0*m1 ^ bits.RotateLeft64(w1*m2, 29) ^ uint64(n))
}

// finish makes the low bits of a hash, the slot index, depend on all of its
// bits: it folds the high half into the low one and keeps the middle of a
// multiplication, whose bits each depend on every lower bit of its input.
// It is half the instructions of MurmurHash3's 64-bit finalizer, and
// spreads flag keys as well (TestFlagTableSpreadsShortKeys). Its 32 bits
// index tables of up to 2^32 slots.
func finish(h uint64) uint64 {
	h ^= h >> 32
	return h * 0xFF51AFD7ED558CCD >> 32
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
