package receiver_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/recording"
	"github.com/livehook/livehook/webhook"
)

// A well-formed command the receiver has no field list for is acknowledged OK/0, never refused,
// and the log, the one-line summary and the recording say it was not checked.
func TestAcknowledgesUnknownCommands(t *testing.T) {
	for _, tc := range []struct {
		name, cmd, body, note string
	}{
		{"documented", "Group.CallbackAfterSendMsg",
			`{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"@TGS#2J4SZEAEL","MsgBody":[]}`,
			"Group.CallbackAfterSendMsg is documented by the vendor (https://trtc.io/document/74348) but not in livehook's protocol notes"},
		{"undocumented", "Live.CallbackAfterSomethingNew",
			`{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"live_1","Whatever":[1,{"x":null}],"EventTime":1703589922780}`,
			"Live.CallbackAfterSomethingNew is not in livehook's protocol notes nor in the vendor's command list"},
		{"no CallbackCommand in the body", "Chat.CallbackFuture", `{"RoomId":5}`, "not in livehook's protocol notes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var seen []receiver.Delivery
			rv, err := receiver.New(receiver.Config{SDKAppID: appID, OnDelivery: func(d receiver.Delivery) { seen = append(seen, d) }})
			g.Expect(err).NotTo(HaveOccurred())
			rec, resp := post(t, rv, http.MethodPost, webhookURL(webhook.Command(tc.cmd), "", webhook.URLOptions{}), []byte(tc.body))
			g.Expect(rec.Code).To(Equal(200), rec.Body.String())
			g.Expect(rec.Body.Bytes()).To(Equal(webhook.Acknowledgement))
			g.Expect(resp.ErrorCode).To(Equal(0))
			d := rv.Deliveries()[0]
			g.Expect(d.Accepted).To(BeTrue())
			g.Expect(d.Unchecked).To(BeTrue())
			g.Expect(d.Note).To(ContainSubstring(tc.note))
			g.Expect(d.Note).To(ContainSubstring("not in livehook's protocol notes"))
			g.Expect(d.Body).To(MatchJSON(tc.body))
			g.Expect(d.Summary()).To(ContainSubstring(": OK (" + tc.cmd))
			g.Expect(seen).To(HaveLen(1))
			e := recording.FromDelivery(seen[0])
			g.Expect(e.Verdict.Unchecked).To(BeTrue())
			g.Expect(e.Verdict.Note).To(Equal(d.Note))
			accepted, rejected := rv.Counts()
			g.Expect([]uint64{accepted, rejected}).To(Equal([]uint64{1, 0}))
		})
	}
}

