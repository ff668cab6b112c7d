package ruleset

import (
	"fmt"
	"math"
	"testing"

	"github.com/twmb/murmur3"
)

func murmurOf(s string) uint32 { return murmur3.Sum32([]byte(s)) }

func TestBucketReferenceValues(t *testing.T) {
	// MurmurHash3 x86_32 reference hashes (seed 0): "hello" is 0x248bfa47,
	// "The quick brown fox jumps over the lazy dog" is 0x2e4ff723.
	if got := int(murmurOf("hello")); got != 0x248bfa47 {
		t.Errorf("murmur3(hello) = %#x, want 0x248bfa47", got)
	}
	if got := int(murmurOf("The quick brown fox jumps over the lazy dog")); got != 0x2e4ff723 {
		t.Errorf("murmur3(fox) = %#x, want 0x2e4ff723", got)
	}
	// salt + "/" + value: "a/b" hashed whole.
	if got, want := Bucket("a", "b"), int(murmurOf("a/b")%Buckets); got != want {
		t.Errorf("Bucket(a, b) = %d, want %d", got, want)
	}
}

func TestRolloutShare(t *testing.T) {
	const users = 100000
	rs25 := mustLoadDoc(t, benchDoc(rolloutFlag("new-checkout", 25), rolloutFlag("other-flag", 50)))
	rs50 := mustLoadDoc(t, benchDoc(rolloutFlag("new-checkout", 50)))
	on25, on50, lost := 0, 0, 0
	var both, a, b int
	for i := range users {
		c := NewContext(fmt.Sprintf("user-%d", i), nil)
		in25 := rs25.Evaluate("new-checkout", c, benchNow).Value == true
		in50 := rs50.Evaluate("new-checkout", c, benchNow).Value == true
		other := rs25.Evaluate("other-flag", c, benchNow).Value == true
		if in25 {
			on25++
		}
		if in50 {
			on50++
		}
		if in25 && !in50 {
			lost++
		}
		if in25 {
			a++
		}
		if other {
			b++
		}
		if in25 && other {
			both++
		}
	}
	share := float64(on25) / users
	t.Logf("25%% rollout serves %.3f%% of %d users; 50%% serves %.3f%%", 100*share, users, 100*float64(on50)/users)
	if math.Abs(share-0.25) > 0.005 {
		t.Errorf("25%% rollout served %.3f%%, want 25%% ± 0.5%%", 100*share)
	}
	if math.Abs(float64(on50)/users-0.5) > 0.005 {
		t.Errorf("50%% rollout served %.3f%%", 100*float64(on50)/users)
	}
	if lost != 0 {
		t.Errorf("raising 25%% to 50%% dropped %d users that were in", lost)
	}
	// Independence: the phi coefficient of two flags' assignments.
	pa, pb, pab := float64(a)/users, float64(b)/users, float64(both)/users
	phi := (pab - pa*pb) / math.Sqrt(pa*(1-pa)*pb*(1-pb))
	t.Logf("correlation between two flags with different salts: phi = %.4f", phi)
	if math.Abs(phi) > 0.02 {
		t.Errorf("flags with different salts correlate: phi = %.4f", phi)
	}
}

func TestBucketUniform(t *testing.T) {
	// Every tenth of the bucket space gets about a tenth of the keys.
	var counts [10]int
	const n = 100000
	for i := range n {
		counts[Bucket("uniform", fmt.Sprintf("k%d", i))/1000]++
	}
	for i, c := range counts {
		if math.Abs(float64(c)/n-0.1) > 0.005 {
			t.Errorf("decile %d holds %.3f%% of keys", i, 100*float64(c)/n)
		}
	}
}
