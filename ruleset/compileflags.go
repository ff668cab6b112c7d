package ruleset

import (
	"fmt"
	"runtime"
	"sync"
)

// Flags compile independently of each other once segments have, so a large
// ruleset's flags compile in parts on several goroutines, each part a run
// of keys in order. Joined in order, the parts give exactly what compiling
// in one piece gives: the same flags, quarantines and problems, in the same
// order.

// parallelMinFlags is the fewest flags worth compiling in parts.
const parallelMinFlags = 2000

// compiledPart is what compiling a run of flags, in key order, gives.
type compiledPart struct {
	run         []keyedFlagRef
	flags       []*flag // parallel to run
	entries     []flagEntry
	quarantined []quarantinedFlag
	problems    Problems
}

type quarantinedFlag struct{ key, why string }

// compileFlags compiles every decoded flag, in workers parts (0: as many as
// is worth it), and returns the parts in key order.
func (l *loader) compileFlags(dec *decoded, workers int) []compiledPart {
	list := dec.flagList
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
		if len(list) < parallelMinFlags {
			workers = 1
		}
	}
	workers = max(1, min(workers, len(list)))
	parts := make([]compiledPart, workers)
	var wg sync.WaitGroup
	for w := range parts {
		run := list[w*len(list)/workers : (w+1)*len(list)/workers]
		compile := func() {
			sub := loader{segments: l.segments, unknownSegments: l.unknownSegments}
			sub.compileRun(dec, run, &parts[w])
			parts[w].problems = sub.problems
		}
		if w == len(parts)-1 {
			compile() // the last part on this goroutine
			continue
		}
		wg.Go(compile)
	}
	wg.Wait()
	return parts
}

// compileRun compiles the flags of run into out.
func (l *loader) compileRun(dec *decoded, run []keyedFlagRef, out *compiledPart) {
	p := newPrinter()
	out.run = run
	out.flags = make([]*flag, len(run))
	out.entries = make([]flagEntry, 0, len(run))
	for i, kf := range run {
		key := kf.key
		path := func() string { return "flags." + key }
		quarantine := func(e error) {
			out.flags[i] = &flag{key: key, quarantine: fmt.Errorf("flag %q: %w", key, e)}
			out.quarantined = append(out.quarantined, quarantinedFlag{key, e.Error()})
			out.entries = append(out.entries, flagEntry{key: key})
		}
		if err := dec.flagErrs[key]; err != nil {
			l.decodeError(path(), err, quarantine)
			continue
		}
		f := kf.flag
		cf, err := l.compileFlag(path, key, f)
		if err != nil {
			quarantine(err)
			continue
		}
		if cf != nil {
			out.flags[i] = cf
			out.entries = append(out.entries, flagEntry{key: key, print: p.flag(f), info: newFlagInfo(f)})
		}
	}
}
