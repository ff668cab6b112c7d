package ruleset

import (
	"fmt"
	"strings"
	"testing"
)

// TestBucketOfMatchesBucket checks bucketOf's fixed-size-copy path against
// the portable definition for salts and keys around every length where it
// switches paths (the padded salt's and key's sizes, the general path).
func TestBucketOfMatchesBucket(t *testing.T) {
	for saltLen := 1; saltLen <= saltPadLen+3; saltLen++ {
		salt := strings.Repeat("s", saltLen-1) + "z"
		for _, prepared := range []bool{true, false} {
			f := &flag{salt: salt, def: serve{kind: serveSplit}}
			if prepared {
				f.prepare()
			}
			for keyLen := 0; keyLen <= 2*len(Context{}.keyBytes)+1; keyLen++ {
				key := strings.Repeat("k", keyLen)
				if keyLen > 0 {
					key = key[:keyLen-1] + "q"
				}
				c := NewContext(key, nil)
				if got, want := bucketOf(f, c), Bucket(salt, key); got != want {
					t.Fatalf("salt %d bytes, key %d bytes, prepared %v: bucketOf = %d, Bucket = %d", saltLen, keyLen, prepared, got, want)
				}
			}
		}
	}
	// bucket_by still buckets by the attribute, as a string or a number.
	f := &flag{salt: "exp", bucketBy: "account", def: serve{kind: serveSplit}}
	f.prepare()
	if got, want := bucketOf(f, NewContext("u1", map[string]any{"account": "a-9"})), Bucket("exp", "a-9"); got != want {
		t.Errorf("bucket_by string: %d, want %d", got, want)
	}
	if got, want := bucketOf(f, NewContext("u1", map[string]any{"account": 42})), Bucket("exp", "42"); got != want {
		t.Errorf("bucket_by number: %d, want %d", got, want)
	}
	if got, want := bucketOf(f, NewContext("u1", nil)), Bucket("exp", "u1"); got != want {
		t.Errorf("bucket_by missing: %d, want %d", got, want)
	}
}

// TestConditionLookup checks match's integer-ID attribute lookup against
// the general one, for contexts small and large, names short and long,
// present and missing, with prepared and unprepared conditions.
func TestConditionLookup(t *testing.T) {
	names := []string{"a", "ab", "abc", "abcd", "abcde", "country", "countrx", "emailadd", "email_address", "0123456789abcdef", "0123456789abcdefg", "a-much-longer-attribute-name-x", "a-much-longer-attribute-name-y"}
	for n := 0; n <= len(names); n++ {
		attrs := map[string]any{}
		for _, name := range names[:n] {
			attrs[name] = "v-" + name
		}
		c := NewContext("user-1", attrs)
		for _, name := range append(names, "key", "absent", "") {
			for _, prepared := range []bool{true, false} {
				cd := condition{attr: name, attrHash: nameHash(name), code: codeEquals, strs: []string{"v-" + name}, strHash: []uint32{nameHash("v-" + name)}}
				if name == KeyAttribute {
					cd.strs, cd.strHash = []string{"user-1"}, []uint32{nameHash("user-1")}
				}
				if prepared {
					conds := []condition{cd}
					prepareConditions(conds)
					cd = conds[0]
				}
				_, want := attrs[name]
				want = want || name == KeyAttribute
				if got := cd.match(c); got != want {
					t.Errorf("%d attributes, %q (prepared %v): match = %v, want %v", n, name, prepared, got, want)
				}
				if _, got := c.Attribute(name); got != want {
					t.Errorf("%d attributes: Attribute(%q) found = %v, want %v", n, name, got, want)
				}
			}
		}
	}
	var zero Context
	cd := []condition{{attr: "country", attrHash: nameHash("country"), code: codeExists}}
	prepareConditions(cd)
	if cd[0].match(&zero) || cd[0].match(&emptyContext) {
		t.Error("an empty context has no attributes")
	}
	if s := fmt.Sprint(NewContext("k", map[string]any{"b": 1, "a": "x"})); s != `{key="k" a=x b=1}` {
		t.Errorf("String() = %s", s)
	}
}
