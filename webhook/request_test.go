package webhook_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

func TestSignVector(t *testing.T) {
	NewWithT(t).Expect(webhook.Sign("xxxxyyyy", 1669872112)).
		To(Equal("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"))
}

func TestRequestURLOrderAndValues(t *testing.T) {
	g := NewWithT(t)
	e := webhook.Endpoint{URL: "https://www.example.com", SDKAppID: 1400000001}
	meta := webhook.Meta{ClientIP: "127.0.0.1", OptPlatform: "iOS"}
	g.Expect(e.RequestURL(webhook.CommandCreateRoom, meta, webhook.URLOptions{})).To(Equal(
		"https://www.example.com?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=127.0.0.1&OptPlatform=iOS"))
	g.Expect(e.RequestURL(webhook.CommandDestroyRoom, meta, webhook.URLOptions{})).To(HaveSuffix(
		"CallbackCommand=Live.CallbackAfterDestroyRoom&contenttype=json&ClientIP=127.0.0.1&OptPlatform=iOS"))
	// The Modify Admin page shows no ClientIP nor OptPlatform.
	g.Expect(e.RequestURL(webhook.CommandModifyAdmin, meta, webhook.URLOptions{})).To(Equal(
		"https://www.example.com?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json"))
}

func TestRequestURLAppendsToExistingQuery(t *testing.T) {
	g := NewWithT(t)
	for in, want := range map[string]string{
		"http://h/cb?key=v":  "http://h/cb?key=v&SdkAppid=1&",
		"http://h/cb?":       "http://h/cb?SdkAppid=1&",
		"http://h/cb?a=1&":   "http://h/cb?a=1&SdkAppid=1&",
		"http://h/cb":        "http://h/cb?SdkAppid=1&",
		"http://h/p/a?x=y+z": "http://h/p/a?x=y+z&SdkAppid=1&",
	} {
		e := webhook.Endpoint{URL: in, SDKAppID: 1}
		got := e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{})
		g.Expect(got).To(HavePrefix(want), "from %s", in)
	}
}

func TestRequestURLSigning(t *testing.T) {
	g := NewWithT(t)
	now := time.Unix(1669872112, 0)
	e := webhook.Endpoint{URL: "http://h/cb", SDKAppID: 1400000001, Token: "xxxxyyyy"}
	query := func(s webhook.Signing) url.Values {
		u, err := url.Parse(e.RequestURL(webhook.CommandCreateRoom, webhook.Meta{}, webhook.URLOptions{Signing: s, Now: now}))
		g.Expect(err).NotTo(HaveOccurred())
		return u.Query()
	}
	valid := query(webhook.SignValid)
	g.Expect(valid.Get("Sign")).To(Equal("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"))
	g.Expect(valid.Get("RequestTime")).To(Equal("1669872112"))

	bad := query(webhook.SignBad)
	g.Expect(bad.Get("RequestTime")).To(Equal("1669872112"))
	g.Expect(bad.Get("Sign")).To(HaveLen(64))
	g.Expect(bad.Get("Sign")).NotTo(Equal(valid.Get("Sign")))

	stale := query(webhook.SignStale)
	g.Expect(stale.Get("RequestTime")).To(Equal("1669871512"))
	g.Expect(stale.Get("Sign")).To(Equal(webhook.Sign("xxxxyyyy", 1669871512)))

	missing := query(webhook.SignMissing)
	g.Expect(missing).NotTo(HaveKey("Sign"))
	g.Expect(missing).NotTo(HaveKey("RequestTime"))

	u := e.RequestURL(webhook.CommandCreateRoom, webhook.Meta{}, webhook.URLOptions{Now: now})
	g.Expect(u).To(HaveSuffix("&Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061&RequestTime=1669872112"))

	// Without a token nothing is signed.
	e.Token = ""
	g.Expect(query(webhook.SignValid)).NotTo(HaveKey("Sign"))
}

func TestRequestURLModifiers(t *testing.T) {
	g := NewWithT(t)
	e := webhook.Endpoint{URL: "http://h/cb", SDKAppID: 1400000001}
	got := e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{SDKAppID: 1400999999, NewParamNames: true})
	g.Expect(got).To(Equal("http://h/cb?SdkAppId=1400999999&WebhookCommand=Live.CallbackAfterModifyAdmin&contenttype=json"))
	e.NewParamNames = true
	g.Expect(e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{})).To(ContainSubstring("SdkAppId=1400000001&WebhookCommand="))
	got = e.RequestURL(webhook.CommandCreateRoom, webhook.Meta{ClientIP: "::1", OptPlatform: "Web"}, webhook.URLOptions{})
	g.Expect(got).To(HaveSuffix("&ClientIP=%3A%3A1&OptPlatform=Web"))
}

func TestEndpointValidate(t *testing.T) {
	g := NewWithT(t)
	ok := webhook.Endpoint{URL: "http://127.0.0.1:8080/cb", SDKAppID: 1}
	g.Expect(ok.Validate()).To(Succeed())
	for _, tc := range []struct {
		e    webhook.Endpoint
		want string
	}{
		{webhook.Endpoint{URL: "ftp://h", SDKAppID: 1}, "scheme must be http or https"},
		{webhook.Endpoint{URL: "http://", SDKAppID: 1}, "no host"},
		{webhook.Endpoint{URL: "http://h/#x", SDKAppID: 1}, "fragment"},
		{webhook.Endpoint{URL: "http://h", SDKAppID: 0}, "SDKAppID is 0"},
		{webhook.Endpoint{URL: "http://h", SDKAppID: 1, Token: strings.Repeat("t", 129)}, "at most 128"},
		{webhook.Endpoint{URL: "http://h x", SDKAppID: 1}, "callback URL"},
	} {
		g.Expect(tc.e.Validate()).To(MatchError(ContainSubstring(tc.want)), "%+v", tc.e)
	}
}

func TestAppendQuery(t *testing.T) {
	g := NewWithT(t)
	g.Expect(webhook.AppendQuery("http://h/cb", "a=1")).To(Equal("http://h/cb?a=1"))
	g.Expect(webhook.AppendQuery("http://h/cb?k=v", "?a=1")).To(Equal("http://h/cb?k=v&a=1"))
	g.Expect(webhook.AppendQuery("http://h/cb?k=v&", "a=1")).To(Equal("http://h/cb?k=v&a=1"))
}

func TestUnsignedQuery(t *testing.T) {
	g := NewWithT(t)
	q := "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=10.0.0.1&OptPlatform=iOS&Sign=abc&RequestTime=1700000000"
	g.Expect(webhook.UnsignedQuery(q)).To(Equal("SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=10.0.0.1&OptPlatform=iOS"))
	// Every other byte is kept: the order, an escaped value, a pair without '=', an empty pair.
	g.Expect(webhook.UnsignedQuery("RequestTime=1&b=%2Fx&Sign=&flag&&a=1")).To(Equal("b=%2Fx&flag&&a=1"))
	g.Expect(webhook.UnsignedQuery("Signature=1&sign=2")).To(Equal("Signature=1&sign=2"), "only the exact names go")
}
