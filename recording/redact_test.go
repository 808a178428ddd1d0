package recording_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/recording"
	"github.com/livehook/livehook/webhook"
)

func redacted(r *recording.Redactor, e recording.Entry) recording.Entry {
	r.Entry(&e)
	return e
}

func TestRedactionReplacesWhatIdentifiesPeopleAndKeepsTheRest(t *testing.T) {
	g := NewWithT(t)
	r := recording.NewRedactor([]byte("key-1"))
	body := seed(t, "destroy_room.json")
	body = bytes.Replace(body, []byte(`"Operator_Account":"admin"`), []byte(`"Operator_Account":"144115216631667826"`), 1)
	e := redacted(r, entry(1, body))
	g.Expect(e.Redacted).To(BeTrue())
	g.Expect(webhook.ValidateBody(webhook.CommandDestroyRoom, e.Body)).To(Succeed(), "%s", e.Body)
	var before, after map[string]any
	g.Expect(json.Unmarshal(body, &before)).To(Succeed())
	d := json.NewDecoder(bytes.NewReader(e.Body))
	d.UseNumber()
	g.Expect(d.Decode(&after)).To(Succeed())
	info := after["RoomInfo"].(map[string]any)

	// The Destroy sample's numeric owner stays a bare number, the same as the numeric operator
	// given as a string.
	g.Expect(info["Owner_Account"]).To(BeAssignableToTypeOf(json.Number("")))
	g.Expect(string(info["Owner_Account"].(json.Number))).To(Equal(after["Operator_Account"]))
	g.Expect(after["Operator_Account"]).To(MatchRegexp(`^\d{18}$`))
	g.Expect(info["RoomName"]).To(MatchRegexp(`^room [0-9a-f]{8}$`))
	g.Expect(info["CoverURL"]).To(MatchRegexp(`^https://redacted\.invalid/[0-9a-f]{16}$`))
	g.Expect(info["BackgroundURL"]).To(MatchRegexp(`^https://redacted\.invalid/`))
	g.Expect(info["CoverURL"]).NotTo(Equal(info["BackgroundURL"]))
	// The rest, layout included, is as it came.
	g.Expect(after["RoomId"]).To(Equal("tandy-test-rest"))
	g.Expect(bytes.Count(e.Body, []byte("\n"))).To(Equal(bytes.Count(body, []byte("\n"))))
	g.Expect(string(e.Body)).To(ContainSubstring("\"Category\": [1, 2, 3],\n\"CustomInfo\": \"\",\n"))
	g.Expect(e.Query).To(MatchRegexp(`&ClientIP=10\.\d+\.\d+\.\d+&OptPlatform=iOS&Sign=abc&RequestTime=1700000000$`))
	g.Expect(e.Query).NotTo(ContainSubstring("203.0.113.9"))

	// The same key maps the same value to the same replacement, in any entry; another key does not.
	modify := seed(t, "modify_admin.json")
	modify = bytes.Replace(modify, []byte(`"Operator_Account":"admin"`), []byte(`"Operator_Account":144115216631667826`), 1)
	m := redacted(recording.NewRedactor([]byte("key-1")), entry(2, modify))
	var ma struct {
		Operator_Account json.Number
		Admin_Account    []string
	}
	g.Expect(json.Unmarshal(m.Body, &ma)).To(Succeed())
	g.Expect(string(ma.Operator_Account)).To(Equal(after["Operator_Account"]))
	g.Expect(ma.Admin_Account).To(HaveLen(2))
	g.Expect(ma.Admin_Account[0]).To(MatchRegexp(`^user_[0-9a-f]{16}$`))
	g.Expect(ma.Admin_Account[0]).NotTo(Equal(ma.Admin_Account[1]))
	again := redacted(r, entry(3, seed(t, "modify_admin.json")))
	other := redacted(recording.NewRedactor([]byte("key-2")), entry(3, seed(t, "modify_admin.json")))
	g.Expect(string(again.Body)).To(ContainSubstring(ma.Admin_Account[0]))
	g.Expect(string(other.Body)).NotTo(ContainSubstring(ma.Admin_Account[0]))
}

