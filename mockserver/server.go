// Package mockserver is a mock Live backend: it serves the REST API an app backend (or the
// vendor's admin console) calls to create, list, edit and destroy rooms, set admins, owners and
// metadata and configure its callback, checks UserSigs as the real one does, simulates the rooms'
// live activity, and fires the resulting webhooks back at the app through package delivery,
// logging each as a Delivery with its webhook.Outcome. A Server is shaped like httptest.Server:
// NewServer, or NewUnstartedServer then Start, Close and Shutdown(ctx).
package mockserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/internal/httpserver"
	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Defaults of the mock backend.
const (
	// DefaultSecretKey is the app's secret key for UserSigs unless set; use your own in real tests.
	DefaultSecretKey = "livehook-secret-key"
	// DefaultAdmin is the app administrator the REST API takes calls from unless Admins says others.
	DefaultAdmin = "administrator"
	// DefaultMaxMembers is a new room's MaxMemberCount unless the request or MaxMembers sets one:
	// the vendor's default is the plan's limit, 20 on the trial plan.
	DefaultMaxMembers = 20
	// DefaultRetryBackoff is the wait between a timed-out delivery and its retry.
	DefaultRetryBackoff = time.Second
	// DefaultLogSize is how many deliveries the log keeps, the newest ones.
	DefaultLogSize = 10_000
	// DefaultActivityTick is how often the simulated activity advances when it is on.
	DefaultActivityTick = 250 * time.Millisecond
	// MaxBodyBytes is the largest REST request body taken.
	MaxBodyBytes = 1 << 20
	// DeliveriesPath serves the delivery log as JSON; RoomsPath the rooms.
	DeliveriesPath = "/mock/deliveries"
	RoomsPath      = "/mock/rooms"
	// DefaultReadHeaderTimeout, DefaultReadTimeout and DefaultWriteTimeout bound slow clients,
	// as the reference receiver's do (package receiver): one template serves both.
	DefaultReadHeaderTimeout = httpserver.DefaultReadHeaderTimeout
	DefaultReadTimeout       = httpserver.DefaultReadTimeout
	DefaultWriteTimeout      = httpserver.DefaultWriteTimeout
	// DefaultCloseTimeout bounds Close: how long it waits for calls in flight and deliveries.
	DefaultCloseTimeout = 30 * time.Second
	// DefaultConcurrency is how many deliveries can be in flight at once, for different rooms,
	// unless Config.Delivery says; a room's go one after another, in order.
	DefaultConcurrency = 32
)

// App is one more app on the mock backend, beside Config's: its SDKAppID and secret key. Each app
// has its own rooms, callback configuration and rate limits, as at the vendor, where the
// sdkappid query parameter of every call names the app.
type App struct {
	SDKAppID  uint64
	SecretKey string
}

