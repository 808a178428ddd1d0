// Command livehook plays the Live backend of Tencent Cloud TUILiveKit: it fires the room webhooks
// at an app backend and checks its answers, mocks the backend's REST API, and load-tests receivers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/load"
	"github.com/livehook/livehook/webhook"
)

// Version is the tool's version when set at build time with -ldflags "-X main.Version=...";
// unset, livehook version reports what Go recorded in the binary (see version).
var Version string

// Exit codes.
const (
	exitOK       = 0   // every expectation met
	exitNotMet   = 1   // some expectation not met
	exitUsage    = 2   // usage, configuration or input error
	exitIO       = 3   // a file or the network failed livehook itself: a report not written, a port taken
	exitInternal = 4   // a bug in livehook
	exitCanceled = 130 // interrupted
)

// maxTimeout bounds --timeout: the Live backend waits 2 s for an answer, and an answer later
// than a minute is a failure whatever the deadline.
const maxTimeout = time.Minute

func main() {
	// The first SIGINT or SIGTERM cancels ctx: stop taking work, finish what is in flight, report.
	// The second closes abort: stop at once, reporting what was measured so far.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	go func() {
		<-sigs
		cancel()
		<-sigs
		close(abort)
	}()
	m := NewMain(os.Stdin, os.Stdout, os.Stderr)
	m.Abort = abort
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the CLI: it wires flags to the library and maps errors to exit codes.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Abort, when closed, asks a command that is stopping after its context was canceled to stop
	// at once instead (the second Ctrl-C).
	Abort <-chan struct{}
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
		"explore":  {"draw webhook sequences from the whole value space, shrink what fails to a reproducer", (*Main).runExplore},
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

// usagef makes a usage error; %w keeps the cause's chain.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// ioError is a failure of a file or the network livehook needs for itself (exit 3), as opposed
// to one of the target's, which is data in the report.
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }

// exitCode is the one place where errors become exit codes: it returns the code and how the
// error is to be introduced ("" for none printed).
func exitCode(err error) (int, string) {
	var (
		usage  *usageError
		config *load.ConfigError
		ioErr  *ioError
		path   *fs.PathError
		op     *net.OpError
	)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK, ""
	case errors.Is(err, errNotMet):
		return exitNotMet, ""
	case errors.Is(err, context.Canceled):
		return exitCanceled, "interrupted"
	case errors.As(err, &usage), errors.As(err, &config):
		return exitUsage, "usage"
	case errors.As(err, &ioErr), errors.As(err, &path), errors.As(err, &op):
		return exitIO, "i/o"
	}
	return exitInternal, "internal"
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
			fmt.Fprintf(m.Stderr, "livehook help: unknown command %q%s\nRun 'livehook help' for the list.\n", args[1], text.Suggest(args[1], commandNames()))
			return exitUsage
		}
		m.usage(m.Stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(m.Stderr, "livehook: unknown command %q%s\nRun 'livehook help' for the list.\n", name, text.Suggest(name, commandNames()))
		return exitUsage
	}
	err := cmd.run(m, ctx, args[1:])
	code, kind := exitCode(err)
	switch kind {
	case "":
		return code
	case "interrupted":
		fmt.Fprintf(m.Stderr, "livehook %s: interrupted\n", name)
		return code
	case "internal":
		fmt.Fprintf(m.Stderr, "livehook %s: internal error, a bug in livehook (please report it with the command line): %v\n", name, err)
		return code
	}
	if msg := err.Error(); strings.Contains(msg, "\n") {
		fmt.Fprintf(m.Stderr, "livehook %s: %d problems:\n%s\n", name, strings.Count(msg, "\n")+1, msg)
	} else {
		fmt.Fprintf(m.Stderr, "livehook %s: %s\n", name, msg)
	}
	return code
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

