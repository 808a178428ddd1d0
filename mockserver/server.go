// Package mockserver is a mock Live backend: it serves the REST API an app backend calls to
// create and destroy rooms and set admins, and fires the resulting webhooks back at the app.
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/webhook"
)

// Defaults of the mock backend.
const (
	// DefaultSecretKey is the app's secret key for UserSigs unless set; use your own in real tests.
	DefaultSecretKey = "livehook-secret-key"
	// DefaultRateLimit is the vendor's limit per API, when the limit is switched on.
	DefaultRateLimit = 200
	// DefaultRetryBackoff is the wait between a timed-out delivery and its retry.
	DefaultRetryBackoff = time.Second
	// DefaultLogSize is how many deliveries the log keeps, the newest ones.
	DefaultLogSize = 10_000
	// MaxBodyBytes is the largest REST request body taken.
	MaxBodyBytes = 1 << 20
	// DeliveriesPath serves the delivery log as JSON; RoomsPath the rooms.
	DeliveriesPath = "/mock/deliveries"
	RoomsPath      = "/mock/rooms"
	// DefaultReadHeaderTimeout and DefaultReadTimeout bound slow clients.
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	// deliveryWorkers is how many deliveries can be in flight; a room's go through one, in order.
	deliveryWorkers = 32
)

// Config configures a Server. The zero value (with an SDKAppID) is a backend that verifies
// UserSigs with DefaultSecretKey and fires no webhook until a callback URL is set.
type Config struct {
	// SDKAppID is the app's; requests for another get error 60006. Required.
	SDKAppID uint64
	// SecretKey verifies UserSigs (DefaultSecretKey when empty).
	SecretKey string
	// SkipUserSig turns UserSig verification off, for quick local use.
	SkipUserSig bool
	// CallbackURL is where the webhooks go; set_callback changes it. Empty fires none.
	CallbackURL string
	// Token signs the webhooks (Sign, RequestTime); set_callback_token changes it.
	Token string
	// Timeout is each delivery's deadline (webhook.DefaultTimeout when zero).
	Timeout time.Duration
	// Retries is how many times a delivery that timed out is tried again (0: never, the default).
	Retries int
	// RetryBackoff is the wait before a retry (DefaultRetryBackoff when zero).
	RetryBackoff time.Duration
	// RateLimit, when set, refuses more than this many calls per second to one API (error 60007).
	RateLimit int
	// IdleTimeout, when set, dissolves rooms without a REST call for this long (DestroyBySystem).
	IdleTimeout time.Duration
	// Seed makes the statistics a destroy reports.
	Seed int64
	// LogSize bounds the delivery log (DefaultLogSize when zero).
	LogSize int
	// ReadHeaderTimeout and ReadTimeout bound how long a client may take to send a request's
	// headers and the whole request (DefaultReadHeaderTimeout, DefaultReadTimeout when zero),
	// so that slow clients cannot hold connections.
	ReadHeaderTimeout, ReadTimeout time.Duration
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
	srv    *http.Server
	client *webhook.Client

	mu       sync.Mutex // guards the rooms, the callback settings and the rate counters
	rooms    map[string]*liveRoom
	gen      *generator.Generator
	callback callbackConfig
	rate     map[string]*rateWindow
	api      map[string]handlerFunc

	sigMu    sync.Mutex
	verified map[string]time.Time // UserSig and identifier → expiry

	log       deliveryLog
	dispatch  *dispatcher
	stop      context.CancelFunc
	wg        sync.WaitGroup // the server's own goroutines
	closeOnce sync.Once
	started   bool
}

type callbackConfig struct {
	url      string
	commands map[webhook.Command]bool
	token    string
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	s, err := newServer(cfg)
	if err != nil {
		ln.Close()
		return nil, err
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
	if cfg.Timeout <= 0 {
		cfg.Timeout = webhook.DefaultTimeout
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.LogSize == 0 {
		cfg.LogSize = DefaultLogSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.Retries < 0 || cfg.RateLimit < 0 || cfg.IdleTimeout < 0 {
		return nil, errors.New("mockserver: retries, rate limit and idle timeout cannot be negative")
	}
	if len(cfg.Token) > webhook.MaxTokenLength {
		return nil, fmt.Errorf("mockserver: token is %d characters, at most %d are allowed", len(cfg.Token), webhook.MaxTokenLength)
	}
	s := &Server{
		cfg:      cfg,
		client:   webhook.NewClient(webhook.WithTimeout(cfg.Timeout), webhook.WithFastTransport()),
		rooms:    map[string]*liveRoom{},
		gen:      generator.New(cfg.Seed),
		rate:     map[string]*rateWindow{},
		verified: map[string]time.Time{},
		callback: callbackConfig{url: cfg.CallbackURL, token: cfg.Token,
			commands: map[webhook.Command]bool{webhook.CommandCreateRoom: true, webhook.CommandModifyAdmin: true, webhook.CommandDestroyRoom: true}},
	}
	s.api = s.apis()
	s.log.init(cfg.LogSize)
	return s, nil
}

// Start serves on the Listener.
func (s *Server) Start() error {
	if s.started {
		return errors.New("mockserver: already started")
	}
	s.started = true
	s.URL = "http://" + s.Listener.Addr().String()
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.dispatch = newDispatcher(s, deliveryWorkers)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(s.Listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("mockserver: serve: %v", err)
		}
	}()
	if s.cfg.IdleTimeout > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.reapIdle(ctx)
		}()
	}
	return nil
}

// Close stops taking calls, waits for those in flight, then delivers every webhook already fired
// (each either acknowledged or recorded as failed) before it returns.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if !s.started {
			s.Listener.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
		s.stop()
		s.wg.Wait()
		s.dispatch.close()
		s.client.CloseIdleConnections()
	})
}

// SetCallback sets where the webhooks go, as set_callback does; no commands means all three.
func (s *Server) SetCallback(url string, commands ...webhook.Command) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callback.url = url
	if len(commands) == 0 {
		commands = webhook.Commands
	}
	s.callback.commands = map[webhook.Command]bool{}
	for _, c := range commands {
		s.callback.commands[c] = true
	}
}

// SetToken sets the callback token ("" switches signing off), as set_callback_token does.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	s.callback.token = token
	s.mu.Unlock()
}

// Config returns the server's configuration, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// reapIdle dissolves rooms that saw no call for IdleTimeout, as the system does with empty rooms.
func (s *Server) reapIdle(ctx context.Context) {
	tick := time.NewTicker(max(s.cfg.IdleTimeout/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.destroyIdle()
		}
	}
}
