package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// documented is what the docs must name: every REST API the mock routes (its route table,
// mockserver.APIs) and every webhook command of the protocol package (webhook.Documented, the
// vendor's command list the callback configuration takes).
func documented() (apis []string, commands []string) {
	for _, d := range webhook.Documented {
		commands = append(commands, string(d.Command))
	}
	return mockserver.APIs(), commands
}

// serveHelp is what `livehook serve -h` prints.
func serveHelp(t *testing.T) string {
	t.Helper()
	var out, errOut strings.Builder
	if code := NewMain(nil, &out, &errOut).Run(context.Background(), []string{"serve", "-h"}); code != exitOK {
		t.Fatalf("serve -h: exit %d: %s", code, errOut.String())
	}
	return out.String() + errOut.String()
}

// sourceKeys are the keys of docs/protocol.md's source tables (`| key | page | address |`).
var sourceRow = regexp.MustCompile(`(?m)^\| ([a-z0-9-]+) \| [^|]+ \| [^|]*https?://`)

// citation finds the source keys a line cites, *[key]*.
var citation = regexp.MustCompile(`\*\[([a-z0-9-]+)\]\*`)

// hasSource reports whether a line of docs/protocol.md gives a source: a key of its source
// tables, an address, or a decision (where the vendor is silent, livehook's choice, said so).
func hasSource(line string, keys map[string]bool) bool {
	if strings.Contains(line, "https://") || strings.Contains(strings.ToLower(line), "**decision**") {
		return true
	}
	for _, m := range citation.FindAllStringSubmatch(line, -1) {
		if keys[m[1]] {
			return true
		}
	}
	return false
}

// quoted reports whether text names name as code: `name`, or a path ending in it (`…/name`).
func quoted(text, name string) bool {
	return strings.Contains(text, "`"+name+"`") || strings.Contains(text, "/"+name+"`")
}

// driftProblems says, one line each, which API or command is missing from which text: the help
// lists each API under its path's prefix and each command; README.md names each as code; a line
// of docs/protocol.md names each as code with its source.
func driftProblems(help, readme, protocol string) []string {
	apis, commands := documented()
	var problems []string
	keys := map[string]bool{}
	for _, m := range sourceRow.FindAllStringSubmatch(protocol, -1) {
		keys[m[1]] = true
	}
	inProtocol := func(name string) string {
		cited := false
		for _, line := range strings.Split(protocol, "\n") {
			if quoted(line, name) {
				if hasSource(line, keys) {
					return ""
				}
				cited = true
			}
		}
		if cited {
			return "docs/protocol.md names it, but on no line with its source (a *[key]* of the source tables, an address, or **decision**)"
		}
		return "docs/protocol.md does not name it"
	}
	for _, p := range apis {
		i := strings.LastIndexByte(p, '/')
		prefix, name := p[:i+1], p[i+1:]
		if !inHelpGroup(help, prefix, name) {
			problems = append(problems, fmt.Sprintf("API %s: `livehook serve -h` does not list %s under %q", p, name, "Under "+prefix+":"))
		}
		if !quoted(readme, name) {
			problems = append(problems, fmt.Sprintf("API %s: README.md does not name `%s`", p, name))
		}
		if why := inProtocol(name); why != "" {
			problems = append(problems, fmt.Sprintf("API %s: %s", p, why))
		}
	}
	for _, c := range commands {
		if !regexp.MustCompile(`(^|[^\w.])` + regexp.QuoteMeta(c) + `([^\w.]|$)`).MatchString(help) {
			problems = append(problems, fmt.Sprintf("command %s: `livehook serve -h` does not list it", c))
		}
		if !quoted(readme, c) {
			problems = append(problems, fmt.Sprintf("command %s: README.md does not name `%s`", c, c))
		}
		if why := inProtocol(c); why != "" {
			problems = append(problems, fmt.Sprintf("command %s: %s", c, why))
		}
	}
	return problems
}

// inHelpGroup reports whether the help lists name among the names under "Under prefix:".
func inHelpGroup(help, prefix, name string) bool {
	_, group, ok := strings.Cut(help, "Under "+prefix+":\n")
	if !ok {
		return false
	}
	var names []string
	for _, line := range strings.Split(group, "\n") {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		names = append(names, strings.Split(strings.TrimSpace(line), ", ")...)
	}
	for _, n := range names {
		if strings.TrimSuffix(n, ",") == name {
			return true
		}
	}
	return false
}

func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every REST API the mock routes and every webhook command the protocol package knows is in
// `livehook serve -h`, in README.md and in docs/protocol.md with its source; the lists come from
// the code, so an API or command added without its docs fails here, named with where it is
// missing.
func TestDocsNameEveryAPIAndCommand(t *testing.T) {
	help, readme, protocol := serveHelp(t), readDoc(t, "README.md"), readDoc(t, "docs/protocol.md")
	apis, commands := documented()
	if len(apis) < 40 || len(commands) < 15 {
		t.Fatalf("the lists from the code are short (%d APIs, %d commands): the test would check little", len(apis), len(commands))
	}
	if problems := driftProblems(help, readme, protocol); len(problems) > 0 {
		t.Errorf("%d missing:\n%s", len(problems), strings.Join(problems, "\n"))
	}

	// The check fails when one entry goes from a copy of a text, and names it and where.
	apiPath := apis[len(apis)/2]
	api := apiPath[strings.LastIndexByte(apiPath, '/')+1:]
	cmd := commands[len(commands)-1]
	drop := func(text, name string) string {
		return regexp.MustCompile(`(^|[^\w.])`+regexp.QuoteMeta(name)+`([^\w.]|$)`).ReplaceAllString(text, "${1}gone${2}")
	}
	unsourced := func(text, name string) string {
		var out []string
		for _, line := range strings.Split(text, "\n") {
			if quoted(line, name) {
				line = citation.ReplaceAllString(strings.ReplaceAll(line, "https://", ""), "")
				line = regexp.MustCompile(`(?i)\*\*decision\*\*`).ReplaceAllString(line, "")
			}
			out = append(out, line)
		}
		return strings.Join(out, "\n")
	}
	base := map[string]bool{}
	for _, p := range driftProblems(help, readme, protocol) {
		base[p] = true
	}
	for _, tc := range []struct {
		name                   string
		help, readme, protocol string
		want                   string
	}{
		{"an API gone from the help", drop(help, api), readme, protocol, "API " + apiPath + ": `livehook serve -h` does not list " + api},
		{"an API gone from the README", help, drop(readme, api), protocol, "API " + apiPath + ": README.md does not name `" + api + "`"},
		{"an API gone from protocol.md", help, readme, drop(protocol, api), "API " + apiPath + ": docs/protocol.md does not name it"},
		{"an API without its source in protocol.md", help, readme, unsourced(protocol, api), "API " + apiPath + ": docs/protocol.md names it, but on no line with its source"},
		{"a command gone from the help", drop(help, cmd), readme, protocol, "command " + cmd + ": `livehook serve -h` does not list it"},
		{"a command gone from the README", help, drop(readme, cmd), protocol, "command " + cmd + ": README.md does not name"},
		{"a command without its source in protocol.md", help, readme, unsourced(protocol, cmd), "command " + cmd + ": docs/protocol.md names it, but on no line with its source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var problems []string // beyond those of the texts as they are
			for _, p := range driftProblems(tc.help, tc.readme, tc.protocol) {
				if !base[p] {
					problems = append(problems, p)
				}
			}
			if len(problems) != 1 || !strings.HasPrefix(problems[0], tc.want) {
				t.Errorf("got %q, want one problem starting %q", problems, tc.want)
			}
		})
	}
}
