package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/internal/linelog"
	"github.com/livehook/livehook/internal/plural"
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
	case certFile != "" && keyFile == "":
		return nil, "", usagef("--tls-cert without --tls-key: give both PEM files, the certificate and its private key")
	case certFile == "" && keyFile != "":
		return nil, "", usagef("--tls-key without --tls-cert: give both PEM files, the certificate and its private key")
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
Each API's shapes, limits, error codes and vendor page: docs/protocol.md §6
(https://github.com/livehook/livehook/blob/main/docs/protocol.md).
send_gift, and each simulated gift (--activity), wait for Live.CallbackBeforeSendGift when the
callback lists it: the app's answer decides (ErrorCode 0 lets the gift go; another code, or no
answer within --timeout, blocks it, unless Live.CallbackBeforeCallBackNotBlock is listed too),
and a blocked gift is not counted; /mock/deliveries marks it "blocked".
set_callback and update_callback take every name of the vendor's webhook command list
(https://trtc.io/document/64413):
`+commandList()+`

The live console is at the mock's address: open http://127.0.0.1:9090/ in a browser to watch
the rooms (info, admins, metadata, statistics), the callback configuration and every webhook
fired with what became of it, and to call the room APIs by hand. Beyond loopback it needs a
--console-token, and is off without one.

GET /mock/deliveries shows what became of each webhook, GET /mock/rooms the rooms. It runs until
interrupted (Ctrl-C or SIGTERM), then delivers the webhooks still pending for at most --drain
(3s); those left are recorded as failed, named, and make the exit code 1. A second interrupt
stops at once (exit 130). Webhooks go to loopback callback URLs only, unless
--allow-callback-host names another host.

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
	rateLimit := fs.Bool("rate-limit", false, "refuse calls beyond each API's documented rate (error 60007; 100012 for the gift catalogue APIs, as their pages say): get_room_list 10/s, get_room_stats 100/s, the gift catalogue 1/s, others 200/s")
	maxMembers := fs.Int("max-members", mockserver.DefaultMaxMembers, "a new room's MaxMemberCount when the request gives none (the plan's limit)")
	activity := fs.Float64("activity", 0, "simulate this many viewer entries, likes, messages and gifts per second in every room (0: off)")
	seed := fs.Int64("seed", 1, "seed of the simulated activity")
	idle := fs.Duration("idle-timeout", 0, "dissolve rooms without a call and without viewers for this long, as the system does with empty rooms (0: never)")
	quiet := fs.Bool("q", false, "do not print a line per call and delivery")
	drain := fs.Duration("drain", DefaultDrain, "once interrupted, how long to go on delivering the webhooks already fired; those left are recorded as failed, named, and make the exit code 1")
	consoleToken := fs.String("console-token", "", "`TOKEN` that opens the web console; needed to serve it beyond loopback")
	noConsole := fs.Bool("no-console", false, "serve no web console, only the API and /mock/")
	deliveryFlag := fs.String("delivery", "", "deliver the webhooks as the Live backend does: `CONDITIONS` such as 'concurrency=32,duplicate=1%,reorder=1%,skew=-30s' (see the README's Delivery section)")
	var callbackHosts hostsFlag
	fs.Var(&callbackHosts, "allow-callback-host", "let callback URLs name this `HOST` beyond loopback (repeatable, or comma-separated; * for any): without it, webhooks go to loopback only")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate `FILE` (PEM), with --tls-key")
	tlsKey := fs.String("tls-key", "", "the private key `FILE` (PEM) of --tls-cert")
	tlsName := fs.String("tls-self-signed", "", "serve HTTPS with a self-signed certificate made at start for these comma-separated `NAMES` (e.g. console.tim.qq.com,127.0.0.1), written to --tls-cert-out for clients to trust")
	tlsOut := fs.String("tls-cert-out", "livehook-mock-cert.pem", "with --tls-self-signed, where its certificate (PEM, no key) is written")
	printSig := fs.Bool("print-usersig", false, "print a UserSig for the first of --admins, valid for a day, made with --secret-key (it is a credential: mind where the output goes)")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if *noConsole && *consoleToken != "" {
		return usagef("--console-token applies to the console: leave out --no-console")
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
	if *drain <= 0 {
		return usagef("--drain is %v: want a positive duration, such as %v", *drain, DefaultDrain)
	}
	if *idle < 0 {
		return usagef("--idle-timeout is %v: want 0 (never) or a positive duration", *idle)
	}
	if *printSig && *skip {
		return usagef("--print-usersig with --skip-usersig: UserSigs are not checked, so none is needed")
	}
	cfg := mockserver.Config{SDKAppID: *appID, SecretKey: *key, Apps: apps, SkipUserSig: *skip, CallbackURL: *callback, Commands: cmds, Token: *token,
		Timeout: *timeout, Retries: *retries, IdleTimeout: *idle, VendorRateLimits: *rateLimit, MaxMembers: *maxMembers,
		ActivityRate: *activity, Seed: *seed, CallbackHosts: callbackHosts, CloseTimeout: *drain}
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
	// As receive's: an output nobody reads drops lines rather than holding up a call or a delivery.
	lines := linelog.New(m.Stderr, linelog.DefaultLines)
	defer closeLines(lines)
	if !*quiet {
		cfg.Logf = func(format string, args ...any) {
			lines.Printf(time.Now().Format(time.TimeOnly)+" "+format, args...)
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
	var cons *console.Mock
	if !*noConsole {
		s.Wrap(func(h http.Handler) http.Handler {
			c, err := console.NewMock(s, h, console.Options{Addr: *addr, Token: *consoleToken})
			if err != nil {
				return h // beyond loopback without a token: no console, as the startup line says
			}
			cons = c
			return c
		})
	}
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
	if w := listenWarning(ln.Addr(), *skip, *key); w != "" {
		fmt.Fprintln(m.Stderr, "livehook serve: warning: "+w)
	}
	switch {
	case len(callbackHosts) == 0:
		fmt.Fprintln(m.Stdout, "Webhooks go to loopback callback URLs only (--allow-callback-host HOST allows others).")
	case slices.Contains(callbackHosts, mockserver.AnyCallbackHost):
		fmt.Fprintln(m.Stdout, "Webhooks may go to any host a callback URL names (--allow-callback-host *).")
	default:
		fmt.Fprintf(m.Stdout, "Webhooks go to loopback callback URLs and to %s.\n", strings.Join(callbackHosts, ", "))
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
	switch {
	case cons != nil && cons.NeedsToken():
		fmt.Fprintf(m.Stdout, "Console: open %s/ in a browser (it asks for the --console-token)\n", url)
	case cons != nil:
		fmt.Fprintf(m.Stdout, "Console: open %s/ in a browser\n", url)
	case !*noConsole:
		fmt.Fprintln(m.Stdout, "Console: off: listening beyond loopback without a token; set --console-token to serve it")
	}
	select {
	case <-ctx.Done():
		return m.stopServe(s, lines, *drain)
	case <-waitChan(s.Wait):
		// The listener failed: no call is taken any more, but what was fired is still delivered.
		err := s.Wait()
		lines.Printf("livehook serve: stopped serving: %v", err)
		return errors.Join(&ioError{err}, m.stopServe(s, lines, *drain))
	}
}

// DefaultDrain bounds how long serve, once interrupted, goes on delivering the webhooks already
// fired: long enough for the deliveries in flight to get their answers, short enough that a
// stop (a SIGTERM from an orchestrator, say) is not held up by a receiver that stalls.
const DefaultDrain = 3 * time.Second

// errUndelivered means serve stopped with webhooks it had fired and not delivered (exit 1).
var errUndelivered = fmt.Errorf("webhooks left undelivered: %w", errNotMet)

// stopServe delivers the webhooks still pending, for at most drain, or until a second
// interrupt; those not delivered by then are recorded as failed, and named.
func (m *Main) stopServe(s *mockserver.Server, lines *linelog.Log, drain time.Duration) error {
	pending, _ := s.Deliveries()
	if pending.Pending == 0 {
		lines.Print("livehook serve: stopping; no webhook is pending")
	} else {
		lines.Printf("livehook serve: stopping; delivering the %s still pending, for at most %v (interrupt again to exit at once)", plural.Of(pending.Pending, "webhook"), drain)
	}
	began := time.Now()
	shut, cancel := context.WithTimeout(context.Background(), drain)
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
	st, ds := s.Deliveries()
	closeLines(lines)
	fmt.Fprintf(m.Stdout, "livehook serve: %s fired, %d acknowledged, %d failed\n", plural.Of(st.Fired, "webhook"), st.Acknowledged, st.Failed)
	if n := lines.Dropped(); n > 0 {
		fmt.Fprintf(m.Stdout, "livehook serve: %s dropped, as the output was not read fast enough\n", plural.Of(int(n), "log line"))
	}
	// The webhooks the stop cut off: canceled, and done since it began.
	var cut []mockserver.Delivery
	for _, d := range ds {
		if d.Outcome == webhook.Canceled && !d.Redelivery && !d.Done.Before(began) {
			cut = append(cut, d)
		}
	}
	wasAborted := <-aborted
	if len(cut) > 0 {
		why := fmt.Sprintf("still pending after the %v drain", drain)
		if wasAborted {
			why = "cut off by the second interrupt"
		}
		fmt.Fprintf(m.Stdout, "livehook serve: %s %s not delivered (recorded as failed):\n", plural.Of(len(cut), "webhook"), why+map[bool]string{true: " was", false: " were"}[len(cut) == 1])
		const shown = 10
		for i, d := range cut {
			if i == shown {
				fmt.Fprintf(m.Stdout, "  ... and %d more\n", len(cut)-shown)
				break
			}
			to := "not sent yet"
			if d.URL != "" {
				to = "to " + d.URL
			}
			fmt.Fprintf(m.Stdout, "  #%d %s room %s %s\n", d.Seq, d.Command, strconv.QuoteToGraphic(d.RoomId), to)
		}
	}
	if wasAborted {
		fmt.Fprintln(m.Stdout, "livehook serve: stopped at once: the webhooks not delivered are counted as failed")
		return context.Canceled
	}
	if err != nil || len(cut) > 0 {
		return errUndelivered
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

// hostsFlag collects --allow-callback-host HOST, repeatable and comma-separated.
type hostsFlag []string

func (f *hostsFlag) String() string { return strings.Join(*f, ",") }

func (f *hostsFlag) Set(v string) error {
	for h := range strings.SplitSeq(v, ",") {
		h = strings.TrimSpace(h)
		if h == "" || strings.ContainsAny(h, "/:?#@ ") && net.ParseIP(h) == nil {
			return fmt.Errorf("%q is not a host name or address, e.g. app.internal or 10.0.0.5", h)
		}
		*f = append(*f, strings.ToLower(h))
	}
	return nil
}

// listenWarning says what is open to anyone who reaches a mock listening beyond loopback:
// everything without UserSig checks, and UserSigs made with the public default key.
func listenWarning(a net.Addr, skip bool, key string) string {
	switch {
	case isLoopback(a):
		return ""
	case skip:
		return fmt.Sprintf("listening on %s, beyond loopback, with --skip-usersig: anyone who reaches it can create and destroy rooms and set where webhooks go", a)
	case key == mockserver.DefaultSecretKey:
		return fmt.Sprintf("listening on %s, beyond loopback, with the default --secret-key, which is public: anyone who reaches it can make UserSigs; set --secret-key to your own", a)
	}
	return ""
}

// isLoopback reports whether a listener's address is on loopback only.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
