package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/livehook/livehook/internal/text"
)

// Selected returns the scenarios of the files that the tags select, in order.
func Selected(files []*File, tags []string) []*Scenario {
	var out []*Scenario
	for _, f := range files {
		for _, s := range f.Scenarios {
			if selects(tags, s.Tags) {
				out = append(out, s)
			}
		}
	}
	return out
}

// CheckTags returns an error naming each tag of a --tags filter (tag or !tag) that no scenario
// of the files has, with the closest tag and the list of those they have, so that a misspelt
// tag neither selects nothing nor is silently ignored beside others.
func CheckTags(files []*File, filter []string) error {
	known := map[string]bool{}
	for _, f := range files {
		for _, s := range f.Scenarios {
			for _, t := range s.Tags {
				known[t] = true
			}
		}
	}
	names := slices.Sorted(maps.Keys(known))
	list := "the scenarios have no tags"
	if len(names) > 0 {
		list = "the scenarios' tags: " + strings.Join(names, ", ")
	}
	var unknown []string
	for _, t := range filter {
		if name := strings.TrimPrefix(t, "!"); !known[name] {
			unknown = append(unknown, strconv.Quote(name)+text.Suggest(name, names))
		}
	}
	switch len(unknown) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("no scenario has the tag %s; %s", unknown[0], list)
	}
	return fmt.Errorf("no scenario has the tags %s; %s", strings.Join(unknown, ", "), list)
}

func selects(filter, tags []string) bool {
	include := false
	for _, t := range filter {
		if name, neg := strings.CutPrefix(t, "!"); neg {
			if slices.Contains(tags, name) {
				return false
			}
		} else {
			include = true
		}
	}
	if !include {
		return true
	}
	for _, t := range filter {
		if slices.Contains(tags, t) {
			return true
		}
	}
	return false
}

// CheckNames reports scenario names used in more than one file.
func CheckNames(files []*File) error {
	seen := map[string]Pos{}
	var errs []error
	for _, f := range files {
		for _, s := range f.Scenarios {
			if first, dup := seen[s.Name]; dup {
				errs = append(errs, &Error{Pos: s.Pos, Scenario: s.Name, Msg: fmt.Sprintf("the name is used in %s too: names must be unique across the files of a run", first)})
				continue
			}
			seen[s.Name] = s.Pos
		}
	}
	return errors.Join(errs...)
}
