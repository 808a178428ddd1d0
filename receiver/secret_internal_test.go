package receiver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

func TestCutSecretFindsEveryEncoding(t *testing.T) {
	const tok = `to"k\en 1`
	jsonQuoted, _ := json.Marshal(tok)
	allPercent := ""
	for _, b := range []byte(tok) {
		allPercent += "%" + strings.ToUpper(strconv.FormatUint(uint64(b), 16))
	}
	allU := ""
	for _, r := range tok {
		allU += `\u00` + strconv.FormatUint(uint64(r), 16)
	}
	for name, in := range map[string]string{
		"as is":                      "a" + tok + "b",
		"query-escaped":              "x=" + url.QueryEscape(tok) + "&y=1",
		"path-escaped":               "/p/" + url.PathEscape(tok),
		"every byte percent-coded":   "x=" + allPercent,
		"JSON-escaped":               `{"a":` + string(jsonQuoted) + `}`,
		"every rune \\u-escaped":     `{"a":"` + allU + `"}`,
		"Go-quoted":                  "reason " + strconv.Quote(tok),
		"Go-quoted JSON (twice)":     strconv.Quote(string(jsonQuoted)),
		"percent-coded \\u escapes":  url.QueryEscape(allU),
		"twice, and joined by a cut": "to\"k" + tok + "\\en 1",
	} {
		out, found := cutSecret(in, tok)
		if !found || strings.Contains(out, tok) || strings.Contains(out, `to\"k`) || strings.Contains(out, "%74%6F") {
			t.Errorf("%s: %q became %q (found %v)", name, in, out, found)
		}
	}
	g := NewWithT(t)
	out, found := cutSecret(`{"a":"to\"k"}`, tok)
	g.Expect(found).To(BeFalse(), "a part of the token is not the token")
	g.Expect(out).To(Equal(`{"a":"to\"k"}`))
	out, _ = cutSecret(`{"a":"x`+`\u0074o\"k\\en 1`+`y"}`, tok)
	g.Expect(out).To(Equal(`{"a":"xy"}`), "an escaped token inside a JSON string leaves the string whole")
	// A surrogate pair, and a rune escaped as \U.
	out, found = cutSecret(`\ud83d\ude00!`, "\U0001F600")
	g.Expect(found).To(BeTrue())
	g.Expect(out).To(Equal("!"))
	out, found = cutSecret(`\U0001F600!`, "\U0001F600")
	g.Expect(found).To(BeTrue())
	g.Expect(out).To(Equal("!"))
}

func FuzzCutSecret(f *testing.F) {
	f.Add(`x=%74%6f%22k&y="to\"k"`, `to"k`)
	f.Add(`\ud83d\ude00`, "\U0001F600")
	f.Fuzz(func(t *testing.T, s, secret string) {
		if secret == "" || len(secret) > 128 {
			return
		}
		out, found := cutSecret(s, secret)
		if strings.Contains(out, secret) {
			t.Fatalf("%q still holds %q: %q", s, secret, out)
		}
		if !found && out != s {
			t.Fatalf("nothing found, yet %q became %q", s, out)
		}
		if len(out) > len(s) {
			t.Fatalf("%q grew to %q", s, out)
		}
	})
}

// Wherever a sender or the app puts the token, in whatever encoding, nothing that leaves the
// receiver holds it, and the app's answer reaches the sender as the app wrote it.
func TestTokenNeverWrittenAnswerNotAltered(t *testing.T) {
	g := NewWithT(t)
	const tok = `t"k\n-s3cr3t`
	echoed, _ := json.Marshal(map[string]any{"ActionStatus": "FAIL", "ErrorCode": 1, "ErrorInfo": "bad token " + tok})
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", tok)
		_, _ = w.Write(echoed)
	}))
	defer appSrv.Close()
	var seen []Delivery
	srv, err := NewServer(Config{SDKAppID: 1400000001, Token: tok, Forward: Forward{URL: appSrv.URL},
		OnDelivery: func(d Delivery) { seen = append(seen, d) }})
	g.Expect(err).NotTo(HaveOccurred())
	defer srv.Close()

	allPercent, allU := "", ""
	for _, b := range []byte(tok) {
		allPercent += fmt.Sprintf("%%%02X", b)
		allU += fmt.Sprintf(`\u%04x`, b)
	}
	e := webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: 1400000001, Token: tok}
	u := e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}) + "&leak=" + allPercent
	body := `{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"r-` + allU + `","EventTime":1700000000000,"Operator_Account":"u1","Admin_Account":["u2"],"opType":"add"}`
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	g.Expect(err).NotTo(HaveOccurred())
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	g.Expect(answer).To(Equal(echoed), "the app's answer, byte for byte")
	g.Expect(resp.Header.Get("X-Echo")).To(Equal(tok))

	g.Expect(seen).To(HaveLen(1))
	d := seen[0]
	g.Expect(d.TokenRemoved).To(BeTrue())
	g.Expect(d.App.Verdict).To(HavePrefix("refused (ErrorCode 1, "))
	page := httptest.NewRecorder()
	pageReq := httptest.NewRequest(http.MethodGet, DeliveriesPath, nil)
	pageReq.Header.Set("Authorization", "Bearer "+tok)
	srv.Receiver.ServeHTTP(page, pageReq)
	g.Expect(page.Code).To(Equal(http.StatusOK))
	logJSON, _ := json.Marshal(srv.Receiver.Deliveries())
	for name, out := range map[string]string{
		"the log line":     d.Summary(),
		"OnDelivery":       fmt.Sprintf("%+v %s %s %v", d, d.RawBody, d.Answer.Body, d.Header),
		"GET /deliveries":  page.Body.String(),
		"the log, as JSON": string(logJSON),
	} {
		if _, found := cutSecret(out, tok); found {
			t.Errorf("%s holds the token: %s", name, out)
		}
		g.Expect(out).NotTo(ContainSubstring("s3cr3t"), name)
	}
}

// BenchmarkCutSecret measures the token search on a seed body: plain (no escapes to look
// through) and with \u escapes, which take the decoding path.
func BenchmarkCutSecret(b *testing.B) {
	plain := strings.Repeat(`{"RoomId":"live_7","RoomName":"name","Owner_Account":"u1"},`, 16)
	escaped := strings.Repeat(`{"RoomId":"live_\u0037","RoomName":"n%41me","Owner_Account":"u1"},`, 16)
	for name, s := range map[string]string{"plain": plain, "escaped": escaped} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				_, _ = cutSecret(s, "s3cr3t-token")
			}
		})
	}
}
