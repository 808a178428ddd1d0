package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/usersig"
	"github.com/livehook/livehook/webhook"
)

// commandList is webhook.Documented for serve's help, a few names a line.
func commandList() string {
	var b strings.Builder
	line := 0
	for i, d := range webhook.Documented {
		switch {
		case i == 0:
			b.WriteString("  ")
		case line+len(d.Command)+2 > 96:
			b.WriteString(",\n  ")
			line = 0
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(d.Command))
		line += len(d.Command) + 2
	}
	return b.String()
}

// serveTLS is the TLS configuration of --tls-cert/--tls-key or --tls-self-signed (nil for plain
// HTTP), and a line saying where a self-signed certificate was written.
func serveTLS(certFile, keyFile, names, out string) (*tls.Config, string, error) {
	switch {
	case names != "" && (certFile != "" || keyFile != ""):
		return nil, "", usagef("--tls-self-signed makes its own certificate: leave out --tls-cert and --tls-key")
	case (certFile == "") != (keyFile == ""):
		return nil, "", usagef("--tls-cert and --tls-key go together: give both PEM files")
	case certFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, "", usagef("--tls-cert %s, --tls-key %s: %v", certFile, keyFile, err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, "", nil
	case names == "":
		return nil, "", nil
	}
	var list []string
	for _, n := range strings.Split(names, ",") {
		if n = strings.TrimSpace(n); n != "" {
			list = append(list, n)
		}
	}
	cert, pemBytes, err := mockserver.SelfSigned(list...)
	if err != nil {
		return nil, "", usagef("--tls-self-signed: %v", err)
	}
	if err := os.WriteFile(out, pemBytes, 0o644); err != nil {
		return nil, "", &ioError{fmt.Errorf("--tls-cert-out: %w", err)}
	}
	note := fmt.Sprintf("TLS: a self-signed certificate for %s, valid %v, written to %s (trust it, e.g. NODE_EXTRA_CA_CERTS=%s).",
		strings.Join(list, ", "), mockserver.SelfSignedValidity, out, out)
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, note, nil
}

// apiList is mockserver.APIs for serve's help, grouped by path prefix, a few names a line.
func apiList() string {
	var b strings.Builder
	prefix, line := "", 0
	for _, p := range mockserver.APIs() {
		i := strings.LastIndexByte(p, '/')
		dir, name := p[:i+1], p[i+1:]
		switch {
		case dir != prefix:
			if prefix != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "Under %s:\n  %s", dir, name)
			prefix, line = dir, len(name)+2
		case line+len(name)+2 > 96:
			fmt.Fprintf(&b, ",\n  %s", name)
			line = len(name) + 2
		default:
			fmt.Fprintf(&b, ", %s", name)
			line += len(name) + 2
		}
	}
	return b.String()
}

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve", "", `
Run the mock Live backend: the REST API an app backend or the vendor's admin console calls,
checking UserSigs and administrators as the real one does, and firing the resulting webhooks at
the callback URL. Every answer is HTTP 200 with ActionStatus, ErrorCode and ErrorInfo.

