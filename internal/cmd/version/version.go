// Package version reports the program's version and the commit it was
// built from.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version and Commit are stamped by release builds (scripts/dist.sh):
//
//	-ldflags "-X github.com/awsmfa/awsmfa/internal/cmd/version.Version=v1.2.3
//	          -X github.com/awsmfa/awsmfa/internal/cmd/version.Commit=<sha>"
//
// Otherwise they come from the module build information: the module
// version for `go install ...@v1.2.3`, the VCS revision for a build in a
// git checkout.
var (
	Version = ""
	Commit  = ""
)

// Info is what a build knows about itself.
type Info struct {
	Version  string // v1.2.3, or "devel"
	Commit   string // full commit hash, or "" when unknown
	Modified bool   // built from a working tree with uncommitted changes
}

// Get returns the build's version information.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return get(Version, Commit, bi)
}

func get(stampedVersion, stampedCommit string, bi *debug.BuildInfo) Info {
	info := Info{Version: stampedVersion, Commit: stampedCommit}
	if bi != nil {
		if info.Version == "" {
			if v := bi.Main.Version; v != "" && v != "(devel)" {
				info.Version = v
			}
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.modified":
				if stampedCommit == "" && s.Value == "true" {
					info.Modified = true
				}
			}
		}
	}
	if info.Version == "" {
		info.Version = "devel"
	}
	return info
}

// String returns the version alone (SARIF's tool version, for example).
func String() string { return Get().Version }

// Long returns the line `awsmfa --version` prints after the program name:
// version, commit, Go version and platform.
func Long() string { return Get().long(runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH) }

func (i Info) long(goVersion, platform string) string {
	commit := i.Commit
	if commit == "" {
		commit = "unknown"
	}
	if i.Modified {
		commit += "-dirty"
	}
	return fmt.Sprintf("%s (commit %s, %s, %s)", i.Version, commit, goVersion, platform)
}