// Config configures a Server. The zero value (with an SDKAppID) is a backend that verifies
// UserSigs with DefaultSecretKey, takes calls from DefaultAdmin, and fires no webhook until a
// callback is configured.
type Config struct {
	// SDKAppID is the app's; calls for an app the backend does not serve get error 60006. Required.
	SDKAppID uint64
	// SecretKey verifies UserSigs (DefaultSecretKey when empty).
	SecretKey string
	// Apps are more apps served beside SDKAppID, each with its own rooms and callback.
	Apps []App
	// Admins are the identifiers the REST API takes calls from ([DefaultAdmin] when empty);
	// another gets error 60010, as at the vendor, where only app administrators may call.
	Admins []string
	// SkipUserSig turns UserSig verification and the administrator check off, for quick local use.
	SkipUserSig bool
	// CallbackURL, when set, configures SDKAppID's callback at start, for Commands (all of
	// webhook.RoomCommands when empty); set_callback and update_callback change it.
	CallbackURL string
	Commands    []webhook.Command
	// CallbackHosts are the hosts beyond loopback that callback URLs may name (AnyCallbackHost
	// for any); a callback URL naming another is refused, at start and by set_callback and
	// update_callback, so that the mock never sends where a REST caller alone decides.
	CallbackHosts []string
	// Token signs the webhooks (Sign, RequestTime); set_callback_token changes it.
	Token string
	// Timeout is each delivery's deadline (webhook.DefaultTimeout when zero).
	Timeout time.Duration
	// Retries is how many times a delivery that timed out is tried again (0: never, the default).
	Retries int
	// RetryBackoff is the wait before a retry (DefaultRetryBackoff when zero).
	RetryBackoff time.Duration
	// Delivery are the conditions webhooks are delivered under (package delivery): how many go
	// at once (DefaultConcurrency when zero), and, to probe a receiver, duplicates, reordering,
	// delays and clock skew, drawn from Seed. The zero value delivers each webhook once, in order.
	Delivery delivery.Conditions
	// CloseTimeout bounds Close (DefaultCloseTimeout when zero): calls and deliveries still
	// running then are cut short, and the webhooks not delivered are recorded as failed.
	CloseTimeout time.Duration
	// VendorRateLimits refuses calls beyond each API's documented rate (error 60007; 100012 for
	// the gift catalogue, as its pages say): get_room_list 10/s, get_room_stats 100/s, the gift
	// catalogue 1/s, the others 200/s, per app.
	VendorRateLimits bool
	// RateLimit, when set, refuses more than this many calls per second to one API of one app,
	// below the vendor's rates if those are on too.
	RateLimit int
	// MaxMembers is a new room's MaxMemberCount when the request gives none (DefaultMaxMembers
	// when zero), the plan's limit at the vendor.
	MaxMembers int
	// IdleTimeout, when set, dissolves rooms without a REST call and without viewers for this long
	// (DestroyBySystem).
	IdleTimeout time.Duration
	// ActivityRate, when set, makes this many things happen per second in every open room
	// (viewers entering and leaving, likes, messages, gifts), drawn from Seed, so that the room
	// APIs show live figures; 0, the default, keeps every figure at zero for exact tests.
	ActivityRate float64
	// ActivityTick is how often the activity advances (DefaultActivityTick when zero).
	ActivityTick time.Duration
	// Seed seeds the simulated activity and the delivery conditions.
	Seed int64
	// LogSize bounds the delivery log (DefaultLogSize when zero).
	LogSize int
	// ReadHeaderTimeout and ReadTimeout bound how long a client may take to send a request's
	// headers and the whole request (DefaultReadHeaderTimeout, DefaultReadTimeout when zero),
	// so that slow clients cannot hold connections.
	ReadHeaderTimeout, ReadTimeout time.Duration
	// WriteTimeout bounds the time to answer a call (DefaultWriteTimeout when zero): a client
	// that never reads its answer cannot hold the server longer.
	WriteTimeout time.Duration
	// Logf, when set, is told of every REST call and delivery.
	Logf func(format string, args ...any)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Server is a mock Live backend listening on loopback, shaped like httptest.Server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string
	// Listener is where the server listens; NewUnstartedServer lets a caller replace it.
	Listener net.Listener

	cfg    Config
	run    *httpserver.Running
	client *sender.Client
	api    map[string]api
	apps   map[uint64]*app
	main   *app
	admins map[string]bool

	sigMu    sync.Mutex
	verified map[sigKey]time.Time // UserSig, app and identifier → expiry

	log      deliveryLog
	out      *outbox
	dispatch *delivery.Dispatcher
	stop     context.CancelFunc
	wg       sync.WaitGroup // the server's own goroutines but the pump
	pumped   chan struct{}  // closed when the pump has handed over the last webhook
	started  bool

	shutdownOnce sync.Once
	shutdownErr  error

	wrap func(http.Handler) http.Handler // see Wrap
}

