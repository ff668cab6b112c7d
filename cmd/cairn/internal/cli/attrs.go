package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// parseAttrs turns --attr values into context attributes.
//
//	k=v      v is a number when it is written as a JSON number (42, -1.5,
//	         but not 01234), a boolean when it is true or false, else a
//	         string
//	k:=JSON  v is JSON: a quoted string, a list, a number…
//
// So plan=pro is "pro", age=42 is 42, beta=true is true, zip=01234 is the
// string "01234", id:="42" is the string "42" and countries:=["DE","FR"] is
// a list.
func parseAttrs(pairs []string) (map[string]any, error) {
	attrs := make(map[string]any, len(pairs))
	for _, pair := range pairs {
		name, value, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, usagef("--attr %q: want NAME=VALUE or NAME:=JSON", pair)
		}
		name, isJSON := strings.CutSuffix(name, ":")
		if name == "" {
			return nil, usagef("--attr %q: empty name", pair)
		}
		if !isJSON {
			attrs[name] = parseScalar(value)
			continue
		}
		v, err := parseJSONValue(value)
		if err != nil {
			return nil, usagef("--attr %s: value is not JSON: %v", name, err)
		}
		attrs[name] = v
	}
	return attrs, nil
}

// jsonNumber is the JSON number grammar: no leading zeros, no hex, no Inf.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func parseScalar(s string) any {
	switch {
	case s == "true":
		return true
	case s == "false":
		return false
	case jsonNumber.MatchString(s):
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return s
}

func parseJSONValue(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errTrailing
	}
	return v, nil
}

// parseAt reads --at: an RFC 3339 time, a date (midnight UTC), or an offset
// from now such as +36h or -7d.
func parseAt(s string, now time.Time) (time.Time, error) {
	if s == "" || s == "now" {
		return now, nil
	}
	if s[0] == '+' || s[0] == '-' {
		d, err := parseDays(s)
		if err != nil {
			return time.Time{}, usagef("--at %q: %v", s, err)
		}
		return now.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--at %q: want an RFC 3339 time (2026-03-01T09:00:00Z), a date (2026-03-01) or an offset (+36h, +7d)", s)
}

// parseDays is time.ParseDuration that also accepts whole days: 14d, +7d.
func parseDays(s string) (time.Duration, error) {
	body := strings.TrimLeft(s, "+-")
	if days, ok := strings.CutSuffix(body, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100000 {
			return 0, errBadDays
		}
		d := time.Duration(n) * 24 * time.Hour
		if strings.HasPrefix(s, "-") {
			d = -d
		}
		return d, nil
	}
	return time.ParseDuration(s)
}
