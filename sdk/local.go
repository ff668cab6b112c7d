package sdk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// cachePath is the disk cache file, or "" without one. A cache directory
// holds one file per primary URL, so clients of different environments can
// share it.
func cachePath(cfg *config, urls []string) string {
	switch {
	case cfg.cacheFile != "":
		return cfg.cacheFile
	case cfg.cacheDir == "":
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(urls, "\n")))
	return filepath.Join(cfg.cacheDir, "cairn-ruleset-"+hex.EncodeToString(sum[:8])+".json")
}

// loadLocal installs the newest valid ruleset among the bootstrap and the
// disk cache, so a cold start during an outage serves real flags. Problems
// are logged and reported by Status; they never stop New.
func (c *Client) loadLocal() {
	type candidate struct {
		origin string
		data   []byte
	}
	var cands []candidate
	var errs []error
	if c.cfg.bootstrap != nil {
		cands = append(cands, candidate{"bootstrap", c.cfg.bootstrap})
	}
	if p := c.cfg.bootstrapFile; p != "" {
		data, err := readLocal(p, c.cfg.maxSize)
		if err != nil {
			errs = append(errs, fmt.Errorf("bootstrap: %w", err))
		} else {
			cands = append(cands, candidate{"bootstrap " + p, data})
		}
	}
	if p := c.cachePath; p != "" {
		data, err := readLocal(p, c.cfg.maxSize)
		switch {
		case errors.Is(err, fs.ErrNotExist): // first run
		case err != nil:
			errs = append(errs, fmt.Errorf("disk cache: %w", err))
		default:
			cands = append(cands, candidate{"cache " + p, data})
		}
	}
	var best *snapshot
	var bestData []byte
	for _, cand := range cands {
		rs, err := c.verify(cand.data, cand.origin, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", cand.origin, err))
			continue
		}
		if best == nil || rs.Version() > best.rs.Version() {
			best = &snapshot{rs: rs, sum: sha256.Sum256(cand.data), origin: cand.origin}
			bestData = cand.data
		}
	}
	if best != nil {
		c.install(best, bestData, false)
	}
	c.mu.Lock()
	if err := errors.Join(errs...); err != nil {
		c.st.lastErr = err
		c.st.lastErrAt = c.now()
		c.log.Warn("cairn local ruleset not used", "err", err)
	}
	c.updateStateLocked()
	c.mu.Unlock()
}

func readLocal(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := readLimited(f, max)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return maybeGunzip(data, max)
}

// writeFileAtomic replaces path with data so that a reader (the next start)
// sees the old file or the new one, never a torn write: temp file in the
// same directory, fsync, rename, fsync the directory.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".cairn-cache-*")
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	// The rename is durable only once the directory is synced; failing to
	// sync it leaves a good file that may not survive a power cut, which
	// is not worth failing over.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
