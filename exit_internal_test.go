package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
