package cdnharness

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// WireCount is what the SDKs received for one status code.
type WireCount struct {
	Responses int64
	// HeaderBytes counts the status line and headers as HTTP/1.1 puts them
	// on the wire (as Go re-serialises them); BodyBytes the body as sent,
	// compressed when it was.
	HeaderBytes, BodyBytes int64
}

// Wire is an http.RoundTripper that counts responses and their bytes by
// status code, for the bytes-per-poll figures. Transport errors count
// under status 0.
type Wire struct {
	next http.RoundTripper

	mu     sync.Mutex
	counts map[int]*WireCount
}

// NewWire wraps next.
func NewWire(next http.RoundTripper) *Wire {
	return &Wire{next: next, counts: map[int]*WireCount{}}
}

// RoundTrip sends req with the wrapped transport and counts the answer.
func (w *Wire) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		w.add(0, 0)
		return nil, err
	}
	hdr := int64(len(resp.Proto) + len(resp.Status) + 4) // "HTTP/1.1 200 OK\r\n"
	cw := &countingWriter{}
	_ = resp.Header.Write(cw)
	hdr += cw.n + 2
	c := w.add(resp.StatusCode, hdr)
	resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.BodyBytes}
	return resp, nil
}

func (w *Wire) add(status int, hdr int64) *WireCount {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.counts[status]
	if c == nil {
		c = &WireCount{}
		w.counts[status] = c
	}
	c.Responses++
	c.HeaderBytes += hdr
	return c
}

// Counts returns a snapshot of the counts by status code.
func (w *Wire) Counts() map[int]WireCount {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[int]WireCount, len(w.counts))
	for k, c := range w.counts {
		out[k] = WireCount{Responses: c.Responses, HeaderBytes: c.HeaderBytes, BodyBytes: atomic.LoadInt64(&c.BodyBytes)}
	}
	return out
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

type countingBody struct {
	io.ReadCloser
	n *int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	atomic.AddInt64(b.n, int64(n))
	return n, err
}
