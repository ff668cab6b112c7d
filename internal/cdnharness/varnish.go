package cdnharness

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// VCL is the configuration Varnish runs with; see the comments in it.
// scripts/cdn.sh uses the same file.
//
//go:embed cdn.vcl
var VCL string

// EnvVarnishd names the environment variable that points the tests at a
// varnishd binary (scripts/cdn.sh env prints it).
const EnvVarnishd = "CAIRN_TEST_VARNISHD"

// VarnishConfig says how to start one varnishd.
type VarnishConfig struct {
	// Bin is the varnishd binary; varnishstat is looked up beside it and
	// on PATH.
	Bin string
	// Dir is a directory of the caller's for the working directory, the VCL
	// and the log; it must exist.
	Dir string
	// Backend is the host:port Varnish connects to for the origin (possibly
	// a Toxiproxy in front of it).
	Backend string
	// OriginHost is the Host header of backend requests; empty means
	// Backend. fake-gcs-server needs its public host here.
	OriginHost string
	// FetchTimeout bounds the first byte and each gap between bytes from
	// the origin; 0 means 2 s.
	FetchTimeout time.Duration
}

// Varnish is a running varnishd in the foreground, child of this process.
type Varnish struct {
	cmd  *exec.Cmd
	done chan error
	dir  string
	addr string
	stat string
}

// RenderVCL fills VCL's placeholders.
func RenderVCL(backend, originHost string, fetchTimeout time.Duration) (string, error) {
	host, port, err := net.SplitHostPort(backend)
	if err != nil {
		return "", fmt.Errorf("backend %q: %w", backend, err)
	}
	if originHost == "" {
		originHost = backend
	}
	if fetchTimeout <= 0 {
		fetchTimeout = 2 * time.Second
	}
	r := strings.NewReplacer(
		"@@BACKEND_HOST@@", host, "@@BACKEND_PORT@@", port, "@@ORIGIN_HOST@@", originHost,
		"@@FETCH_TIMEOUT@@", strconv.FormatFloat(fetchTimeout.Seconds(), 'f', 3, 64)+"s")
	return r.Replace(VCL), nil
}

// StartVarnish starts varnishd on a free port of 127.0.0.1 and waits until
// it answers. Close stops it.
func StartVarnish(ctx context.Context, cfg VarnishConfig) (*Varnish, error) {
	vcl, err := RenderVCL(cfg.Backend, cfg.OriginHost, cfg.FetchTimeout)
	if err != nil {
		return nil, err
	}
	vclPath := filepath.Join(cfg.Dir, "cdn.vcl")
	if err := os.WriteFile(vclPath, []byte(vcl), 0o644); err != nil {
		return nil, fmt.Errorf("write vcl: %w", err)
	}
	port, err := freePort(ctx)
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(cfg.Dir, "varnishd.log"))
	if err != nil {
		return nil, fmt.Errorf("varnishd log: %w", err)
	}
	defer logf.Close()
	work := filepath.Join(cfg.Dir, "varnish")
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// -F keeps it our child, so it dies with Close and never outlives a
	// test; -j none because the harness's directories belong to the caller.
	// thread_pool_min and a short timeout_idle so that a thousand polling
	// clients neither queue nor pin threads.
	cmd := exec.Command(cfg.Bin, "-F", "-j", "none", "-a", addr, "-T", "none", "-n", work,
		"-f", vclPath, "-s", "malloc,64m", "-p", "thread_pool_min=50", "-p", "timeout_idle=10")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start varnishd: %w", err)
	}
	v := &Varnish{cmd: cmd, done: make(chan error, 1), dir: work, addr: addr, stat: varnishstat(cfg.Bin)}
	go func() { v.done <- cmd.Wait() }()
	if err := v.waitReady(ctx); err != nil {
		_ = v.Close()
		log, _ := os.ReadFile(filepath.Join(cfg.Dir, "varnishd.log"))
		return nil, fmt.Errorf("varnishd: %w; log:\n%s", err, log)
	}
	return v, nil
}

func (v *Varnish) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodHead, v.URL()+"/", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case err := <-v.done:
			v.done <- err
			return fmt.Errorf("exited: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("not answering on %s: %w", v.addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// URL is the cache's base URL, such as http://127.0.0.1:41234.
func (v *Varnish) URL() string { return "http://" + v.addr }

// Addr is the host:port Varnish listens on.
func (v *Varnish) Addr() string { return v.addr }

// Close stops varnishd (TERM, then KILL after 5 s) and waits for it.
func (v *Varnish) Close() error {
	_ = v.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-v.done:
		return nil
	case <-time.After(5 * time.Second):
	}
	_ = v.cmd.Process.Kill()
	<-v.done
	return errors.New("varnishd ignored SIGTERM for 5 s; killed")
}

// Stats are Varnish's counters that say what the origin saw.
type Stats struct {
	// BackendReq is the number of requests sent to the origin, conditional
	// revalidations included; CacheHit, CacheMiss and ClientReq count the
	// clients' side. BackendFail counts failed connections to the origin.
	BackendReq, BackendFail, CacheHit, CacheMiss, CacheHitGrace, ClientReq int64
}

// Stats reads the counters with varnishstat.
func (v *Varnish) Stats(ctx context.Context) (Stats, error) {
	out, err := exec.CommandContext(ctx, v.stat, "-n", v.dir, "-1",
		"-f", "MAIN.backend_req", "-f", "MAIN.backend_fail", "-f", "MAIN.cache_hit",
		"-f", "MAIN.cache_miss", "-f", "MAIN.cache_hit_grace", "-f", "MAIN.client_req").Output()
	if err != nil {
		return Stats{}, fmt.Errorf("varnishstat: %w", err)
	}
	var s Stats
	fields := map[string]*int64{
		"MAIN.backend_req": &s.BackendReq, "MAIN.backend_fail": &s.BackendFail, "MAIN.cache_hit": &s.CacheHit,
		"MAIN.cache_miss": &s.CacheMiss, "MAIN.cache_hit_grace": &s.CacheHitGrace, "MAIN.client_req": &s.ClientReq,
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		if p, ok := fields[f[0]]; ok {
			if *p, err = strconv.ParseInt(f[1], 10, 64); err != nil {
				return Stats{}, fmt.Errorf("varnishstat %s: %w", f[0], err)
			}
		}
	}
	return s, nil
}

// Sub returns the counters' growth since before.
func (s Stats) Sub(before Stats) Stats {
	return Stats{
		BackendReq: s.BackendReq - before.BackendReq, BackendFail: s.BackendFail - before.BackendFail,
		CacheHit: s.CacheHit - before.CacheHit, CacheMiss: s.CacheMiss - before.CacheMiss,
		CacheHitGrace: s.CacheHitGrace - before.CacheHitGrace, ClientReq: s.ClientReq - before.ClientReq,
	}
}

func varnishstat(varnishd string) string {
	if p := filepath.Join(filepath.Dir(varnishd), "varnishstat"); fileExists(p) {
		return p
	}
	for _, p := range []string{"/usr/bin/varnishstat", "/usr/local/bin/varnishstat"} {
		if fileExists(p) {
			return p
		}
	}
	return "varnishstat"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// freePort asks the kernel for a free port on 127.0.0.1. Another process
// could take it before varnishd binds it; StartVarnish then fails loudly.
func freePort(ctx context.Context) (int, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
