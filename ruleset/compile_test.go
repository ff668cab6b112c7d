package ruleset

import (
	"bytes"
	goflag "flag"
	"os"
	"path/filepath"
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
