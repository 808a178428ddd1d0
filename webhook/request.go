package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Query parameter names, as every vendor example writes them.
const (
	ParamSdkAppid        = "SdkAppid"
	ParamCallbackCommand = "CallbackCommand"
	ParamContentType     = "contenttype"
	ParamClientIP        = "ClientIP"
	ParamOptPlatform     = "OptPlatform"
	ParamSign            = "Sign"
	ParamRequestTime     = "RequestTime"

	// ParamSdkAppIdNew and ParamWebhookCommand are the names newer doc versions use.
	ParamSdkAppIdNew    = "SdkAppId"
	ParamWebhookCommand = "WebhookCommand"
)

// ContentType is the Content-Type of a webhook request.
const ContentType = "application/json; charset=utf-8"

// MaxTokenLength is the longest callback token the console accepts.
const MaxTokenLength = 128

// Sign returns the callback signature: lower-case hex SHA-256 of token followed by the decimal
// Unix seconds requestTime (a concatenation, not an HMAC).
func Sign(token string, requestTime int64) string {
	sig := SignBytes(token, requestTime)
	return string(sig[:])
}

// SignBytes is Sign in an array, for a receiver that compares signatures without allocating.
func SignBytes(token string, requestTime int64) (sig [2 * sha256.Size]byte) {
	var buf [MaxTokenLength + 20]byte
	b := append(buf[:0], token...)
	b = strconv.AppendInt(b, requestTime, 10)
	sum := sha256.Sum256(b)
	hex.Encode(sig[:], sum[:])
	return sig
}

// Endpoint is where and as which app the webhooks go: the configured callback URL, the
// app's SDKAppID and, optionally, its callback token.
type Endpoint struct {
	// URL is the callback URL; it may carry a query of its own.
	URL string
	// SDKAppID is the app's SDKAppID.
	SDKAppID uint64
	// Token, when set, adds Sign and RequestTime to every request.
	Token string
	// NewParamNames sends SdkAppId and WebhookCommand instead of SdkAppid and CallbackCommand.
	NewParamNames bool
}

// Validate checks the endpoint's settings.
func (e Endpoint) Validate() error {
	if e.URL != "" && !strings.Contains(e.URL, "://") {
		return fmt.Errorf("callback URL %q: scheme must be http or https: write it in full, e.g. %q", e.URL, "http://"+e.URL)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		return fmt.Errorf("callback URL %q: %w", e.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("callback URL %q: scheme must be http or https", e.URL)
	}
	if u.Host == "" {
		return fmt.Errorf("callback URL %q: no host", e.URL)
	}
	if u.Fragment != "" {
		return fmt.Errorf("callback URL %q: remove the #fragment, it is never sent", e.URL)
	}
	if e.SDKAppID == 0 {
		return fmt.Errorf("SDKAppID is 0: set the app's SDKAppID, e.g. 1400000001")
	}
	if len(e.Token) > MaxTokenLength {
		return fmt.Errorf("callback token is %d characters, at most %d are allowed", len(e.Token), MaxTokenLength)
	}
	return nil
}

// Platforms of the OptPlatform parameter that the protocol's rules name.
const (
	// PlatformRESTAPI is the platform of a change made through the REST API.
	PlatformRESTAPI = "RESTAPI"
	// PlatformUnknown is the platform of a change no client caused, such as a system destroy.
	PlatformUnknown = "Unknown"
)

// Meta is what a request URL says about the event's origin beyond the command.
type Meta struct {
	// ClientIP is the address of the client that caused the event (Create and Destroy only).
	ClientIP string
	// OptPlatform is the client's platform, one of Platforms (Create and Destroy only).
	OptPlatform string
}

// Signing chooses how a request is signed. The zero value signs correctly with the endpoint's
// token, or not at all without one; the others exist to probe a receiver.
type Signing int

// The ways to sign a request.
const (
	SignValid   Signing = iota // correct Sign and current RequestTime, if the endpoint has a token
	SignBad                    // a Sign that does not match
	SignStale                  // a correct Sign over a RequestTime ten minutes old
	SignMissing                // neither Sign nor RequestTime, even with a token
	// The near misses: a receiver that compares only a prefix, only the length, or the
	// alphabet takes them; one that compares the whole Sign refuses them.
	SignWrongTail  // the correct Sign with its last hex digit changed
	SignWrongUpper // a Sign that does not match, of the right length, in upper-case hex
	SignTruncated  // the correct Sign without its last two hex digits
)

// StaleAge is how old RequestTime is under SignStale: well past the receiver's 60 s window.
const StaleAge = 10 * time.Minute

// SignWindow is how far RequestTime may be from the receiver's clock, either way, before the
// receiver must refuse the request.
const SignWindow = 60 * time.Second

// URLOptions vary one request's URL from the endpoint's defaults.
type URLOptions struct {
	// SDKAppID, when non-zero, replaces the endpoint's (to probe a foreign-app check).
	SDKAppID uint64
	// Signing chooses how the request is signed.
	Signing Signing
	// Now is the RequestTime; zero means time.Now().
	Now time.Time
	// Skew moves RequestTime away from Now, as a sender whose clock is off would: positive ahead
	// of the receiver's clock, negative behind it.
	Skew time.Duration
	// NewParamNames sends SdkAppId and WebhookCommand for this request.
	NewParamNames bool
	// NoSDKAppID leaves the SdkAppid parameter out altogether (to probe a receiver that takes a
	// request naming no app for its own).
	NoSDKAppID bool
}

// RequestURL returns the URL for a webhook: the callback URL with SdkAppid, CallbackCommand,
// contenttype, then ClientIP and OptPlatform for Create and Destroy, then Sign and RequestTime
// when the endpoint has a token, appended in that order.
func (e Endpoint) RequestURL(cmd Command, meta Meta, opt URLOptions) string {
	var b strings.Builder
	b.Grow(len(e.URL) + 200)
	b.WriteString(e.URL)
	b.WriteString(querySeparator(e.URL))
	appid, command := ParamSdkAppid, ParamCallbackCommand
	if e.NewParamNames || opt.NewParamNames {
		appid, command = ParamSdkAppIdNew, ParamWebhookCommand
	}
	id := e.SDKAppID
	if opt.SDKAppID != 0 {
		id = opt.SDKAppID
	}
	var num [20]byte
	if opt.NoSDKAppID {
		b.WriteString(command)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(string(cmd)))
	} else {
		b.WriteString(appid)
		b.WriteByte('=')
		b.Write(strconv.AppendUint(num[:0], id, 10))
		writeParam(&b, command, string(cmd))
	}
	writeParam(&b, ParamContentType, "json")
	if cmd.HasClientInfo() {
		writeParam(&b, ParamClientIP, meta.ClientIP)
		writeParam(&b, ParamOptPlatform, meta.OptPlatform)
	}
	e.writeSign(&b, opt)
	return b.String()
}

