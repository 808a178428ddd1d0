package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func (m *Main) runVersion(_ context.Context, args []string) error {
	fs := m.newFlagSet("version", "", `
Print livehook's version: the module version of 'go install github.com/livehook/livehook@v1.2.3',
or, built from a checkout, the commit (+dirty with uncommitted changes), and the Go release.`)
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintf(m.Stdout, "livehook %s (%s, %s/%s)\n", version(Version, info), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// version is the version set at build time when there is one, else the module version Go
// recorded (go install ...@v1.2.3 records v1.2.3; a build in a checkout records a pseudo-version
// or "(devel)"), with the commit when the module version does not name it.
func version(set string, info *debug.BuildInfo) string {
	if set != "" {
		return set
	}
	if info == nil {
		return "(unknown)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return v
	}
	rev = rev[:min(len(rev), 12)]
	if v != "(devel)" && strings.Contains(v, rev) {
		return v // a pseudo-version names the commit already
	}
	if modified == "true" {
		rev += "+dirty"
	}
	return v + " " + rev
}
