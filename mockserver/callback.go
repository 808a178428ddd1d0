package mockserver

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/livehook/livehook/webhook"
)

// callbackRequest is the body of set_callback and update_callback.
type callbackRequest struct {
	URL      *string  `json:"Url"`
	Commands []string `json:"CallbackCommandList"`
}

// parse checks the request: an http(s) URL to a host callbacks may go to (Config.CallbackHosts)
// and documented command names.
func (req callbackRequest) parse(hosts []string) (callbackConfig, *apiError) {
	if req.URL == nil || *req.URL == "" {
		return callbackConfig{}, fail(CodeBadParameter, "Url is missing: the callback URL, starting with http:// or https://")
	}
	u, err := url.Parse(*req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return callbackConfig{}, fail(CodeBadParameter, "Url %q is not an http or https URL", *req.URL)
	}
	if err := callbackHostAllowed(u, hosts); err != nil {
		return callbackConfig{}, fail(CodeBadParameter, "Url %q: %v", *req.URL, err)
	}
	if req.Commands == nil {
		return callbackConfig{}, fail(CodeBadParameter, "CallbackCommandList is missing: list the webhooks to fire, e.g. [%q]", webhook.CommandCreateRoom)
	}
	cfg := callbackConfig{exists: true, url: *req.URL, commands: map[webhook.Command]bool{}}
	for i, c := range req.Commands {
		if !webhook.Command(c).Configurable() {
			return callbackConfig{}, fail(CodeBadParameter, "CallbackCommandList[%d] is %q, not a Live webhook (they are %v)", i, c, webhook.CallbackCommands)
		}
		cfg.commands[webhook.Command(c)] = true
	}
	return cfg, nil
}

func (s *Server) setCallback(c call, body []byte) (any, *apiError) {
	return s.configureCallback(c, body, false)
}

func (s *Server) updateCallback(c call, body []byte) (any, *apiError) {
	return s.configureCallback(c, body, true)
}

// configureCallback creates (set_callback) or replaces (update_callback) the app's callback
// configuration; creating one that exists, or replacing one that does not, is refused as at the
// vendor.
func (s *Server) configureCallback(c call, body []byte, update bool) (any, *apiError) {
	var req callbackRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	cfg, aerr := req.parse(s.cfg.CallbackHosts)
	if aerr != nil {
		return nil, aerr
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case !update && a.callback.exists:
		return nil, fail(CodeCallbackExists, "the callback configuration exists: change it with update_callback")
	case update && !a.callback.exists:
		return nil, fail(CodeNoCallback, "there is no callback configuration: create it with set_callback")
	}
	a.callback = cfg
	return nil, nil
}

func (s *Server) getCallback(c call, body []byte) (any, *apiError) {
	var req struct{}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.callback.exists {
		return nil, fail(CodeNoCallback, "there is no callback configuration: create it with set_callback")
	}
	list := make([]string, 0, len(a.callback.commands))
	for _, cmd := range webhook.CallbackCommands {
		if a.callback.commands[cmd] {
			list = append(list, string(cmd))
		}
	}
	return struct {
		URL      string   `json:"Url"`
		Commands []string `json:"CallbackCommandList"`
	}{a.callback.url, list}, nil
}

// setCallbackToken creates or changes the app's callback token. The first call must give both
// Token and IsTokenEnable; later ones only what they change, as the vendor documents.
func (s *Server) setCallbackToken(c call, body []byte) (any, *apiError) {
	var req struct {
		Token         *string `json:"Token"`
		IsTokenEnable *bool   `json:"IsTokenEnable"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Token != nil && (*req.Token == "" || len(*req.Token) > webhook.MaxTokenLength) {
		return nil, fail(CodeBadParameter, "Token is %d characters, want 1 to %d", len(*req.Token), webhook.MaxTokenLength)
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.token
	switch {
	case !t.exists && (req.Token == nil || req.IsTokenEnable == nil):
		return nil, fail(CodeBadParameter, "the first set_callback_token gives both Token and IsTokenEnable")
	case req.Token == nil && req.IsTokenEnable == nil:
		return nil, fail(CodeBadParameter, "give Token, IsTokenEnable or both")
	}
	t.exists = true
	setp(&t.token, req.Token)
	setp(&t.enabled, req.IsTokenEnable)
	a.token = t
	return nil, nil
}

// fire queues the webhook for a change, if the app's callback configuration lists its command.
// The caller holds the app's lock, which keeps a room's webhooks in the order of its changes; the
// outbox never waits, so a stalled receiver never holds up a REST call.
func (s *Server) fire(a *app, msg webhook.Message) {
	cb := a.callback
	if !cb.exists || !cb.commands[msg.Event.Command()] {
		return
	}
	f := firing{msg: msg, endpoint: webhook.Endpoint{URL: cb.url, SDKAppID: a.SDKAppID, Token: a.token.signingToken()},
		tag: &tag{seq: s.log.fire(), fired: time.Now()}}
	if ok, why := s.out.put(f, s.dispatchNow); !ok {
		s.unsent(f, why)
	}
}

// AnyCallbackHost in Config.CallbackHosts lets callbacks go to any host.
const AnyCallbackHost = "*"

// callbackHostAllowed reports why webhooks may not go to u's host: only loopback hosts take
// them unless hosts names the host (or is AnyCallbackHost). A mock backend that sent wherever a
// REST caller says would let any caller make it reach other hosts' ports and the cloud's
// metadata addresses, and learn from /mock/deliveries what answers there.
func callbackHostAllowed(u *url.URL, hosts []string) error {
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	if slices.Contains(hosts, AnyCallbackHost) || slices.ContainsFunc(hosts, func(h string) bool { return strings.EqualFold(h, host) }) {
		return nil
	}
	return fmt.Errorf("host %s is not loopback, and the mock backend sends webhooks beyond loopback only to hosts it is told of (livehook serve --allow-callback-host %s)", host, host)
}
