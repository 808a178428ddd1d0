package receiver_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// A sender controls the command, the room, the query and the body; none of it may reach a
// terminal unquoted.
func TestSummaryQuotesWhatCameFromTheWire(t *testing.T) {
	var lines []string
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, OnDelivery: func(d receiver.Delivery) { lines = append(lines, d.Summary()) }})
	if err != nil {
		t.Fatal(err)
	}
	const evil = "\x1b[2J\x1b[31mFORGED\r\n12:00:00 #99 \"Live.CallbackAfterCreateRoom\": OK\u202e\u0085"
	escaped := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(evil)
	body := bytes.Replace(seed(t, "modify_admin.json"), []byte(`"room_id"`), []byte(`"`+strings.NewReplacer("\x1b", `\u001b`, "\r", `\r`, "\n", `\n`, `"`, `\"`).Replace(evil)+`"`), 1)
	for _, q := range []string{
		"SdkAppid=1400000001&CallbackCommand=" + urlEscape(evil) + "&contenttype=json",
		"SdkAppid=" + urlEscape(evil) + "&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json",
		"SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=" + urlEscape(evil),
		"SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json",
		"SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json&x=%zz" + urlEscape(evil),
	} {
		post(t, rv, http.MethodPost, "/cb?"+q, body)
	}
	post(t, rv, "PATCH", "/cb", body)
	post(t, rv, http.MethodPost, webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{}), []byte(`{"RoomId":"`+escaped+`","x":"\u001b[1m`))
	g := NewWithT(t)
	g.Expect(lines).To(HaveLen(7))
	for _, l := range lines {
		for _, r := range l {
			g.Expect(unicode.IsGraphic(r)).To(BeTrue(), "%q prints %U", l, r)
		}
		g.Expect(l).NotTo(ContainSubstring("\x1b"))
	}
	g.Expect(lines[0]).To(HavePrefix(`#1 "\x1b[2J\x1b[31mFORGED\r\n12:00:00 #99 \"Live.CallbackAfterCreateRoom\": OK\u202e\u0085" room "\x1b[2J`))
	g.Expect(lines[3]).To(HavePrefix(`#4 "Live.CallbackAfterModifyAdmin" room "\x1b[2J\x1b[31mFORGED\r\n12:00:00 #99 \"Live.CallbackAfterCreateRoom\": OK\u202e\u0085": OK`))
}

func urlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString("%")
		b.WriteString(strings.ToUpper(string("0123456789abcdef"[s[i]>>4]) + string("0123456789abcdef"[s[i]&15])))
	}
	return b.String()
}

func TestSummary(t *testing.T) {
	g := NewWithT(t)
	d := receiver.Delivery{Seq: 3, Command: string(webhook.CommandCreateRoom), Room: "live_7", Verdict: receiver.Verdict{Accepted: true, Status: 200}}
	g.Expect(d.Summary()).To(Equal(`#3 "Live.CallbackAfterCreateRoom" room "live_7": OK`))
	d.App = &receiver.AppResult{Status: 200, Verdict: "OK/0", Latency: 1234567}
	g.Expect(d.Summary()).To(Equal(`#3 "Live.CallbackAfterCreateRoom" room "live_7": OK; app 200 OK/0 in 1.23ms`))
	d.App = &receiver.AppResult{Error: "connection refused"}
	d.Answer.Status = 502
	g.Expect(d.Summary()).To(Equal(`#3 "Live.CallbackAfterCreateRoom" room "live_7": OK; app did not answer (connection refused), answered 502 FAIL itself, for the sender to send it again`))
	d = receiver.Delivery{Seq: 4, Verdict: receiver.Verdict{Status: 405, Reason: `method "GET" is not allowed`}}
	g.Expect(d.Summary()).To(Equal(`#4 -: FAIL 405 method "GET" is not allowed`))
}