// NewServer starts a mock backend on 127.0.0.1 and a port the OS picks.
func NewServer(cfg Config) (*Server, error) {
	s, err := NewUnstartedServer(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewUnstartedServer returns a mock backend listening on 127.0.0.1 but not serving yet: set its
// Listener or inspect it, then call Start.
func NewUnstartedServer(cfg Config) (*Server, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	s.Listener = ln
	return s, nil
}

func newServer(cfg Config) (*Server, error) {
	if cfg.SDKAppID == 0 {
		return nil, errors.New("mockserver: SDKAppID is 0: set the app's SDKAppID, e.g. 1400000001")
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = DefaultSecretKey
	}
	if len(cfg.Admins) == 0 {
		cfg.Admins = []string{DefaultAdmin}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = webhook.DefaultTimeout
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.LogSize == 0 {
		cfg.LogSize = DefaultLogSize
	}
	if cfg.MaxMembers == 0 {
		cfg.MaxMembers = DefaultMaxMembers
	}
	if cfg.ActivityTick <= 0 {
		cfg.ActivityTick = DefaultActivityTick
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = DefaultCloseTimeout
	}
	if cfg.Delivery.Concurrency == 0 {
		cfg.Delivery.Concurrency = DefaultConcurrency
	}
	if err := cfg.Delivery.Validate(); err != nil {
		return nil, fmt.Errorf("mockserver: delivery conditions: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.Retries < 0 || cfg.RateLimit < 0 || cfg.IdleTimeout < 0 || cfg.MaxMembers < 0 || cfg.LogSize < 0:
		return nil, errors.New("mockserver: retries, rate limit, idle timeout, max members and log size cannot be negative")
	case cfg.ActivityRate < 0 || cfg.ActivityRate > 10_000:
		return nil, fmt.Errorf("mockserver: activity rate is %v events per second per room, want 0 to 10000", cfg.ActivityRate)
	case len(cfg.Token) > webhook.MaxTokenLength:
		return nil, fmt.Errorf("mockserver: token is %d characters, at most %d are allowed", len(cfg.Token), webhook.MaxTokenLength)
	}
	for _, c := range cfg.Commands {
		if !c.Configurable() {
			return nil, fmt.Errorf("mockserver: command %q is not a Live webhook the callback configuration takes", c)
		}
	}
	if cfg.CallbackURL != "" {
		if err := (webhook.Endpoint{URL: cfg.CallbackURL, SDKAppID: cfg.SDKAppID}).Validate(); err != nil {
			return nil, fmt.Errorf("mockserver: %w", err)
		}
		u, _ := url.Parse(cfg.CallbackURL) // Validate parsed it
		if err := callbackHostAllowed(u, cfg.CallbackHosts); err != nil {
			return nil, fmt.Errorf("mockserver: callback URL %q: %w", cfg.CallbackURL, err)
		}
	}
	s := &Server{
		cfg: cfg,
		// The one place the mock's delivery path is chosen: the lean transport for plain http
		// (sender's BenchmarkDeliver: about 2.8x net/http's deliveries a second, a third of its
		// allocations), net/http for https.
		client:   sender.NewClient(sender.WithTimeout(cfg.Timeout), sender.WithFastTransport()),
		apps:     map[uint64]*app{},
		admins:   map[string]bool{},
		verified: map[sigKey]time.Time{},
		out:      newOutbox(),
		pumped:   make(chan struct{}),
	}
	for _, a := range cfg.Admins {
		s.admins[a] = true
	}
	for i, a := range append([]App{{SDKAppID: cfg.SDKAppID, SecretKey: cfg.SecretKey}}, cfg.Apps...) {
		switch {
		case a.SDKAppID == 0:
			return nil, fmt.Errorf("mockserver: app #%d: SDKAppID is 0", i)
		case s.apps[a.SDKAppID] != nil:
			return nil, fmt.Errorf("mockserver: app #%d: SDKAppID %d is served twice", i, a.SDKAppID)
		case a.SecretKey == "":
			return nil, fmt.Errorf("mockserver: app #%d (%d): secret key is empty", i, a.SDKAppID)
		}
		s.apps[a.SDKAppID] = newApp(a, cfg.Seed+int64(i))
	}
	s.main = s.apps[cfg.SDKAppID]
	if cfg.CallbackURL != "" {
		s.main.callback = callbackConfig{exists: true, url: cfg.CallbackURL, commands: commandSet(cfg.Commands)}
	}
	if cfg.Token != "" {
		s.main.token = tokenConfig{exists: true, token: cfg.Token, enabled: true}
	}
	s.api = s.apis()
	s.log.init(cfg.LogSize)
	return s, nil
}

// app is the state of one app: its rooms, callback configuration and rate windows.
type app struct {
	App
	mu       sync.Mutex // guards everything below
	rooms    map[string]*liveRoom
	callback callbackConfig
	token    tokenConfig
	rate     map[string]*rateWindow
	gifts    giftCatalog // the gifts and categories (gifts.go)
	profiles profileBook // the Chat accounts' profiles (accounts.go)
	rng      *rand.Rand  // draws the rooms' activity
	carry    float64     // activity events owed to every room, below one
}

func newApp(a App, seed int64) *app {
	return &app{App: a, rooms: map[string]*liveRoom{}, rate: map[string]*rateWindow{},
		rng: rand.New(rand.NewPCG(uint64(seed), a.SDKAppID))}
}

// callbackConfig is an app's callback configuration, as set_callback makes it.
type callbackConfig struct {
	exists   bool
	url      string
	commands map[webhook.Command]bool
}

// tokenConfig is an app's callback token configuration, as set_callback_token makes it.
type tokenConfig struct {
	exists  bool
	token   string
	enabled bool
}

// signingToken is the token webhooks are signed with, or "" when signing is off.
func (t tokenConfig) signingToken() string {
	if t.enabled {
		return t.token
	}
	return ""
}

func commandSet(cmds []webhook.Command) map[webhook.Command]bool {
	if len(cmds) == 0 {
		cmds = webhook.RoomCommands
	}
	m := make(map[webhook.Command]bool, len(cmds))
	for _, c := range cmds {
		m[c] = true
	}
	return m
}

// Start serves on the Listener.
func (s *Server) Start() error {
	if s.started {
		return errors.New("mockserver: already started")
	}
	s.started = true
	s.URL = "http://" + s.Listener.Addr().String()
	d, err := delivery.NewDispatcher(delivery.Config{Client: s.client, Conditions: s.cfg.Delivery, Seed: s.cfg.Seed, Now: s.cfg.Now,
		Retries: s.cfg.Retries, RetryBackoff: s.cfg.RetryBackoff, Report: s.report})
	if err != nil {
		return fmt.Errorf("mockserver: %w", err)
	}
	s.dispatch = d
	go func() {
		defer close(s.pumped)
		s.pump()
	}()
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.run = httpserver.Serve(s.Listener, s.wrapped(), httpserver.Timeouts{ReadHeader: s.cfg.ReadHeaderTimeout, Read: s.cfg.ReadTimeout, Write: s.cfg.WriteTimeout})
	if s.cfg.IdleTimeout > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.every(ctx, max(s.cfg.IdleTimeout/4, 10*time.Millisecond), s.destroyIdle)
		}()
	}
	if s.cfg.ActivityRate > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.every(ctx, s.cfg.ActivityTick, func() { s.simulate(ctx, s.cfg.ActivityTick) })
		}()
	}
	return nil
}

