package main

import (
	"context"
	"fmt"
	"time"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

func (m *Main) runReceive(ctx context.Context, args []string) error {
	fs := m.newFlagSet("receive", "", `
Run the reference receiver: it checks every webhook sent to it against the Live protocol
(method, query parameters, SdkAppid, Sign and RequestTime when a token is set, body fields and
types) and answers OK/0, or FAIL with the reason. Point your own sender at it to debug it.
GET /deliveries shows what it received, as JSON; DELETE /deliveries clears that log.
It runs until interrupted (Ctrl-C).`)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on; loopback unless you name another interface")
	appID := fs.Uint64("sdkappid", webhook.DefaultSDKAppID, "the app's `SDKAppID`; webhooks for any other are refused")
	token := fs.String("token", "", "callback `TOKEN`; when set, Sign and RequestTime are required and checked")
	skew := fs.Duration("max-skew", receiver.DefaultMaxSkew, "how far RequestTime may be from this clock")
	logSize := fs.Int("log-size", receiver.DefaultLogSize, "how many deliveries GET /deliveries keeps")
	quiet := fs.Bool("q", false, "do not print a line per delivery")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: receive takes only flags", fs.Arg(0))
	}
	cfg := receiver.Config{SDKAppID: *appID, Token: *token, MaxSkew: *skew, LogSize: *logSize}
	if !*quiet {
		cfg.OnDelivery = func(d receiver.Delivery) {
			verdict := "OK"
			if !d.Accepted {
				verdict = fmt.Sprintf("FAIL %d: %s", d.Status, d.Reason)
			}
			cmd := d.Command
			if cmd == "" {
				cmd = "-"
			}
			fmt.Fprintf(m.Stderr, "%s #%d %s %s %s\n", d.Time.Format(time.TimeOnly), d.Seq, d.RemoteIP, cmd, verdict)
		}
	}
	srv, err := receiver.Start(*addr, cfg)
	if err != nil {
		return &usageError{err}
	}
	auth := "no token: Sign is not checked"
	if *token != "" {
		auth = "token set: Sign and RequestTime are checked"
	}
	fmt.Fprintf(m.Stdout, "livehook receive: listening on %s (SdkAppid %d, %s)\nDeliveries: GET %s%s\n", srv.URL, *appID, auth, srv.URL, receiver.DeliveriesPath)
	select {
	case <-ctx.Done():
		fmt.Fprintln(m.Stderr, "livehook receive: stopping")
		accepted, rejected := srv.Receiver.Counts()
		err := srv.Close()
		fmt.Fprintf(m.Stdout, "livehook receive: %d accepted, %d refused\n", accepted, rejected)
		return err
	case <-waitChan(srv.Wait):
		return srv.Wait()
	}
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