`+apiList()+`
send_gift, and each simulated gift (--activity), wait for Live.CallbackBeforeSendGift when the
callback lists it: the app's answer decides (ErrorCode 0 lets the gift go; another code, or no
answer within --timeout, blocks it, unless Live.CallbackBeforeCallBackNotBlock is listed too),
and a blocked gift is not counted; /mock/deliveries marks it "blocked".
set_callback and update_callback take every name of the vendor's webhook command list
(https://trtc.io/document/64413):
`+commandList()+`

GET /mock/deliveries shows what became of each webhook, GET /mock/rooms the rooms. It runs until
interrupted (Ctrl-C or SIGTERM), then delivers the webhooks still pending; a second interrupt
stops at once, recording those not delivered as failed.

Example:
  livehook serve --callback http://127.0.0.1:8000/live/webhook --skip-usersig
  curl -s -d '{"RoomInfo":{"RoomId":"r1","RoomType":"Live"}}' \
    'http://127.0.0.1:9090/v4/live_engine_http_srv/create_room?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json'`)
	addr := fs.String("addr", "127.0.0.1:9090", "`address` to listen on; loopback unless you name another interface")
	appID := sdkAppIDFlag(fs, "the app's `SDKAppID`")
	key := fs.String("secret-key", mockserver.DefaultSecretKey, "the app's secret `KEY`, which UserSigs are checked with")
	var apps appFlag
	fs.Var(&apps, "app", "serve one more app, as `SDKAPPID:KEY`, with its own rooms and callback (repeatable)")
	admins := fs.String("admins", mockserver.DefaultAdmin, "the app administrators the REST API takes calls from, comma-separated `IDS`")
	skip := fs.Bool("skip-usersig", false, "do not check UserSigs nor administrators (quick local use)")
	callback := fs.String("callback", "", "the app backend's callback `URL`, where webhooks go (update_callback changes it)")
	token := fs.String("token", "", "callback `TOKEN`: webhooks are signed (set_callback_token changes it)")
	commands := fs.String("commands", "", "with --callback, the `COMMANDS` it fires, comma-separated names of the command list above, or 'all' (default: the room webhooks)")
	timeout := fs.Duration("timeout", webhook.DefaultTimeout, fmt.Sprintf("deadline of each webhook's answer, at most %v", maxTimeout))
	retries := fs.Int("retries", 0, "times a webhook that timed out is sent again")
	rateLimit := fs.Bool("rate-limit", false, "refuse calls beyond each API's documented rate (error 60007): get_room_list 10/s, get_room_stats 100/s, others 200/s")
	maxMembers := fs.Int("max-members", mockserver.DefaultMaxMembers, "a new room's MaxMemberCount when the request gives none (the plan's limit)")
	activity := fs.Float64("activity", 0, "simulate this many viewer entries, likes, messages and gifts per second in every room (0: off)")
	seed := fs.Int64("seed", 1, "seed of the simulated activity")
	idle := fs.Duration("idle-timeout", 0, "dissolve rooms without a call and without viewers for this long, as the system does with empty rooms (0: never)")
	quiet := fs.Bool("q", false, "do not print a line per call and delivery")
	deliveryFlag := fs.String("delivery", "", "deliver the webhooks as the Live backend does: `CONDITIONS` such as 'concurrency=32,duplicate=1%,reorder=1%,skew=-30s' (see the README's Delivery section)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate `FILE` (PEM), with --tls-key")
	tlsKey := fs.String("tls-key", "", "the private key `FILE` (PEM) of --tls-cert")
	tlsName := fs.String("tls-self-signed", "", "serve HTTPS with a self-signed certificate made at start for these comma-separated `NAMES` (e.g. console.tim.qq.com,127.0.0.1), written to --tls-cert-out for clients to trust")
	tlsOut := fs.String("tls-cert-out", "livehook-mock-cert.pem", "with --tls-self-signed, where its certificate (PEM, no key) is written")
	printSig := fs.Bool("print-usersig", false, "print a UserSig for the first of --admins, valid for a day, made with --secret-key (it is a credential: mind where the output goes)")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: serve takes only flags", fs.Arg(0))
	}
	if *callback != "" {
		if err := (webhook.Endpoint{URL: *callback, SDKAppID: *appID}).Validate(); err != nil {
			return usagef("--callback: %w", err)
		}
	}
	var cmds []webhook.Command
	switch {
	case *commands != "" && *callback == "":
		return usagef("--commands applies to --callback URL")
	case *commands == "all":
		cmds = webhook.CallbackCommands
	case *commands != "":
		for _, c := range strings.Split(*commands, ",") {
			cmd := webhook.Command(strings.TrimSpace(c))
			if !cmd.Configurable() {
				return usagef("--commands: %q is not in the vendor's webhook command list (serve -h lists it)", cmd)
			}
			cmds = append(cmds, cmd)
		}
	}
	if err := checkTimeout(*timeout); err != nil {
		return err
	}
	if *retries < 0 {
		return usagef("--retries is %d: want 0 or more", *retries)
	}
	if *idle < 0 {
		return usagef("--idle-timeout is %v: want 0 (never) or a positive duration", *idle)
	}
	if *printSig && *skip {
		return usagef("--print-usersig with --skip-usersig: UserSigs are not checked, so none is needed")
	}
	cfg := mockserver.Config{SDKAppID: *appID, SecretKey: *key, Apps: apps, SkipUserSig: *skip, CallbackURL: *callback, Commands: cmds, Token: *token,
		Timeout: *timeout, Retries: *retries, IdleTimeout: *idle, VendorRateLimits: *rateLimit, MaxMembers: *maxMembers,
		ActivityRate: *activity, Seed: *seed}
	if *deliveryFlag != "" {
		c, err := delivery.Parse(*deliveryFlag)
		if err != nil {
			return usagef("--delivery: %v", err)
		}
		cfg.Delivery = c
	}
	for _, a := range strings.Split(*admins, ",") {
		if a = strings.TrimSpace(a); a != "" {
			cfg.Admins = append(cfg.Admins, a)
		}
	}
	if !*quiet {
		var mu sync.Mutex
		cfg.Logf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(m.Stderr, time.Now().Format(time.TimeOnly)+" "+format+"\n", args...)
		}
	}
	tuneGC()
	s, err := mockserver.NewUnstartedServer(cfg)
	if err != nil {
		return usagef("%w", err) // the configuration is all the flags'
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		s.Listener.Close()
		return listenError(*addr, err)
	}
	s.Listener.Close()
	s.Listener = ln
	tlsCfg, certNote, err := serveTLS(*tlsCert, *tlsKey, *tlsName, *tlsOut)
	if err != nil {
		ln.Close()
		return err
	}
	if tlsCfg != nil {
		s.Listener = tls.NewListener(ln, tlsCfg)
	}
	if err := s.Start(); err != nil {
		return &ioError{err}
	}
	url := s.URL
	if tlsCfg != nil {
		url = strings.Replace(url, "http://", "https://", 1)
	}
	fmt.Fprintf(m.Stdout, "livehook serve: the mock Live backend listens on %s (SdkAppid %d)\n", url, *appID)
	if certNote != "" {
		fmt.Fprintln(m.Stdout, certNote)
	}
	switch {
	case *skip:
		fmt.Fprintln(m.Stdout, "UserSigs are not checked.")
	case *printSig:
		sig, err := usersig.Gen(*key, *appID, cfg.Admins[0], 24*time.Hour, time.Now())
		if err != nil {
			s.Close()
			return usagef("--print-usersig: %w", err)
		}
		fmt.Fprintf(m.Stdout, "A UserSig for identifier %s, valid for a day:\n  %s\n", cfg.Admins[0], sig)
	default:
		fmt.Fprintf(m.Stdout, "UserSigs are checked (--print-usersig prints one for %s).\n", cfg.Admins[0])
	}
	if *callback == "" {
		fmt.Fprintln(m.Stdout, "No --callback: webhooks are fired once set_callback names a URL.")
	} else {
		fmt.Fprintf(m.Stdout, "Webhooks go to %s.\n", *callback)
	}
	fmt.Fprintf(m.Stdout, "Deliveries: GET %s%s\n", url, mockserver.DeliveriesPath)
	<-ctx.Done()
	return m.stopServe(s)
}

// stopServe delivers the webhooks still pending, within the mock's close timeout, or until a
// second interrupt: then those not delivered are recorded as failed at once.
func (m *Main) stopServe(s *mockserver.Server) error {
	pending, _ := s.Deliveries()
	if pending.Pending == 0 {
		fmt.Fprintf(m.Stderr, "livehook serve: stopping; no webhook is pending\n")
	} else {
		fmt.Fprintf(m.Stderr, "livehook serve: stopping; delivering the %d webhooks still pending (interrupt again to exit at once)\n", pending.Pending)
	}
	shut, cancel := context.WithTimeout(context.Background(), s.Config().CloseTimeout)
	defer cancel()
	aborted := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		select {
		case <-m.Abort:
			cancel()
			aborted <- true
		case <-done:
			aborted <- false
		}
	}()
	err := s.Shutdown(shut)
	close(done)
	st, _ := s.Deliveries()
	fmt.Fprintf(m.Stdout, "livehook serve: %d webhooks fired, %d acknowledged, %d failed\n", st.Fired, st.Acknowledged, st.Failed)
	if <-aborted {
		fmt.Fprintln(m.Stdout, "livehook serve: stopped at once: the webhooks not delivered are counted as failed")
		return context.Canceled
	}
	if err != nil {
		fmt.Fprintf(m.Stdout, "livehook serve: the webhooks still pending after %v are counted as failed\n", s.Config().CloseTimeout)
	}
	return nil
}

// appFlag collects --app SDKAPPID:KEY.
type appFlag []mockserver.App

func (f *appFlag) String() string { return fmt.Sprint(len(*f), " apps") }

func (f *appFlag) Set(v string) error {
	id, key, ok := strings.Cut(v, ":")
	n, err := strconv.ParseUint(id, 10, 64)
	if !ok || err != nil || n == 0 || key == "" {
		return fmt.Errorf("%q is not SDKAPPID:KEY, e.g. 1400000002:its-secret-key", v)
	}
	*f = append(*f, mockserver.App{SDKAppID: n, SecretKey: key})
	return nil
}
