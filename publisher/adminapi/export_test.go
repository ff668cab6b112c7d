package adminapi

import (
	"crypto/sha256"
	"encoding/hex"
)

// RouteInfo describes a route for the tests.
type RouteInfo struct {
	Method, Path string
	Write        bool
}

// Routes lists the mux's routes.
func Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range routes() {
		out = append(out, RouteInfo{r.method, r.path, r.access == write})
	}
	return out
}

// Sha256Hex is for the sha256= token form.
func Sha256Hex(s string) string {
	d := sha256.Sum256([]byte(s))
	return hex.EncodeToString(d[:])
}
