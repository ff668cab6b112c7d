package cli

import (
	"errors"
	"fmt"
	"github.com/cairnflags/cairn/ruleset"
	"strings"
)

// plural renders "1 flag", "2 flags".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func joinComma(s []string) string { return strings.Join(s, ", ") }

var (
	errTrailing = errors.New("trailing data after the JSON value")
	errBadDays  = errors.New("want a whole number of days such as 14d")
)

// bucketsPercent converts buckets (out of ruleset.Buckets) to a percentage.
func bucketsPercent(b int) float64 { return float64(b) * 100 / ruleset.Buckets }