Exit codes: 0 every expectation met, 1 some not met, 2 usage, configuration or input error,
3 a file or the network failed livehook itself, 4 a bug in livehook, 130 interrupted.
Start with 'livehook run', which checks the built-in contract against a built-in receiver.
`)
}

// newFlagSet returns a flag set whose -h text names the command and says what it does. It prints
// nothing itself: parseFlags writes the help to standard output and errors to the caller.
func (m *Main) newFlagSet(name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("livehook "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if !hasFlags {
			fmt.Fprintf(fs.Output(), "Usage: livehook %s%s\n\n%s\n", name, args, strings.TrimSpace(about))
			return
		}
		fmt.Fprintf(fs.Output(), "Usage: livehook %s [flags]%s\n\n%s\n\nFlags:\n", name, args, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, flags and arguments in any order (livehook run my.yaml --tags x); -h
// writes the command's help to standard output, and a flag error becomes a usage error that
// suggests the flag meant. The arguments are then fs.Args(); "--" ends the flags.
func (m *Main) parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(m.Stdout)
				fs.Usage()
				fs.SetOutput(io.Discard)
				return err
			}
			return &usageError{flagError(fs, err)}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		if i := len(args) - len(rest) - 1; i >= 0 && (rest[0] == "true" || rest[0] == "false") && isBoolFlag(fs, args[i]) {
			prev := args[i]
			// The flag package takes "--steps false" as --steps and a file named false.
			return usagef("%s %s: a true/false flag takes its value after =: write %s=%s; '%s -h' lists the flags", prev, rest[0], prev, rest[0], fs.Name())
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

// isBoolFlag reports whether arg is a flag of fs, such as --steps or -v, that takes no value
// after a space.
func isBoolFlag(fs *flag.FlagSet, arg string) bool {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(strings.TrimPrefix(name, "-"))
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// invalidFlagValue matches the flag package's error for a value its flag refuses.
var invalidFlagValue = regexp.MustCompile(`^invalid (boolean )?value (".*") for (?:flag )?-([^:]+): (.*)$`)

// flagError rewrites the flag package's error in livehook's terms, with a did-you-mean.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
		name = "--" + strings.TrimPrefix(name, "-")
		msg = "unknown flag " + name + text.Suggest(name, names)
	} else if m := invalidFlagValue.FindStringSubmatch(msg); m != nil {
		why := strings.TrimPrefix(m[4], m[2]+": ") // a flag's own error may name the value too
		if why == "parse error" || m[1] != "" {
			why = wantFor(fs.Lookup(m[3]))
		}
		msg = fmt.Sprintf("--%s %s: %s", m[3], m[2], why)
	} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		msg = fmt.Sprintf("--%s needs a value", strings.TrimPrefix(name, "-"))
	}
	return fmt.Errorf("%s; '%s -h' lists the flags", msg, fs.Name())
}

// sayOnInterrupt prints msg on standard error if ctx is canceled before the returned function
// is called; that function waits for the printing goroutine.
func (m *Main) sayOnInterrupt(ctx context.Context, msg string) (done func()) {
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-ctx.Done():
			fmt.Fprintf(m.Stderr, "\n%s\n", msg)
		case <-stop:
		}
	}()
	return func() {
		close(stop)
		<-finished
	}
}

// wantFor says what a flag of the flag package's own types takes.
func wantFor(f *flag.Flag) string {
	if f == nil {
		return "parse error"
	}
	switch fmt.Sprintf("%T", f.Value) {
	case "*flag.boolValue":
		return "want true or false"
	case "*flag.intValue", "*flag.int64Value", "*flag.uintValue", "*flag.uint64Value":
		return "want a whole number"
	case "*flag.float64Value":
		return "want a number such as 100 or 0.5"
	case "*flag.durationValue":
		return "want a duration such as 2s, 500ms or 1m30s"
	}
	return "parse error"
}

// appIDFlag is an SDKAppID flag whose error says what a valid one looks like.
type appIDFlag uint64

func (a *appIDFlag) String() string { return strconv.FormatUint(uint64(*a), 10) }

func (a *appIDFlag) Set(s string) error {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 {
		return fmt.Errorf("want the app's SDKAppID, a positive whole number such as %d (the console's application list shows it)", webhook.DefaultSDKAppID)
	}
	*a = appIDFlag(v)
	return nil
}

// sdkAppIDFlag defines --sdkappid.
func sdkAppIDFlag(fs *flag.FlagSet, usage string) *uint64 {
	v := uint64(webhook.DefaultSDKAppID)
	fs.Var((*appIDFlag)(&v), "sdkappid", usage)
	return &v
}

// checkTimeout refuses a --timeout that is not a positive duration of at most maxTimeout.
func checkTimeout(d time.Duration) error {
	switch {
	case d <= 0:
		return usagef("--timeout is %v: want a positive duration such as 2s", d)
	case d > maxTimeout:
		return usagef("--timeout is %v: at most %v (the Live backend waits %v for an answer)", d, maxTimeout, webhook.DefaultTimeout)
	}
	return nil
}

// checkOutput refuses, before a run, an output file that could not be written after it; flagName
// is the flag as written (--json).
func checkOutput(flagName, path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return usagef("%s %s: the directory %s does not exist; create it or name a file elsewhere", flagName, path, dir)
	case !fi.IsDir():
		return usagef("%s %s: %s is not a directory", flagName, path, dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("%s %s: that is a directory; name a file", flagName, path)
	}
	f, err := os.CreateTemp(dir, ".livehook-*")
	if err != nil {
		return usagef("%s %s: cannot write in %s: %w", flagName, path, dir, err)
	}
	f.Close()
	_ = os.Remove(f.Name())
	return nil
}

// listenError says why an address could not be listened on: a malformed address is a usage
// error, a taken or forbidden port an I/O error.
func listenError(addr string, err error) error {
	var (
		addrErr *net.AddrError
		dnsErr  *net.DNSError
		parse   *net.ParseError
	)
	if errors.As(err, &addrErr) || errors.As(err, &dnsErr) || errors.As(err, &parse) {
		return usagef("--addr %s: %w; want host:port, e.g. 127.0.0.1:8080 (port 0 picks a free one)", addr, err)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err // the address once, not three times: "bind: address already in use"
	}
	return &ioError{fmt.Errorf("listen on %s: %w", addr, err)}
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
