package publisher

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cairnflags/cairn/ruleset"
)

// validate checks the exact bytes about to be published the way an SDK will
// load them. A flag the SDK would quarantine (content newer than this
// version of cairn understands) is refused too: publishing it would switch
// it off in every SDK.
func validate(env string, data []byte) error {
	rs, err := ruleset.Load(data)
	if err != nil {
		return &InvalidError{Environment: env, Err: err}
	}
	if q := rs.Quarantined(); len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k, why := range q {
			keys = append(keys, fmt.Sprintf("%s (%s)", k, why))
		}
		slices.Sort(keys)
		return &InvalidError{Environment: env, Err: fmt.Errorf("flags not understood by this version of cairn: %s", strings.Join(keys, "; "))}
	}
	if rs.Environment() != env {
		return &InvalidError{Environment: env, Err: fmt.Errorf("environment is %q", rs.Environment())}
	}
	return nil
}
