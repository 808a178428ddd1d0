package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/load"
)

// Every error has one exit code, found through wrapping; an error nobody classified is a bug,
// said as such, never "usage".
func TestExitCode(t *testing.T) {
	g := NewWithT(t)
	_, pathErr := os.Open("/no/such/file")
	for _, tc := range []struct {
		err  error
		code int
	}{
		{nil, exitOK},
		{flag.ErrHelp, exitOK},
		{errNotMet, exitNotMet},
		{fmt.Errorf("run: %w", errNotMet), exitNotMet},
		{usagef("--rate: %w", errors.New("bad")), exitUsage},
		{fmt.Errorf("wrapped: %w", &load.ConfigError{Err: errors.New("rate is -1")}), exitUsage},
		{&ioError{errors.New("disk full")}, exitIO},
		{fmt.Errorf("writing: %w", pathErr), exitIO},
		{context.Canceled, exitCanceled},
		{errors.New("index out of range"), exitInternal},
	} {
		code, _ := exitCode(tc.err)
		g.Expect(code).To(Equal(tc.code), "%v", tc.err)
	}
	// A usage error that wraps an I/O error is the user's to fix: usage wins.
	code, _ := exitCode(usagef("reading scenarios: %w", pathErr))
	g.Expect(code).To(Equal(exitUsage))
}

func TestAnUnclassifiedErrorIsReportedAsABug(t *testing.T) {
	g := NewWithT(t)
	commands["bug"] = command{"fails", func(*Main, context.Context, []string) error { return errors.New("nil map") }}
	defer delete(commands, "bug")
	var out, errOut writerBuf
	code := NewMain(nil, &out, &errOut).Run(context.Background(), []string{"bug"})
	g.Expect(code).To(Equal(exitInternal))
	g.Expect(errOut.String()).To(Equal("livehook bug: internal error, a bug in livehook (please report it with the command line): nil map\n"))
}

type writerBuf = strings.Builder

// "--steps false" is read by the flag package as --steps and a file named false: refused,
// saying how to write it, while --steps=false and a file after a bool flag are taken.
func TestABoolFlagsValueAfterASpaceIsRefused(t *testing.T) {
	g := NewWithT(t)
	parse := func(args ...string) (*bool, []string, error) {
		m := NewMain(nil, io.Discard, io.Discard)
		fs := m.newFlagSet("run", "", "Testing.")
		steps := fs.Bool("steps", true, "")
		fs.String("target", "", "")
		err := m.parseFlags(fs, args)
		return steps, fs.Args(), err
	}
	for _, args := range [][]string{{"--steps", "false"}, {"my.yaml", "-steps", "true"}, {"--target", "x", "--steps", "false", "my.yaml"}} {
		_, _, err := parse(args...)
		code, _ := exitCode(err)
		g.Expect(code).To(Equal(exitUsage), "%q", args)
		g.Expect(err).To(MatchError(MatchRegexp(`^-?-steps (false|true): a true/false flag takes its value after =: write -?-steps=(false|true); 'livehook run -h' lists the flags$`)), "%q", args)
	}
	steps, files, err := parse("--steps=false", "my.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*steps).To(BeFalse())
	g.Expect(files).To(Equal([]string{"my.yaml"}))
	_, files, err = parse("--steps", "my.yaml", "--target", "false")
	g.Expect(err).NotTo(HaveOccurred(), "a string flag's value false is its value")
	g.Expect(files).To(Equal([]string{"my.yaml"}))
	_, files, err = parse("--steps", "--", "false")
	g.Expect(err).NotTo(HaveOccurred(), "after --, false is a file")
	g.Expect(files).To(Equal([]string{"false"}))
}

// FuzzParseFlags: no command line panics the flag handling, and every refusal is a usage error
// that says where the flags are listed.
func FuzzParseFlags(f *testing.F) {
	for _, s := range []string{"--taget x", "--sdkappid abc", "--rate NaN --duration 5", "--steps=maybe", "-h", "--", "a --rate 1 b", "--sdkappid 18446744073709551616", "---x", "--steps false", "a -steps true"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		m := NewMain(nil, io.Discard, io.Discard)
		fs := m.newFlagSet("fuzz", "", "Fuzzing.")
		sdkAppIDFlag(fs, "the app's `SDKAppID`")
		fs.Float64("rate", 1, "")
		fs.Duration("duration", 0, "")
		fs.Bool("steps", true, "")
		fs.Int("parallel", 1, "")
		fs.String("target", "", "")
		err := m.parseFlags(fs, strings.Fields(line))
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return
		}
		if code, _ := exitCode(err); code != exitUsage {
			t.Fatalf("%q: exit %d for %v", line, code, err)
		}
		if !strings.Contains(err.Error(), "'livehook fuzz -h' lists the flags") {
			t.Fatalf("%q: %v", line, err)
		}
	})
}

// load -h shows no default of the closed model or of the rooms traffic as if it were a run's:
// a load run is open and mixed unless told otherwise.
func TestLoadHelpShowsOnlyTheDefaultRunsDefaults(t *testing.T) {
	g := NewWithT(t)
	var out, errOut writerBuf
	code := NewMain(nil, &out, &errOut).Run(context.Background(), []string{"load", "-h"})
	g.Expect(code).To(Equal(exitOK))
	help := out.String() + errOut.String()
	flagHelp := func(name string) string {
		_, after, ok := strings.Cut(help, "\n  -"+name+" ")
		g.Expect(ok).To(BeTrue(), name)
		line, _, _ := strings.Cut(after, "\n  -")
		return line
	}
	g.Expect(flagHelp("concurrency")).To(ContainSubstring("closed model: how many senders, 10 unless set"))
	g.Expect(flagHelp("concurrency")).NotTo(ContainSubstring("(default"))
	g.Expect(flagHelp("speedup")).To(ContainSubstring("60 unless set"))
	g.Expect(flagHelp("speedup")).NotTo(ContainSubstring("(default"))
	g.Expect(flagHelp("rate")).To(ContainSubstring("(default 100)"), "the open model's, the default run's")
}
