package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/internal/linelog"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/recording"
	"github.com/livehook/livehook/webhook"
)

// redactKeyEnv names the environment variable holding the key of --redact's replacements.
const redactKeyEnv = "LIVEHOOK_REDACT_KEY"

func (m *Main) runReceive(ctx context.Context, args []string) error {
	fs := m.newFlagSet("receive", "", `
Run the reference receiver: it checks every webhook sent to it against the Live protocol
(method, query parameters, SdkAppid, Sign and RequestTime when a token is set, body fields and
types) and answers OK/0, or FAIL with the reason. Point your own sender at it to debug it.
It never refuses a command only because it does not know it: a well-formed command it has no
notes on is acknowledged, and its delivery marked "not in livehook's protocol notes".
GET /deliveries shows what it received, as JSON; DELETE /deliveries clears that log (with
--token, send it as Authorization: Bearer TOKEN; without, only loopback is answered).

The live console is at the receiver's address: open http://127.0.0.1:8080/ in a browser to
watch deliveries arrive, read each one's query, headers, body, checks and answer, filter them,
send one again and download them as a recording. Beyond loopback it needs the --token (or a
--console-token of its own), and is off without one.

With --forward-to, each webhook also goes on, unchanged, to your app, and the sender gets the
app's answer; when the app gives none, 502 or 504 FAIL, never OK/0, so that the sender counts
a failed webhook. With --record, every delivery is appended to a file, one JSON line each, that
'livehook generate --from' turns into a replay; a delivery that cannot be recorded is answered
503 FAIL and the receiver stops (exit 3).
It prints one line per delivery and runs until interrupted (Ctrl-C).

Examples:
  livehook receive --addr 0.0.0.0:8080 --token "$TOKEN" --forward-to http://127.0.0.1:8000/live/webhook
  livehook receive --token "$TOKEN" --record staging.jsonl --redact`)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on; loopback unless you name another interface")
	appID := sdkAppIDFlag(fs, "the app's `SDKAppID`; webhooks for any other are refused")
	token := fs.String("token", "", "callback `TOKEN`; when set, Sign and RequestTime are required and checked (it is never printed or recorded)")
	skew := fs.Duration("max-skew", receiver.DefaultMaxSkew, "how far RequestTime may be from this clock, either way")
	logSize := fs.Int("log-size", receiver.DefaultLogSize, "how many deliveries GET /deliveries keeps")
	forwardTo := fs.String("forward-to", "", "forward every webhook, unchanged, to this `URL` (your app) and answer with its answer")
	forwardTimeout := fs.Duration("forward-timeout", receiver.DefaultForwardTimeout, fmt.Sprintf("how long the app may take to answer a forwarded webhook; below the sender's deadline (%v), so that the receiver's answer when the app is late still counts", webhook.DefaultTimeout))
	insecure := fs.Bool("insecure", false, "accept any TLS certificate from an https --forward-to app (self-signed test deployments)")
	record := fs.String("record", "", "append every delivery to `FILE` as a JSON line (tail -f works; see 'livehook generate --from')")
	redact := fs.Bool("redact", false, "in the recording, GET /deliveries and the log, replace user IDs, room names, URLs, free text and client addresses with keyed hashes, and leave out the headers that name the client (key: $"+redactKeyEnv+")")
	quiet := fs.Bool("q", false, "do not print a line per delivery")
	consoleToken := fs.String("console-token", "", "`TOKEN` that opens the web console (default: --token); needed to serve it beyond loopback")
	noConsole := fs.Bool("no-console", false, "serve no web console, only webhooks and /deliveries")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: receive takes only flags", fs.Arg(0))
	}
	if *skew <= 0 {
		return usagef("--max-skew is %v: want a positive duration, such as %v (how far RequestTime may be from this clock)", *skew, receiver.DefaultMaxSkew)
	}
	if *forwardTimeout <= 0 {
		return usagef("--forward-timeout is %v: want a positive duration, such as %v", *forwardTimeout, receiver.DefaultForwardTimeout)
	}
	if *forwardTimeout >= webhook.DefaultTimeout {
		return usagef("--forward-timeout is %v: want less than the sender's deadline of %v, such as %v, so that the receiver's answer when the app is late reaches the sender in time", *forwardTimeout, webhook.DefaultTimeout, receiver.DefaultForwardTimeout)
	}
	if *forwardTo == "" && (isSet(fs, "forward-timeout") || *insecure) {
		return usagef("--forward-timeout and --insecure apply to forwarding: add --forward-to URL")
	}
	cfg := receiver.Config{SDKAppID: *appID, Token: *token, MaxSkew: *skew, LogSize: *logSize,
		Forward: receiver.Forward{URL: *forwardTo, Timeout: *forwardTimeout, Insecure: *insecure}}
	// Check the configuration before the file is created.
	if _, err := receiver.New(cfg); err != nil {
		return usagef("%w", err) // the configuration is all the flags'
	}

	if *redact {
		// One redaction, in the receiver, for all that leaves it: the recording, the log and
		// GET /deliveries see the same redacted delivery.
		key, note := redactKey()
		fmt.Fprintf(m.Stderr, "livehook receive: redacting the recording, GET /deliveries and the log (%s)\n", note)
		cfg.Redact = recording.NewRedactor(key).Delivery
	}
	var rec *recording.Writer
	recordErr := make(chan error, 1)
	if *record != "" {
		w, err := recording.Create(*record)
		if err != nil {
			return &usageError{err}
		}
		rec = w
		defer rec.Close()
	}
	// A delivery is recorded before it is answered; one that is not recorded is answered 503
	// FAIL (see receiver.Config.Record), never acknowledged, and the receiver stops.
	var recorded, unrecorded atomic.Uint64
	if rec != nil {
		cfg.Record = func(d receiver.Delivery) error {
			if err := rec.Write(recording.FromDelivery(d)); err != nil {
				unrecorded.Add(1)
				select {
				case recordErr <- err:
				default:
				}
				return err
			}
			recorded.Add(1)
			return nil
		}
	}
	// The lines go out from a goroutine of their own: an output nobody reads drops lines (and
	// counts them) rather than holding up an answer.
	lines := linelog.New(m.Stderr, linelog.DefaultLines)
	defer closeLines(lines)
	if !*quiet {
		cfg.OnDelivery = func(d receiver.Delivery) {
			lines.Print(d.Time.Format(time.TimeOnly) + " " + d.RemoteIP + " " + d.Summary())
		}
	}
	if *noConsole && *consoleToken != "" {
		return usagef("--console-token applies to the console: leave out --no-console")
	}
	var cons *console.Console
	consoleErr := error(nil)
	srv, err := receiver.NewUnstartedServer(cfg)
	if err != nil {
		return &ioError{err} // the configuration was checked above: this is the loopback listener
	}
	ln, err := net.Listen("tcp", *addr)
	srv.Listener.Close()
	if err != nil {
		return listenError(*addr, err)
	}
	srv.Listener = ln
	if !*noConsole {
		c, err := console.New(srv.Receiver, console.Options{Addr: *addr, Token: *consoleToken})
		if err != nil {
			consoleErr = err // the receiver runs without its console
		} else {
			cons = c
			srv.Wrap(func(http.Handler) http.Handler { return c })
		}
	}
	if err := srv.Start(); err != nil {
		ln.Close()
		return &ioError{err}
	}
	auth := "no token: Sign is not checked"
	if *token != "" {
		auth = "token set: Sign and RequestTime are checked"
	}
	fmt.Fprintf(m.Stdout, "livehook receive: listening on %s (SdkAppid %d, %s)\nDeliveries: GET %s%s\n", srv.URL, *appID, auth, srv.URL, receiver.DeliveriesPath)
	switch {
	case cons != nil && cons.NeedsToken():
		fmt.Fprintf(m.Stdout, "Console: open %s/ in a browser (it asks for the token)\n", srv.URL)
	case cons != nil:
		fmt.Fprintf(m.Stdout, "Console: open %s/ in a browser\n", srv.URL)
	case consoleErr != nil:
		fmt.Fprintf(m.Stdout, "Console: off: listening beyond loopback without a token; set --token or --console-token to serve it\n")
	}
	if *forwardTo != "" {
		fmt.Fprintf(m.Stdout, "Forwarding to %s: the sender gets the app's answer, or 502/504 FAIL when the app does not answer within %v\n", *forwardTo, *forwardTimeout)
	}
	if rec != nil {
		fmt.Fprintf(m.Stdout, "Recording to %s\n", *record)
	}
	stop := func() error {
		// In-flight requests finish, and their lines are written, before the file is closed and
		// the deliveries are counted.
		shut, cancel := context.WithTimeout(context.Background(), receiver.CloseTimeout)
		defer cancel()
		err := srv.Shutdown(shut)
		if rec != nil {
			err = errors.Join(err, rec.Close())
		}
		closeLines(lines)
		accepted, rejected := srv.Receiver.Counts()
		fmt.Fprintf(m.Stdout, "livehook receive: %d accepted, %d refused", accepted, rejected)
		if rec != nil {
			fmt.Fprintf(m.Stdout, "; %d recorded", recorded.Load())
			if n := unrecorded.Load(); n > 0 {
				fmt.Fprintf(m.Stdout, ", %d not recorded (answered 503 FAIL, for the sender to send again)", n)
			}
		}
		if n := lines.Dropped(); n > 0 {
			fmt.Fprintf(m.Stdout, "; %d log lines dropped, as the output was not read fast enough", n)
		}
		fmt.Fprintln(m.Stdout)
		return err
	}
	select {
	case <-ctx.Done():
		lines.Print("livehook receive: stopping")
		return stop()
	case err := <-recordErr:
		// The error itself is printed once, as the command's.
		lines.Print("livehook receive: the recording failed: stopping; the deliveries not recorded were answered 503 FAIL, not acknowledged")
		// Closing the recording returns the same error: it is said once.
		_ = stop()
		return &ioError{err}
	case <-waitChan(srv.Wait):
		return srv.Wait()
	}
}

// logDrain bounds the wait for the log's last lines at exit, when nobody reads the output.
const logDrain = time.Second

// closeLines writes the log's last lines, waiting at most logDrain.
func closeLines(l *linelog.Log) {
	ctx, cancel := context.WithTimeout(context.Background(), logDrain)
	defer cancel()
	_ = l.Close(ctx)
}

// redactKey is the key of --redact's replacements: $LIVEHOOK_REDACT_KEY, or one for this run.
func redactKey() ([]byte, string) {
	if k := os.Getenv(redactKeyEnv); k != "" {
		return []byte(k), "key from $" + redactKeyEnv + ": the same values get the same replacements in every recording made with it"
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return key, "a key for this run only; set $" + redactKeyEnv + " to get the same replacements across runs"
}

// waitChan runs wait in a goroutine and closes the returned channel when it returns.
func waitChan(wait func() error) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		_ = wait()
		close(done)
	}()
	return done
}
