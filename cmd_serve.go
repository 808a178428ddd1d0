package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/usersig"
	"github.com/livehook/livehook/webhook"
)

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve", "", `
Run the mock Live backend: the REST API an app backend calls (create_room, destroy_room,
get_room_info, modify_admin, get_admin_list under /v4/live_engine_http_srv/, and set_callback,
set_callback_token under /v4/live_config/), checking UserSigs as the real one does, and firing the
resulting webhooks at the callback URL. GET /mock/deliveries shows what became of each webhook,
GET /mock/rooms the rooms. It runs until interrupted (Ctrl-C), then delivers what is pending.

Example:
  livehook serve --callback http://127.0.0.1:8000/live/webhook --secret-key "$SECRET"`)
	addr := fs.String("addr", "127.0.0.1:9090", "`address` to listen on; loopback unless you name another interface")
	appID := fs.Uint64("sdkappid", webhook.DefaultSDKAppID, "the app's `SDKAppID`")
	key := fs.String("secret-key", mockserver.DefaultSecretKey, "the app's secret `KEY`, which UserSigs are checked with")
	skip := fs.Bool("skip-usersig", false, "do not check UserSigs (quick local use)")
	callback := fs.String("callback", "", "the app backend's callback `URL`, where webhooks go (set_callback changes it)")
	token := fs.String("token", "", "callback `TOKEN`: webhooks are signed (set_callback_token changes it)")
	timeout := fs.Duration("timeout", webhook.DefaultTimeout, "deadline of each webhook's answer")
	retries := fs.Int("retries", 0, "times a webhook that timed out is sent again")
	rateLimit := fs.Bool("rate-limit", false, fmt.Sprintf("refuse more than %d calls per second to one API (error 60007), as the real backend", mockserver.DefaultRateLimit))
	idle := fs.Duration("idle-timeout", 0, "dissolve rooms without a call for this long, as the system does with empty rooms (0: never)")
	quiet := fs.Bool("q", false, "do not print a line per call and delivery")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: serve takes only flags", fs.Arg(0))
	}
	if *callback != "" {
		if err := (webhook.Endpoint{URL: *callback, SDKAppID: *appID}).Validate(); err != nil {
			return usagef("--callback: %v", err)
		}
	}
	cfg := mockserver.Config{SDKAppID: *appID, SecretKey: *key, SkipUserSig: *skip, CallbackURL: *callback, Token: *token,
		Timeout: *timeout, Retries: *retries, IdleTimeout: *idle}
	if *rateLimit {
		cfg.RateLimit = mockserver.DefaultRateLimit
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("listen on %s: %v", *addr, err)
	}
	s, err := mockserver.NewUnstartedServer(cfg)
	if err != nil {
		ln.Close()
		return usagef("%v", err)
	}
	s.Listener.Close()
	s.Listener = ln
	if err := s.Start(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "livehook serve: the mock Live backend listens on %s (SdkAppid %d)\n", s.URL, *appID)
	if *skip {
		fmt.Fprintln(m.Stdout, "UserSigs are not checked.")
	} else if sig, err := usersig.Gen(*key, *appID, "administrator", 24*time.Hour, time.Now()); err == nil {
		fmt.Fprintf(m.Stdout, "A UserSig for identifier administrator, valid for a day:\n  %s\n", sig)
	}
	if *callback == "" {
		fmt.Fprintln(m.Stdout, "No --callback: webhooks are fired once set_callback names a URL.")
	} else {
		fmt.Fprintf(m.Stdout, "Webhooks go to %s.\n", *callback)
	}
	fmt.Fprintf(m.Stdout, "Deliveries: GET %s%s\n", s.URL, mockserver.DeliveriesPath)
	<-ctx.Done()
	fmt.Fprintln(m.Stderr, "livehook serve: stopping; delivering the webhooks still pending")
	s.Close()
	st, _ := s.Deliveries()
	fmt.Fprintf(m.Stdout, "livehook serve: %d webhooks fired, %d acknowledged, %d failed\n", st.Fired, st.Acknowledged, st.Failed)
	return nil
}
