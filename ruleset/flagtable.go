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

func (t *flagTable) get(key string) *flag {
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

// keyHash mixes a key eight bytes at a time (multiply, rotate, multiply),
// then avalanches with MurmurHash3's 64-bit finalizer so that the low bits
// used as the slot index depend on every byte. It needs no seed and costs a
// fraction of hash/maphash's call overhead for the short keys flags have.
// Flag keys come from the team's own ruleset, so it need not resist chosen
// collisions: a collision only lengthens a probe chain.
func keyHash(key string) uint64 {
	const m1, m2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
	h := uint64(len(key)) * m1
	s := key
	for len(s) >= 8 {
		h ^= le64(s) * m2
		h = bits.RotateLeft64(h, 31) * m1
		s = s[8:]
	}
	if len(s) > 0 {
		var tail uint64
		if len(key) >= 8 {
			// Re-read the last eight bytes (overlapping) rather than loop.
			tail = le64(key[len(key)-8:])
		} else {
			for i := 0; i < len(s); i++ {
				tail |= uint64(s[i]) << (8 * i)
			}
		}
		h ^= tail * m2
		h = bits.RotateLeft64(h, 31) * m1
	}
	h ^= h >> 33
	h *= 0xFF51AFD7ED558CCD
	h ^= h >> 33
	h *= 0xC4CEB9FE1A85EC53
	return h ^ h>>33
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
