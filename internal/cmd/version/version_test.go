package version

import (
	"runtime/debug"
	"testing"
)

func TestGet(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	cases := []struct {
		name            string
		version, commit string
		bi              *debug.BuildInfo
		want            string
	}{
		{"stamped release", "v1.2.3", "0123456789abcdef0123456789abcdef01234567", vcs("ffff", "true"),
			"v1.2.3 (commit 0123456789abcdef0123456789abcdef01234567, go1.26.8, linux/amd64)"},
		{"git checkout", "", "", vcs("abcdef0123456789abcdef0123456789abcdef01", "false"),
			"devel (commit abcdef0123456789abcdef0123456789abcdef01, go1.26.8, linux/amd64)"},
		{"dirty checkout", "", "", vcs("abc", "true"), "devel (commit abc-dirty, go1.26.8, linux/amd64)"},
		{"go install @v1.4.0", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}},
			"v1.4.0 (commit unknown, go1.26.8, linux/amd64)"},
		{"no build info", "", "", nil, "devel (commit unknown, go1.26.8, linux/amd64)"},
	}
	for _, c := range cases {
		if got := get(c.version, c.commit, c.bi).long("go1.26.8", "linux/amd64"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
