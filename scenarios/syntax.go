package scenarios

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxSyntaxSearch bounds the work of finding the line a syntax error is on: the file sizes and
// the lines past yaml.v3's line that are tried.
const (
	maxSyntaxSearchBytes = 256 << 10
	maxSyntaxSearchLines = 200
)

// syntaxError is a YAML syntax error as people can act on it: the line it is on, the scenario
// and step before it when the file is far enough along to say, and what to fix.
func syntaxError(name string, data []byte, err error) *Error {
	line, msg := yamlErrorLine(err)
	e := &Error{Pos: Pos{File: name, Line: line, Column: 1}, Msg: msg}
	if len(data) > maxSyntaxSearchBytes || line <= 0 {
		return e
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	// yaml.v3 names the line of the block it was in (the scenarios: list, say), not the line it
	// stopped at: the first prefix of the file, in whole lines, that fails the same way ends there.
	bad := 0
	for l := line; l <= len(lines) && l < line+maxSyntaxSearchLines; l++ {
		var n yaml.Node
		if perr := yaml.Unmarshal(bytes.Join(lines[:l], nil), &n); perr != nil {
			if _, m := yamlErrorLine(perr); m == msg {
				bad = l
			}
			break
		}
	}
	if bad == 0 {
		return e
	}
	text := strings.TrimRight(string(lines[bad-1]), "\r\n")
	indent := len(text) - len(strings.TrimLeft(text, " "))
	e.Pos.Line, e.Pos.Column = bad, indent+1
	var prefix yaml.Node
	if yaml.Unmarshal(bytes.Join(lines[:bad-1], nil), &prefix) == nil {
		e.Scenario, e.Step = lastScenarioStep(&prefix)
	}
	hint := ""
	switch {
	case strings.HasPrefix(strings.TrimLeft(text, " "), "\t"):
		hint = fmt.Sprintf("line %d is indented with a tab: YAML indents with spaces only", bad)
	case indentationSlip(msg):
		if prev, at := previousIndent(lines, bad); at > 0 {
			hint = fmt.Sprintf("line %d is indented %s and line %d %s: YAML nests by indentation, so indent line %d as the lines it belongs with (a scenario's keys alike, a step's - under the one before it)",
				bad, spaces(indent), at, spaces(prev), bad)
		}
	}
	if hint != "" {
		e.Msg += "; " + hint
	}
	if e.Step > 0 {
		e.Msg = fmt.Sprintf("after step %d: %s", e.Step, e.Msg)
		e.Step = 0 // the line is after the step, not in it
	}
	return e
}

// indentationSlip reports whether a yaml.v3 message is the kind an indentation slip makes.
func indentationSlip(msg string) bool {
	for _, m := range []string{"did not find expected key", "did not find expected '-' indicator", "mapping values are not allowed", "block sequence entries are not allowed"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

func spaces(n int) string {
	if n == 1 {
		return "1 space"
	}
	return fmt.Sprintf("%d spaces", n)
}

// previousIndent returns the indentation of the last line before line (1-based) that holds
// something other than a comment, and its number; 0 for none.
func previousIndent(lines [][]byte, line int) (indent, at int) {
	for l := line - 1; l >= 1; l-- {
		t := strings.TrimRight(string(lines[l-1]), "\r\n")
		trimmed := strings.TrimLeft(t, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		return len(t) - len(trimmed), l
	}
	return 0, 0
}

// lastScenarioStep names the last scenario of a document that parsed, and its number of steps.
func lastScenarioStep(doc *yaml.Node) (string, int) {
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return "", 0
	}
	root := doc.Content[0]
	scs := mapValue(root, "scenarios")
	if scs == nil || scs.Kind != yaml.SequenceNode || len(scs.Content) == 0 {
		return "", 0
	}
	last := scs.Content[len(scs.Content)-1]
	if last.Kind != yaml.MappingNode {
		return "", 0
	}
	name := ""
	if n := mapValue(last, "name"); n != nil && n.Kind == yaml.ScalarNode {
		name = n.Value
	}
	steps := 0
	if st := mapValue(last, "steps"); st != nil && st.Kind == yaml.SequenceNode {
		steps = len(st.Content)
	}
	return name, steps
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