func TestRedactionKeepsSystemAccountsAndCoversMessages(t *testing.T) {
	g := NewWithT(t)
	r := recording.NewRedactor([]byte("k"))
	sys := redacted(r, entry(1, seed(t, "destroy_by_system.json")))
	g.Expect(string(sys.Body)).To(ContainSubstring(`"@TIM#SYSTEM"`))

	e := entry(2, []byte(`{"Operator_Account":"alice_the_streamer_with_a_very_long_name","Admin_Account":["bob",""],"CurrentOwner_Account":"carol","Nested":{"Owner_Account":"dave"}}`))
	e.Verdict = recording.Verdict{Status: 400, ErrorCode: 9, Reason: `Operator_Account is 40 bytes long ("alice_the_streamer_with_a_very_long_name"), want a user ID; "bob" and bob`}
	e.Answer.Body = []byte(`{"ActionStatus":"FAIL","ErrorInfo":"Operator_Account is 40 bytes long (\"alice_the_streamer_with_a_very_long_name\")","ErrorCode":9}`)
	e = redacted(r, e)
	for _, who := range []string{"alice", "carol", "dave", `"bob"`} {
		g.Expect(string(e.Body)).NotTo(ContainSubstring(who))
		g.Expect(e.Verdict.Reason).NotTo(ContainSubstring(who))
		g.Expect(string(e.Answer.Body)).NotTo(ContainSubstring(strings.Trim(who, `"`)))
	}
	g.Expect(string(e.Body)).To(ContainSubstring(`,""]`), "an empty ID says nothing and stays")
	g.Expect(e.Verdict.Reason).To(MatchRegexp(`^Operator_Account is 40 bytes long \("user_[0-9a-f]{16}"\), want a user ID; "user_[0-9a-f]{16}" and bob$`))
	g.Expect(e.Verdict.Reason).To(HaveSuffix(" and bob"), "a short value is replaced only where quoted")

	// A body that is not JSON cannot be searched: none of it is kept.
	bad := entry(3, []byte(`RoomName=Alice's room&Owner=alice`))
	bad.Verdict.Reason = `body is not JSON: "RoomName=Alice's room&Owner=alice"`
	bad = redacted(r, bad)
	g.Expect(bad.Body).To(BeEmpty())
	g.Expect(bad.Verdict.Reason).NotTo(ContainSubstring("lice"))
}

// Redaction leaves out the headers that name the client and replaces free text; through
// receiver.Config.Redact, the log and OnDelivery see the same as the recording.
func TestRedactionDropsClientHeadersAndFreeText(t *testing.T) {
	g := NewWithT(t)
	r := recording.NewRedactor([]byte("key-1"))
	body := bytes.Replace(seed(t, "destroy_room.json"), []byte(`"CustomInfo": ""`), []byte(`"CustomInfo": "vip list: alice, bob"`), 1)
	en := entry(1, body)
	en.Header = http.Header{"Content-Type": {"application/json"}, "X-Forwarded-For": {"198.51.100.7"}, "X-Real-Ip": {"198.51.100.8"},
		"User-Agent": {"Phone/1"}, "Forwarded": {"for=198.51.100.9"}}
	e := redacted(r, en)
	g.Expect(e.Header).To(Equal(http.Header{"Content-Type": {"application/json"}}))
	g.Expect(string(e.Body)).NotTo(ContainSubstring("alice"))
	g.Expect(string(e.Body)).To(MatchRegexp(`"CustomInfo": "redacted [0-9a-f]{8}"`))
	g.Expect(en.Header).To(HaveKey("X-Forwarded-For"), "the caller's header is not changed")

	var seen []receiver.Delivery
	rv, err := receiver.New(receiver.Config{SDKAppID: 1400000001, Redact: r.Delivery, OnDelivery: func(d receiver.Delivery) { seen = append(seen, d) }})
	g.Expect(err).NotTo(HaveOccurred())
	req := httptest.NewRequest(http.MethodPost, "/cb?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterDestroyRoom&contenttype=json&ClientIP=203.0.113.9&OptPlatform=iOS", bytes.NewReader(body))
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	req.Header.Set("User-Agent", "Phone/1")
	w := httptest.NewRecorder()
	rv.ServeHTTP(w, req)
	g.Expect(w.Code).To(Equal(http.StatusOK))
	g.Expect(seen).To(HaveLen(1))
	out := fmt.Sprintf("%+v %s %v", seen[0], seen[0].RawBody, seen[0].Header)
	logged, _ := json.Marshal(rv.Deliveries())
	for _, private := range []string{"alice", "198.51.100.7", "Phone/1", "203.0.113.9", "192.0.2.1"} {
		g.Expect(out).NotTo(ContainSubstring(private))
		g.Expect(string(logged)).NotTo(ContainSubstring(private))
	}
	g.Expect(seen[0].Redacted).To(BeTrue())
	g.Expect(recording.FromDelivery(seen[0]).Redacted).To(BeTrue())
}
