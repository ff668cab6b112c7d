package ruleset

// slab hands out small slices from shared chunks: one allocation per chunk
// instead of one per slice. Decoding and compiling a 10,000-flag ruleset
// made a few hundred thousand small allocations, a large part of its time
// with the garbage collection they cause. Everything a slab hands out lives
// as long as the whole it belongs to (a decoding, a Ruleset), so sharing
// chunks keeps nothing alive for longer.
type slab[T any] struct {
	free  []T // the unused end of the current chunk
	chunk int // the size of the last chunk made
}

// make returns a zeroed slice of n elements whose capacity is n, so that
// an append copies rather than runs into its neighbour.
func (s *slab[T]) make(n int) []T {
	if n > len(s.free) {
		// Chunks grow so that a small ruleset doesn't pay for a large one.
		s.chunk = min(max(2*s.chunk, 16), 1024)
		s.free = make([]T, max(s.chunk, n))
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

// new returns a pointer to a zeroed element.
func (s *slab[T]) new() *T { return &s.make(1)[0] }
