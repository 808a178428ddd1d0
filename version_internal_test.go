package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionIsWhatGoRecorded(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tc := range []struct {
		name, set string
		info      *debug.BuildInfo
		want      string
	}{
		{"go install of a release", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"set with -ldflags wins", "v9.9.9", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v9.9.9"},
		{"a checkout at a commit", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")}, "(devel) 0123456789ab"},
		{"a checkout with changes", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")}, "(devel) 0123456789ab+dirty"},
		{"a pseudo-version names the commit", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261123120000-0123456789ab"}, Settings: vcs("false")}, "v0.0.0-20261123120000-0123456789ab"},
		{"a pseudo-version, dirty", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20261123120000-0123456789ab+dirty"}, Settings: vcs("true")}, "v0.1.1-0.20261123120000-0123456789ab+dirty"},
		{"a release tag built in its checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs("false")}, "v1.2.3 0123456789ab"},
		{"no version recorded", "", &debug.BuildInfo{}, "(devel)"},
		{"no build info", "", nil, "(unknown)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := version(tc.set, tc.info); got != tc.want {
				t.Errorf("version = %q, want %q", got, tc.want)
			}
		})
	}
}
