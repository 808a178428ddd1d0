// Command livehook plays the Live backend of Tencent Cloud TUILiveKit: it fires the room webhooks
// at an app backend and checks its answers, mocks the backend's REST API, and load-tests receivers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/livehook/livehook/scenarios"
)

// Version is the tool's version when set at build time with -ldflags "-X main.Version=...";
// unset, livehook version reports what Go recorded in the binary (see version).
var Version string

// Exit codes.
const (
	exitOK       = 0 // every expectation met
	exitNotMet   = 1 // some expectation not met
	exitUsage    = 2 // usage, configuration or input error
	exitCanceled = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdin, os.Stdout, os.Stderr)
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the CLI: it wires flags to the library and maps errors to exit codes.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// NewMain returns a CLI writing to the given streams.
func NewMain(stdin io.Reader, stdout, stderr io.Writer) *Main {
	return &Main{Stdin: stdin, Stdout: stdout, Stderr: stderr}
}

// command is one subcommand.
type command struct {
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"run":      {"fire the scenarios at an app backend and check its answers", (*Main).runRun},
		"validate": {"check scenario files without sending anything", (*Main).runValidate},
		"receive":  {"run the reference receiver, which checks webhooks sent to it", (*Main).runReceive},
		"generate": {"write a scenarios file of realistic generated rooms", (*Main).runGenerate},
		"serve":    {"run the mock Live backend: its REST API, firing the webhooks back", (*Main).runServe},
		"load":     {"measure a webhook receiver under Live traffic", (*Main).runLoad},
		"schema":   {"print the JSON Schema of scenarios files, for editors", (*Main).runSchema},
		"report":   {"merge the JSON reports of a sharded load run: livehook report merge FILE...", (*Main).runReport},
		"version":  {"print the version", (*Main).runVersion},
	}
}

// errNotMet means the run went through and some expectation was not met (exit 1).
var errNotMet = errors.New("expectations not met")

// usageError is a bad command line, configuration or input (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// Run runs the command named by args[0] and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		m.usage(m.Stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if _, ok := commands[args[1]]; ok {
				return m.Run(ctx, []string{args[1], "-h"})
			}
			fmt.Fprintf(m.Stderr, "livehook help: unknown command %q\n", args[1])
			return exitUsage
		}
		m.usage(m.Stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(m.Stderr, "livehook: unknown command %q%s\nRun 'livehook help' for the list.\n", name, scenarios.Suggest(name, commandNames()))
		return exitUsage
	}
	err := cmd.run(m, ctx, args[1:])
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errNotMet):
		return exitNotMet
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(m.Stderr, "livehook %s: interrupted\n", name)
		return exitCanceled
	}
	if msg := err.Error(); strings.Contains(msg, "\n") {
		fmt.Fprintf(m.Stderr, "livehook %s: %d problems:\n%s\n", name, strings.Count(msg, "\n")+1, msg)
	} else {
		fmt.Fprintf(m.Stderr, "livehook %s: %s\n", name, msg)
	}
	return exitUsage
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintf(w, `livehook plays the Live backend (Tencent Cloud TUILiveKit): it sends the room webhooks
to your app backend and checks that it answers as the protocol requires.

Usage:
  livehook <command> [flags]

Commands:
`)
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, `  help      show this text, or a command's: livehook help <command>

Exit codes: 0 every expectation met, 1 some not met, 2 usage, configuration or input error.
Start with 'livehook run', which checks the built-in contract against a built-in receiver.
`)
}

// newFlagSet returns a flag set whose -h text names the command and says what it does.
func (m *Main) newFlagSet(name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("livehook "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: livehook %s [flags]%s\n\n%s\n\nFlags:\n", name, args, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, flags and arguments in any order (livehook run my.yaml --tags x), and
// turns a flag error into a usage error (the flag package already printed it with the usage).
// The arguments are then fs.Args(); "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return &usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

// isSet reports whether the flag called name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
