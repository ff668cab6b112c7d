package ruleset

import (
	"bytes"
	goflag "flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = goflag.Bool("update", false, "rewrite golden files under testdata/")

// shopDir is the realistic example project the golden files compile.
const shopDir = "testdata/flagfiles/shop"

func loadShop(t testing.TB) *Project {
	t.Helper()
	p, err := LoadProject(os.DirFS(shopDir))
	if err != nil {
		t.Fatalf("LoadProject(%s):\n%v", shopDir, err)
	}
	return p
}

func TestCompileGolden(t *testing.T) {
	p := loadShop(t)
	src := Source{Kind: SourceGit, Commit: "0123456789abcdef0123456789abcdef01234567"}
	for _, env := range p.Environments() {
		t.Run(env, func(t *testing.T) {
			doc, err := p.Compile(env, src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "compiled", "shop."+env+".json")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCompileGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("compiled %s differs from %s (run with -update to accept):\n%s", env, golden, got)
			}
			// The evaluator must accept everything compile produces.
			if _, err := Load(got); err != nil {
				t.Errorf("Load(compiled %s): %v", env, err)
			}
		})
	}
}

func TestCompileDeterministic(t *testing.T) {
	var first []byte
	for i := range 5 {
		doc, err := loadShop(t).Compile("production", Source{Kind: SourceGit})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = got
		} else if !bytes.Equal(first, got) {
			t.Fatalf("compile %d gave different bytes", i)
		}
	}
}

func TestCompileUnknownEnvironment(t *testing.T) {
	if _, err := loadShop(t).Compile("prod", Source{}); err == nil {
		t.Fatal("Compile(prod): no error")
	}
}

func TestProjectInfo(t *testing.T) {
	p := loadShop(t)
	info, ok := p.Flag("new-checkout")
	if !ok {
		t.Fatal("no new-checkout")
	}
	if info.At != (Location{File: "flags/checkout.yaml", Line: 3, Col: 3}) || info.Owner != "team-checkout" ||
		info.Expires.Format("2006-01-02") != "2026-12-31" || strings.Join(info.Segments, ",") != "internal-users" {
		t.Errorf("new-checkout info = %+v", info)
	}
	var states []string
	for _, e := range info.Environments {
		states = append(states, fmt.Sprintf("%s:%t:%t:%s", e.Name, e.Declared, e.Enabled, e.ServesAll))
	}
	if got := strings.Join(states, " "); got != "development:true:true:on staging:true:true: production:true:true:" {
		t.Errorf("environments = %s", got)
	}
	banner, _ := p.Flag("black-friday-banner")
	if e := banner.Environments[0]; e.Declared || e.Enabled || e.ServesAll != "off" {
		t.Errorf("banner in development = %+v, want undeclared, off", e)
	}
	if e := banner.Environments[2]; !e.Scheduled || e.ServesAll != "" {
		t.Errorf("banner in production = %+v, want scheduled", e)
	}
	var segs []string
	for _, s := range p.Segments() {
		segs = append(segs, s.Key+"="+strings.Join(s.UsedBy, "+"))
	}
	if got := strings.Join(segs, " "); got != "beta-testers=payment-service internal-users=new-checkout+payment-service" {
		t.Errorf("segments = %s", got)
	}
	if s := p.Settings(); !s.RequireOwner || s.RequireExpiry || s.MaxExpiryDays != 365 {
		t.Errorf("settings = %+v", s)
	}
	if len(p.Flags()) != 6 {
		t.Errorf("%d flags, want 6", len(p.Flags()))
	}
}