// Wait blocks until the server stops serving and returns why: nil after Close or Shutdown, the
// listener's error otherwise.
func (s *Server) Wait() error {
	if !s.started {
		return errors.New("mockserver: not started")
	}
	return s.run.Wait()
}

// Close is Shutdown bounded by Config.CloseTimeout: it stops taking calls, waits for those in
// flight, and delivers every webhook already fired, each either acknowledged or recorded as
// failed, before it returns.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.CloseTimeout)
	defer cancel()
	_ = s.Shutdown(ctx)
}

// Shutdown stops taking calls, waits for those in flight, stops the simulated activity, and
// delivers every webhook already fired. When ctx ends first, the calls still running are cut
// off, the deliveries in flight are canceled, and every webhook not delivered is recorded as
// failed; Shutdown then returns ctx's error. No webhook is lost either way: each fired one ends
// up acknowledged or failed in the log. Later calls return the first call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() { s.shutdownErr = s.shutdown(ctx) })
	return s.shutdownErr
}

func (s *Server) shutdown(ctx context.Context) error {
	if !s.started {
		s.Listener.Close()
		s.out.close()
		for _, f := range s.out.take() {
			s.unsent(f, "not sent: the mock backend was never started")
		}
		return nil
	}
	var errs []error
	if err := s.run.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	s.stop()
	s.wg.Wait() // no REST call, reaper or activity is left to fire a webhook
	s.out.close()
	select {
	case <-s.pumped:
	case <-ctx.Done():
	}
	if err := s.dispatch.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	<-s.pumped // quick now: the dispatcher takes no more, the rest is recorded as failed
	s.client.CloseIdleConnections()
	if len(errs) > 0 {
		return fmt.Errorf("mockserver: shutdown: %w", errs[0])
	}
	return nil
}

