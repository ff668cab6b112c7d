package ruleset

import (
	"bytes"
	"runtime"
	"sync"
)

// A large flags object is decoded in parts on several goroutines: a
// 10,000-flag ruleset is about 9 MB, and decoding it was most of Load.
//
// Where one flag ends can't be known without reading everything before it,
// so the parts start at guesses: points where the bytes look like the start
// of a flag ("}," then a name, a colon and "{"). Each part is decoded from
// its guess until it reaches the next guess. A guess counts only if the
// part before it, itself counted, ends exactly there; a part that runs past
// a guess just goes on to the next one, and the part that began at the bad
// guess is thrown away. So a wrong guess costs time, never correctness: the
// parts kept are exactly the members a serial decoding reads.

// parallelMinBytes is the smallest flags object worth splitting; below it
// starting goroutines costs more than it saves.
const parallelMinBytes = 1 << 20

// flagParts decodes the members of the flags object, whose opening brace
// has been read, and leaves the scanner after its closing brace.
func (fd *fastDecoder) flagParts() ([]flagPart, error) {
	workers := fd.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
		if len(fd.data)-fd.pos < parallelMinBytes {
			workers = 1
		}
	}
	stops := fd.guessFlagStarts(min(workers, 16))
	if len(stops) == 0 {
		parts := make([]flagPart, 1)
		_, err := fd.flagMembers(&parts[0], nil)
		return parts, err
	}
	// Part 0 starts at the first member for certain; part k+1 at stops[k].
	type result struct {
		part   flagPart
		landed int // the part whose start this one ended at; -1: the object's end
		end    int // the scanner's position after the part
		err    error
	}
	results := make([]result, len(stops)+1)
	var wg sync.WaitGroup
	for k := 1; k <= len(stops); k++ {
		wg.Go(func() {
			sub := &fastDecoder{scanner: scanner{data: fd.data, pos: stops[k-1]}}
			r := &results[k]
			r.landed, r.err = sub.flagMembers(&r.part, stops[k:])
			if r.landed >= 0 {
				r.landed += k + 1
			}
			r.end = sub.pos
		})
	}
	r := &results[0]
	r.landed, r.err = fd.flagMembers(&r.part, stops)
	if r.landed >= 0 {
		r.landed++
	}
	r.end = fd.pos
	wg.Wait()
	// Follow the chain of parts that each began where the one before ended.
	var parts []flagPart
	for k := 0; ; {
		r := &results[k]
		if r.err != nil {
			return nil, r.err
		}
		parts = append(parts, r.part)
		if r.landed < 0 {
			fd.pos = r.end
			return parts, nil
		}
		k = r.landed
	}
}

// guessFlagStarts returns up to parts-1 offsets, ascending, where a member
// of the flags object seems to start, spread evenly over the rest of the
// input.
func (fd *fastDecoder) guessFlagStarts(parts int) []int {
	if parts < 2 {
		return nil
	}
	var stops []int
	from, span := fd.pos, len(fd.data)-fd.pos
	for k := 1; k < parts; k++ {
		at := flagStartAfter(fd.data, max(from, fd.pos+k*span/parts))
		if at < 0 {
			break
		}
		stops = append(stops, at)
		from = at + 1
	}
	return stops
}

// flagStartAfter finds, from offset i on, the first "}" "," name ":" "{"
// sequence (whitespace allowed between) and returns the offset of the
// name, or -1.
func flagStartAfter(data []byte, i int) int {
	for i < len(data) {
		j := bytes.Index(data[i:], []byte("},"))
		if j < 0 {
			return -1
		}
		i += j + 2
		s := scanner{data: data, pos: i}
		if s.peek() != '"' {
			continue
		}
		at := s.pos
		if _, err := s.str(); err != nil || s.peek() != ':' {
			continue
		}
		s.pos++
		if s.peek() == '{' {
			return at
		}
	}
	return -1
}