// What is not well formed is still refused: for an unknown command, a name that is no command
// name, a body that is not a JSON object, a CallbackCommand differing from the URL's, and the
// query and Sign checks of every webhook; for a known command, every field rule.
func TestRefusesMalformedUnknownCommands(t *testing.T) {
	const cmd = "Live.CallbackAfterSomethingNew"
	body := []byte(`{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"live_1"}`)
	u := webhookURL(cmd, "", webhook.URLOptions{})
	for _, tc := range []struct {
		name   string
		url    string
		body   []byte
		status int
		code   int
		reason string
	}{
		{"no namespace", strings.Replace(u, cmd, "CallbackAfterSomethingNew", 1), body, 400, receiver.CodeBadCommand, "is not a command name"},
		{"two dots", strings.Replace(u, cmd, "Live.Callback.After", 1), body, 400, receiver.CodeBadCommand, "is not a command name"},
		{"a control character", strings.Replace(u, cmd, "Live.Callback%1B", 1), body, 400, receiver.CodeBadCommand, `"Live.Callback\x1b" is not a command name`},
		{"too long", strings.Replace(u, cmd, "Live."+strings.Repeat("a", 200), 1), body, 400, receiver.CodeBadCommand, "at most 128 bytes"},
		{"starts with a digit", strings.Replace(u, cmd, "Live.9Callback", 1), body, 400, receiver.CodeBadCommand, "is not a command name"},
		{"not JSON", u, []byte(`RoomId=live_1`), 400, receiver.CodeNotJSON, "body is not JSON"},
		{"a JSON array", u, []byte(`[{"RoomId":"live_1"}]`), 400, receiver.CodeNotJSON, "body is an array"},
		{"a key twice", u, []byte(`{"RoomId":"a","RoomId":"b"}`), 400, receiver.CodeBadBody, `has the key "RoomId" twice`},
		{"command differs", u, []byte(`{"CallbackCommand":"Live.CallbackAfterCreateRoom"}`), 400, receiver.CodeBadBody, `CallbackCommand is "Live.CallbackAfterCreateRoom" in the body but "Live.CallbackAfterSomethingNew" in the URL`},
		{"command not a string", u, []byte(`{"CallbackCommand":7}`), 400, receiver.CodeBadBody, "CallbackCommand is the number 7, want a string"},
		{"foreign SdkAppid", strings.Replace(u, "SdkAppid=1400000001", "SdkAppid=1400999999", 1), body, 403, receiver.CodeForeignApp, "is not this app's"},
		{"contenttype xml", strings.Replace(u, "contenttype=json", "contenttype=xml", 1), body, 400, receiver.CodeBadQuery, `contenttype is "xml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			rv := newReceiver(t, "")
			rec, resp := post(t, rv, http.MethodPost, tc.url, tc.body)
			g.Expect(rec.Code).To(Equal(tc.status), rec.Body.String())
			g.Expect(resp.ActionStatus).To(Equal("FAIL"))
			g.Expect(resp.ErrorCode).To(Equal(tc.code))
			g.Expect(resp.ErrorInfo).To(ContainSubstring(tc.reason))
			d := rv.Deliveries()[0]
			g.Expect(d.Unchecked).To(BeFalse())
			g.Expect(d.Note).To(BeEmpty())
		})
	}
	t.Run("unsigned with a token", func(t *testing.T) {
		g := NewWithT(t)
		rec, resp := post(t, newReceiver(t, "xxxxyyyy"), http.MethodPost, u, body)
		g.Expect(rec.Code).To(Equal(401))
		g.Expect(resp.ErrorCode).To(Equal(receiver.CodeBadSign))
	})
	t.Run("signed with a token", func(t *testing.T) {
		rec, _ := post(t, newReceiver(t, "xxxxyyyy"), http.MethodPost, webhookURL(cmd, "xxxxyyyy", webhook.URLOptions{}), body)
		NewWithT(t).Expect(rec.Code).To(Equal(200), rec.Body.String())
	})
	// A known command stays checked field by field: an unknown field list is no excuse.
	t.Run("known command, malformed", func(t *testing.T) {
		g := NewWithT(t)
		bad := bytes.Replace(seed(t, "modify_admin.json"), []byte(`"opType": "add"`), []byte(`"opType": "plus"`), 1)
		rec, resp := post(t, newReceiver(t, ""), http.MethodPost, webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{}), bad)
		g.Expect(rec.Code).To(Equal(400))
		g.Expect(resp.ErrorCode).To(Equal(receiver.CodeBadBody))
		g.Expect(resp.ErrorInfo).To(ContainSubstring(`opType is "plus"`))
	})
}

// Either spelling of the SDKAppID and command parameters is taken, in any pairing, and
// contenttype may be absent or in any case, as the callback overview has it.
func TestQuerySpellings(t *testing.T) {
	body := seed(t, "modify_admin.json")
	const rest = "&contenttype=json"
	for _, tc := range []struct {
		name   string
		query  string
		status int
		reason string
	}{
		{"samples", "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin" + rest, 200, ""},
		{"overview table", "SdkAppId=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin" + rest, 200, ""},
		{"newer pages", "SdkAppId=1400000001&WebhookCommand=Live.CallbackAfterModifyAdmin" + rest, 200, ""},
		{"crossed", "SdkAppid=1400000001&WebhookCommand=Live.CallbackAfterModifyAdmin" + rest, 200, ""},
		{"both spellings, both ours", "SdkAppid=1400000001&SdkAppId=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin" + rest, 200, ""},
		{"no contenttype", "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin", 200, ""},
		{"upper-case contenttype", "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=JSON", 200, ""},
		{"both spellings, the second foreign", "SdkAppid=1400000001&SdkAppId=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin" + rest, 403, "SdkAppId 1400999999 is not this app's"},
		{"overview spelling, foreign", "SdkAppId=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin" + rest, 403, "SdkAppId 1400999999 is not this app's"},
		{"empty contenttype", "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=", 400, `contenttype is ""`},
		{"command in neither spelling", "SdkAppId=1400000001" + rest, 400, "CallbackCommand (or WebhookCommand) is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			rec, resp := post(t, newReceiver(t, ""), http.MethodPost, "/cb?"+tc.query, body)
			g.Expect(rec.Code).To(Equal(tc.status), rec.Body.String())
			g.Expect(resp.ErrorInfo).To(ContainSubstring(tc.reason))
		})
	}
}

// The member, seat, threshold, battle and gift webhooks are checked field by field: the vendor's
// samples are acknowledged, checked (not Unchecked), and a broken one is refused.
func TestChecksLiveCommands(t *testing.T) {
	for file, cmd := range map[string]webhook.Command{
		"room_threshold.json":       webhook.CommandRoomThreshold,
		"member_state_changed.json": webhook.CommandMemberStateChanged,
		"seat_info_changed.json":    webhook.CommandSeatInfoChanged,
		"create_battle.json":        webhook.CommandCreateBattle,
		"start_battle.json":         webhook.CommandStartBattle,
		"end_battle.json":           webhook.CommandEndBattle,
		"before_send_gift.json":     webhook.CommandBeforeSendGift,
	} {
		t.Run(file, func(t *testing.T) {
			g := NewWithT(t)
			rv := newReceiver(t, "")
			rec, _ := post(t, rv, http.MethodPost, webhookURL(cmd, "", webhook.URLOptions{}), seed(t, file))
			g.Expect(rec.Code).To(Equal(200), rec.Body.String())
			d := rv.Deliveries()[0]
			g.Expect(d.Accepted).To(BeTrue())
			g.Expect(d.Unchecked).To(BeFalse())
			g.Expect(d.Note).To(BeEmpty())
			// Every one of these pages' URLs carries ClientIP, so it is required.
			rec, resp := post(t, rv, http.MethodPost, strings.Replace(webhookURL(cmd, "", webhook.URLOptions{}), "&ClientIP=10.1.2.3", "", 1), seed(t, file))
			g.Expect(rec.Code).To(Equal(400))
			g.Expect(resp.ErrorInfo).To(ContainSubstring("ClientIP is missing"))
		})
	}
	g := NewWithT(t)
	bad := bytes.Replace(seed(t, "before_send_gift.json"), []byte(`"Count": 1`), []byte(`"Count": "one"`), 1)
	rec, resp := post(t, newReceiver(t, ""), http.MethodPost, webhookURL(webhook.CommandBeforeSendGift, "", webhook.URLOptions{}), bad)
	g.Expect(rec.Code).To(Equal(400))
	g.Expect(resp.ErrorCode).To(Equal(receiver.CodeBadBody))
	g.Expect(resp.ErrorInfo).To(ContainSubstring(`BeforeSendGift body: GiftWater.Count is the string "one", want an integer`))
}

// An unknown command's page, if any, is unknown too, so its URL is not asked for ClientIP and
// OptPlatform, nor contenttype: only the SDKAppID, the command and, with a token, the Sign.
func TestUnknownCommandNeedsNoClientInfo(t *testing.T) {
	g := NewWithT(t)
	rec, _ := post(t, newReceiver(t, ""), http.MethodPost, "/cb?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterSomethingNew", []byte(`{}`))
	g.Expect(rec.Code).To(Equal(200), rec.Body.String())
	rec, _ = post(t, newReceiver(t, ""), http.MethodPost, "/cb?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom", seed(t, "create_room.json"))
	g.Expect(rec.Code).To(Equal(400), "a known command's page shows ClientIP: %s", rec.Body)
}
