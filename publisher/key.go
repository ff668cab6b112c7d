package publisher

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CheckKey reports whether key is a valid Store key: not empty, no leading or
// trailing slash, no empty, "." or ".." segment, no NUL or backslash. Stores
// call it so that a key can never escape their prefix or root directory.
func CheckKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	if strings.ContainsAny(key, "\x00\\") {
		return fmt.Errorf("key %q: contains NUL or backslash", key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "", ".", "..":
			return fmt.Errorf("key %q: empty, \".\" or \"..\" segment", key)
		}
	}
	return nil
}

// CurrentKey is the key of an environment's current ruleset, the one object
// SDKs poll.
func CurrentKey(env string) string { return env + "/ruleset.json" }

// VersionKey is the key of an environment's immutable copy of version v.
func VersionKey(env string, v int64) string {
	return VersionsPrefix(env) + strconv.FormatInt(v, 10) + ".json"
}

// VersionsPrefix is the prefix under which an environment's versions live.
func VersionsPrefix(env string) string { return env + "/versions/" }

// parseVersionKey returns the version a key under VersionsPrefix(env) names,
// and false for any other key (a stray file is not a version).
func parseVersionKey(env, key string) (int64, bool) {
	name, ok := strings.CutPrefix(key, VersionsPrefix(env))
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(name, ".json")
	if !ok || num == "" || num[0] == '0' || num[0] == '+' {
		return 0, false
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v <= 0 {
		return 0, false
	}
	return v, true
}

// checkEnv refuses environment names that would not make a single key
// segment, so that one environment can never write into another's keys.
func checkEnv(env string) error {
	if env == "" || strings.Contains(env, "/") || CheckKey(env) != nil {
		return fmt.Errorf("environment %q: must be one non-empty path segment", env)
	}
	return nil
}

// PrefixedKey checks key and names it under prefix, as a bucket store with a
// prefix (gs://bucket/app, s3://bucket/app) stores it: "app/production/ruleset.json".
func PrefixedKey(prefix, key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	if prefix == "" {
		return key, nil
	}
	return prefix + "/" + key, nil
}
