package cdnharness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// EnvToxiproxy names the environment variable with Toxiproxy's API URL
// (scripts/realparts.sh start toxiproxy writes it).
const EnvToxiproxy = "CAIRN_TEST_TOXIPROXY_URL"

// Toxiproxy is a client of Toxiproxy's HTTP API.
type Toxiproxy struct {
	// URL is the API's base URL, such as http://127.0.0.1:8474.
	URL string
}

// Proxy is one TCP proxy in Toxiproxy.
type Proxy struct {
	tp   *Toxiproxy
	Name string
	// Listen is the host:port to connect to instead of the upstream.
	Listen string
}

// Toxic is a fault Toxiproxy applies to a proxy's connections; see
// Toxiproxy's README for the types (latency, timeout, reset_peer,
// bandwidth, limit_data, slicer) and their attributes.
type Toxic struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Stream     string         `json:"stream,omitempty"`
	Toxicity   float64        `json:"toxicity"`
	Attributes map[string]any `json:"attributes"`
}

// CreateProxy makes a proxy to upstream listening on a free port of
// 127.0.0.1.
func (t *Toxiproxy) CreateProxy(ctx context.Context, name, upstream string) (*Proxy, error) {
	var out struct {
		Listen string `json:"listen"`
	}
	in := map[string]any{"name": name, "listen": "127.0.0.1:0", "upstream": upstream, "enabled": true}
	if err := t.call(ctx, http.MethodPost, "/proxies", in, &out); err != nil {
		return nil, fmt.Errorf("create proxy %s: %w", name, err)
	}
	return &Proxy{tp: t, Name: name, Listen: out.Listen}, nil
}

// AddToxic adds a toxic; toxicity 0 is taken as 1 (always).
func (p *Proxy) AddToxic(ctx context.Context, x Toxic) error {
	if x.Toxicity == 0 {
		x.Toxicity = 1
	}
	if x.Stream == "" {
		x.Stream = "downstream"
	}
	if err := p.tp.call(ctx, http.MethodPost, "/proxies/"+p.Name+"/toxics", x, nil); err != nil {
		return fmt.Errorf("proxy %s: add toxic %s: %w", p.Name, x.Name, err)
	}
	return nil
}

// RemoveToxic removes the toxic named name.
func (p *Proxy) RemoveToxic(ctx context.Context, name string) error {
	if err := p.tp.call(ctx, http.MethodDelete, "/proxies/"+p.Name+"/toxics/"+name, nil, nil); err != nil {
		return fmt.Errorf("proxy %s: remove toxic %s: %w", p.Name, name, err)
	}
	return nil
}

// SetEnabled opens or closes the proxy: disabled, it refuses connections
// and drops the open ones, as a host that went down.
func (p *Proxy) SetEnabled(ctx context.Context, on bool) error {
	if err := p.tp.call(ctx, http.MethodPost, "/proxies/"+p.Name, map[string]any{"enabled": on}, nil); err != nil {
		return fmt.Errorf("proxy %s: enabled=%v: %w", p.Name, on, err)
	}
	return nil
}

// Delete removes the proxy.
func (p *Proxy) Delete(ctx context.Context) error {
	if err := p.tp.call(ctx, http.MethodDelete, "/proxies/"+p.Name, nil, nil); err != nil {
		return fmt.Errorf("delete proxy %s: %w", p.Name, err)
	}
	return nil
}

func (t *Toxiproxy) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(t.URL, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}
