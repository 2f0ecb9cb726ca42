// Package version reports the program's version.
package version

import (
	"runtime/debug"
)

// Version is set at build time with
// -ldflags "-X github.com/awsmfa/awsmfa/internal/cmd/version.Version=v1.2.3";
// otherwise it comes from the module build information.
var Version = ""

// String returns the version for --version.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			return "devel-" + rev + dirty
		}
	}
	return "devel"
}
