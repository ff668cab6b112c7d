package sdk

import "sync"

// expiryWarnings remembers which expired flags have been warned about, so
// each is logged once per client rather than on every evaluation.
type expiryWarnings struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

// warnExpired logs, once per flag, that an evaluated flag is past its
// expiry date: it still works, but someone should remove it.
func (c *Client) warnExpired(snap *snapshot, flag string) {
	w := &c.expired
	w.mu.Lock()
	if _, ok := w.seen[flag]; ok {
		w.mu.Unlock()
		return
	}
	if w.seen == nil {
		w.seen = map[string]struct{}{}
	}
	w.seen[flag] = struct{}{}
	w.mu.Unlock()
	m, _ := snap.rs.FlagMeta(flag)
	c.log.Warn("cairn flag has expired; remove it from the code and the flag files",
		"flag", flag, "expires", m.Expires, "owner", m.Owner, "environment", snap.rs.Environment())
}