// QueryURL returns the callback URL with query appended as it is (a recorded one, say), then
// Sign and RequestTime as RequestURL signs them.
func (e Endpoint) QueryURL(query string, opt URLOptions) string {
	var b strings.Builder
	b.WriteString(AppendQuery(e.URL, query))
	e.writeSign(&b, opt)
	return b.String()
}

// writeSign writes Sign and RequestTime as opt says, when the endpoint has a token.
func (e Endpoint) writeSign(b *strings.Builder, opt URLOptions) {
	if e.Token == "" || opt.Signing == SignMissing {
		return
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	t := now.Add(opt.Skew).Unix()
	sign := ""
	switch opt.Signing {
	case SignStale:
		t -= int64(StaleAge / time.Second)
		sign = Sign(e.Token, t)
	case SignBad:
		sign = Sign(e.Token+"-wrong", t)
	case SignWrongTail:
		sign = Sign(e.Token, t)
		last := byte('0')
		if sign[len(sign)-1] == '0' {
			last = '1'
		}
		sign = sign[:len(sign)-1] + string(last)
	case SignWrongUpper:
		sign = strings.ToUpper(Sign(e.Token+"-wrong", t))
	case SignTruncated:
		sign = Sign(e.Token, t)
		sign = sign[:len(sign)-2]
	default:
		sign = Sign(e.Token, t)
	}
	writeParam(b, ParamSign, sign)
	writeParam(b, ParamRequestTime, strconv.FormatInt(t, 10))
}

// NewRequest is the one way from an event to the wire: it encodes the message's event and builds
// its URL for this endpoint, signed as opt says.
func (e Endpoint) NewRequest(msg Message, opt URLOptions) (Request, error) {
	cmd := msg.Event.Command()
	body, err := Encode(msg.Event)
	if err != nil {
		return Request{Command: cmd}, fmt.Errorf("encode %s: %w", cmd, err)
	}
	return Request{Command: cmd, URL: e.RequestURL(cmd, msg.Meta, opt), Body: body}, nil
}

// AppendQuery appends query parameters to a URL that may already carry a query of its own.
func AppendQuery(url, query string) string {
	return url + querySeparator(url) + strings.TrimPrefix(query, "?")
}

// querySeparator is what goes between url and parameters appended to it.
func querySeparator(url string) string {
	switch {
	case !strings.Contains(url, "?"):
		return "?"
	case !strings.HasSuffix(url, "?") && !strings.HasSuffix(url, "&"):
		return "&"
	}
	return ""
}

func writeParam(b *strings.Builder, name, value string) {
	b.WriteByte('&')
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(url.QueryEscape(value))
}

// DefaultSDKAppID is the SDKAppID livehook uses unless told another: the vendor docs' example.
const DefaultSDKAppID = 1400000001

// UnsignedQuery is the query without Sign and RequestTime, every other byte kept, for a
// sender that signs it afresh.
func UnsignedQuery(q string) string {
	parts := strings.Split(q, "&")
	kept := parts[:0]
	for _, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		if name != ParamSign && name != ParamRequestTime {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}