// SetCallback configures where the webhooks of the server's app (Config.SDKAppID) go, as
// set_callback does; no commands means all of webhook.RoomCommands, "" switches webhooks off.
func (s *Server) SetCallback(url string, commands ...webhook.Command) {
	a := s.main
	a.mu.Lock()
	defer a.mu.Unlock()
	a.callback = callbackConfig{exists: url != "", url: url, commands: commandSet(commands)}
}

// SetToken sets the callback token of the server's app ("" switches signing off), as
// set_callback_token does.
func (s *Server) SetToken(token string) {
	a := s.main
	a.mu.Lock()
	a.token = tokenConfig{exists: true, token: token, enabled: token != ""}
	a.mu.Unlock()
}

// Config returns the server's configuration, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// every calls fn every period until ctx ends.
func (s *Server) every(ctx context.Context, period time.Duration, fn func()) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}

// simulate advances every open room's activity by what ActivityRate makes happen in d. Rooms
// are visited in RoomId order, so that one seed makes one history for one sequence of calls.
// When the callback lists Live.CallbackBeforeSendGift, each simulated gift waits for the app's
// answer (outside the app's lock) and is counted only if it is let through.
func (s *Server) simulate(ctx context.Context, d time.Duration) {
	for _, a := range s.appList() {
		var gifts []simulatedGift
		a.mu.Lock()
		due := s.cfg.ActivityRate*d.Seconds() + a.carry
		n := int(due)
		a.carry = due - float64(n)
		if n > 0 {
			// Member webhooks are made only when the callback lists them: a busy room makes many.
			members := a.callback.exists && a.callback.commands[webhook.CommandMemberStateChanged]
			before := a.callback.exists && a.callback.commands[webhook.CommandBeforeSendGift]
			now := s.cfg.Now()
			for _, id := range slices.Sorted(maps.Keys(a.rooms)) {
				r := a.rooms[id]
				h := room.Hooks{At: now}
				if members {
					h.Moved = func(user string, online bool) { s.fire(a, r.MemberEvent(user, online, now)) }
				}
				if before {
					h.Gift = func(g room.SimulatedGift) { gifts = append(gifts, simulatedGift{r, g}) }
				}
				r.SimulateWith(a.rng, n, h)
			}
		}
		a.mu.Unlock()
		s.sendSimulatedGifts(ctx, a, gifts)
	}
}

// appList returns the apps in SDKAppID order.
func (s *Server) appList() []*app {
	out := make([]*app, 0, len(s.apps))
	for _, a := range s.apps {
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y *app) int { return cmp.Compare(x.SDKAppID, y.SDKAppID) })
	return out
}
