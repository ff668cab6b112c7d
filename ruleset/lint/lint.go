// Package lint finds flags that need a person's attention: expired or soon
// expiring, missing what the project settings require, fully rolled out
// (ready to be removed from the code), and segments nobody uses.
package lint

import (
	"fmt"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// Severity ranks a finding. Only errors make `cairn lint` fail.
type Severity string

// Severities, most severe first.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Codes name the kinds of finding, for filtering in scripts.
const (
	CodeExpired       = "expired"
	CodeExpiring      = "expiring"
	CodeNoOwner       = "no-owner"
	CodeNoExpiry      = "no-expiry"
	CodeExpiryTooFar  = "expiry-too-far"
	CodeUnusedSegment = "unused-segment"
	CodeRolledOut     = "rolled-out"
	CodeOffEverywhere = "off-everywhere"
)

// Finding is one thing lint reports.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	// Flag or Segment names what the finding is about.
	Flag    string `json:"flag,omitempty"`
	Segment string `json:"segment,omitempty"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// String renders the finding as "file:line:col: severity: message (code)".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s (%s)", f.File, f.Line, f.Col, f.Severity, f.Message, f.Code)
}

// Options are the inputs of Check besides the project.
type Options struct {
	// Now is the instant expiry is judged at.
	Now time.Time
	// Within is how far ahead an expiry date earns a warning.
	Within time.Duration
}

// Check returns the findings for p, flags first (by key), then segments.
func Check(p *ruleset.Project, opts Options) []Finding {
	settings := p.Settings()
	var out []Finding
	for _, f := range p.Flags() {
		at := func(sev Severity, code, format string, args ...any) {
			out = append(out, Finding{Severity: sev, Code: code, Flag: f.Key,
				File: f.At.File, Line: f.At.Line, Col: f.At.Col,
				Message: f.Key + ": " + fmt.Sprintf(format, args...)})
		}
		day := func(t time.Time) string { return t.UTC().Format("2006-01-02") }
		switch {
		case f.Expires.IsZero():
			if settings.RequireExpiry {
				at(Error, CodeNoExpiry, "no expires date, and the project requires one")
			}
		case !f.Expires.After(opts.Now):
			at(Error, CodeExpired, "expired on %s: remove it from the code and the flag files, or extend it", day(f.Expires))
		case f.Expires.Sub(opts.Now) <= opts.Within:
			at(Warning, CodeExpiring, "expires on %s, in %s", day(f.Expires), days(f.Expires.Sub(opts.Now)))
		}
		if max := settings.MaxExpiryDays; max > 0 && !f.Expires.IsZero() &&
			f.Expires.Sub(opts.Now) > time.Duration(max)*24*time.Hour {
			at(Error, CodeExpiryTooFar, "expires on %s, more than the project's max_expiry_days (%d) ahead", day(f.Expires), max)
		}
		if f.Owner == "" && settings.RequireOwner {
			at(Error, CodeNoOwner, "no owner, and the project requires one")
		}
		if v, enabled, ok := servesAll(f); ok {
			if enabled {
				at(Info, CodeRolledOut, "every context gets %s in every environment; if the rollout is done, remove the flag", v)
			} else {
				at(Info, CodeOffEverywhere, "off in every environment")
			}
		}
	}
	for _, s := range p.Segments() {
		if len(s.UsedBy) == 0 {
			out = append(out, Finding{Severity: Warning, Code: CodeUnusedSegment, Segment: s.Key,
				File: s.At.File, Line: s.At.Line, Col: s.At.Col,
				Message: s.Key + ": segment used by no flag"})
		}
	}
	return out
}

// servesAll reports the variation a flag serves to every context in every
// environment, if there is one, and whether it is switched on anywhere.
func servesAll(f ruleset.FlagInfo) (variation string, enabled, ok bool) {
	if len(f.Environments) == 0 {
		return "", false, false
	}
	for i, env := range f.Environments {
		if env.ServesAll == "" || (i > 0 && env.ServesAll != variation) {
			return "", false, false
		}
		variation = env.ServesAll
		enabled = enabled || env.Enabled
	}
	return variation, enabled, true
}

func days(d time.Duration) string {
	n := int(d.Hours()/24 + 0.5)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
