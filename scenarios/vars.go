package scenarios

import (
	"github.com/livehook/livehook/internal/text"

	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// EnvVarPrefix starts the environment variables that set a file's vars: LIVEHOOK_VAR_app=URL
// sets vars.app, as --var app=URL does on the command line, which wins over the environment.
const EnvVarPrefix = "LIVEHOOK_VAR_"

// ParseOption changes how Parse reads a file.
type ParseOption func(*parseOptions)

type parseOptions struct {
	vars map[string]string
}

// WithVars gives variables that the file declares under vars: the values in vars instead, so
// that one file serves every environment (a local app, staging, CI). The values replace the
// file's before any ${vars.NAME} is expanded, so a value may stand for a number or a boolean as
// the file's own may. Names the file does not declare are ignored: a run of several files gives
// each its own; CheckVars reports a name that no file declares. Later options win.
func WithVars(vars map[string]string) ParseOption {
	return func(o *parseOptions) {
		if o.vars == nil {
			o.vars = map[string]string{}
		}
		maps.Copy(o.vars, vars)
	}
}

// override replaces the declared variables' values with those of the options.
func (o *parseOptions) override(declared map[string]string) {
	for name, v := range o.vars {
		if _, ok := declared[name]; ok {
			declared[name] = v
		}
	}
}

// CheckVars returns an error naming each of names that no file declares under vars:, with the
// closest declared name, so that a mistyped --var is not silently ignored.
func CheckVars(files []*File, names []string) error {
	declared := map[string]bool{}
	for _, f := range files {
		for name := range f.Vars {
			declared[name] = true
		}
	}
	known := slices.Sorted(maps.Keys(declared))
	var errs []error
	for _, name := range names {
		if declared[name] {
			continue
		}
		hint := "no file declares any; declare it with a default under vars:"
		if len(known) > 0 {
			hint = "the files declare " + strings.Join(known, ", ")
		}
		errs = append(errs, fmt.Errorf("variable %q is not declared under vars: in any file%s; %s", name, text.Suggest(name, known), hint))
	}
	return errors.Join(errs...)
}

// ParseVar splits name=value, as --var takes it.
func ParseVar(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return "", "", fmt.Errorf("%q: want name=value, e.g. app=http://127.0.0.1:8000", s)
	case name == "" || strings.ContainsAny(name, ".${} "):
		return "", "", fmt.Errorf("%q: the name before = must be a plain variable name, as under vars:", s)
	}
	return name, value, nil
}

// VarsFromEnv returns the variables that environment entries (as os.Environ gives them) set
// with EnvVarPrefix: LIVEHOOK_VAR_app=URL gives app.
func VarsFromEnv(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		if rest, ok := strings.CutPrefix(kv, EnvVarPrefix); ok {
			if name, value, err := ParseVar(rest); err == nil {
				out[name] = value
			}
		}
	}
	return out
}
