package sdk

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Exposure is one context being served one variation of a flag: what an
// experiment's analysis joins with its outcomes.
type Exposure struct {
	Flag string
	// Key is the context's targeting key.
	Key       string
	Variation string
	Reason    Reason
	// RuleIndex is the matching rule for ReasonTargetMatch, else -1.
	RuleIndex   int
	Environment string
	Version     int64
	Time        time.Time
}

// exposureQueue bounds the exposures waiting for the logger.
const exposureQueue = 1024

type exposureKey struct{ flag, key, variation string }

// exposureLog deduplicates exposures and hands new ones to the logger on a
// goroutine of its own. The dedup cache is two generations of a map: a hit
// in the older one is promoted, and when the newer fills up the older is
// dropped. That approximates LRU with no per-entry bookkeeping.
type exposureLog struct {
	fn      func(Exposure)
	queue   chan Exposure
	dropped atomic.Int64

	mu   sync.Mutex
	cur  map[exposureKey]struct{}
	prev map[exposureKey]struct{}
	half int
}

func newExposureLog(fn func(Exposure), size int) *exposureLog {
	half := size / 2
	return &exposureLog{
		fn:    fn,
		queue: make(chan Exposure, exposureQueue),
		cur:   make(map[exposureKey]struct{}, half),
		half:  half,
	}
}

// seen reports whether k was logged recently, and remembers it.
func (l *exposureLog) seen(k exposureKey) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cur[k]; ok {
		return true
	}
	_, ok := l.prev[k]
	if len(l.cur) >= l.half {
		l.prev, l.cur = l.cur, make(map[exposureKey]struct{}, l.half)
	}
	l.cur[k] = struct{}{}
	return ok
}

// record queues e unless it was seen recently; it never blocks.
func (l *exposureLog) record(e Exposure) {
	if l.seen(exposureKey{e.Flag, e.Key, e.Variation}) {
		return
	}
	select {
	case l.queue <- e:
	default:
		l.dropped.Add(1)
	}
}

// run calls the logger until ctx is done, then flushes what is queued.
func (l *exposureLog) run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case e := <-l.queue:
			l.fn(e)
		case <-ctx.Done():
			for {
				select {
				case e := <-l.queue:
					l.fn(e)
				default:
					return
				}
			}
		}
	}
}
