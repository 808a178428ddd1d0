package webhook_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

func TestWellFormed(t *testing.T) {
	g := NewWithT(t)
	for _, c := range append(append([]webhook.Command{}, webhook.CallbackCommands...), "State.StateChange", "Live.Callback_After2", webhook.Command("A."+strings.Repeat("b", webhook.MaxCommandBytes-2))) {
		g.Expect(c.WellFormed()).To(BeTrue(), "%q", c)
	}
	for _, c := range []webhook.Command{"", "Live", "Live.", ".Callback", "Live..Callback", "Live.Callback.After", "Live.Callback After",
		"Live.Callback\n", "Live.9Callback", "9Live.Callback", "_Live.Callback", "Live.Callbäck", "Live.Callback-After",
		webhook.Command("A." + strings.Repeat("b", webhook.MaxCommandBytes-1))} {
		g.Expect(c.WellFormed()).To(BeFalse(), "%q", c)
	}
}

// Documented is the one list: every command with a typed event is in it, CallbackCommands are
// its names, and each entry names its page.
func TestDocumentedCommands(t *testing.T) {
	g := NewWithT(t)
	g.Expect(webhook.CallbackCommands).To(HaveLen(len(webhook.Documented)))
	seen := map[webhook.Command]bool{}
	for i, d := range webhook.Documented {
		g.Expect(webhook.CallbackCommands[i]).To(Equal(d.Command))
		g.Expect(seen[d.Command]).To(BeFalse(), "%s listed twice", d.Command)
		seen[d.Command] = true
		g.Expect(d.Page).To(HavePrefix("https://trtc.io/document/"))
		g.Expect(d.Command.Configurable()).To(BeTrue())
	}
	for _, c := range webhook.RoomCommands {
		g.Expect(seen[c]).To(BeTrue(), "%s has a typed event but is not in Documented", c)
	}
	for _, c := range []webhook.Command{webhook.CommandBeforeSendGift, webhook.CommandCreateBattle, webhook.CommandStartBattle,
		webhook.CommandEndBattle, webhook.CommandRoomThreshold, webhook.CommandMemberStateChanged, webhook.CommandSeatInfoChanged} {
		g.Expect(c.Configurable()).To(BeTrue(), "%s", c)
	}
	doc, ok := webhook.CommandBeforeSendGift.Doc()
	g.Expect(ok).To(BeTrue())
	g.Expect(doc.Before).To(BeTrue())
	g.Expect(webhook.Command("Live.CallbackAfterNothing").Configurable()).To(BeFalse())
	g.Expect(webhook.Command("live.callbackaftercreateroom").Configurable()).To(BeFalse(), "names are case-sensitive")
}

func TestCheckOtherBody(t *testing.T) {
	const cmd = webhook.Command("Live.CallbackAfterSomethingNew")
	for _, tc := range []struct{ body, room, err string }{
		{`{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"r1"}`, "r1", ""},
		{`{"RoomInfo":{"RoomId":"r2","X":1}}`, "r2", ""},
		{`{"RoomId":17,"RoomInfo":[1]}`, "", ""},
		{`{}`, "", ""},
		{`{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomId":"r3"}`, "r3", `CallbackCommand is "Live.CallbackAfterCreateRoom" in the body but "Live.CallbackAfterSomethingNew" in the URL`},
		{`{"CallbackCommand":null}`, "", "CallbackCommand is null, want a string"},
		{`"text"`, "", `body is the string "text", want a JSON object`},
		{`{"a":1,"a":2}`, "", `has the key "a" twice`},
		{"{\"a\":\"\xff\"}", "", "not UTF-8"},
		{`{"a":`, "", "body is not JSON"},
	} {
		g := NewWithT(t)
		room, err := webhook.CheckOtherBody(cmd, []byte(tc.body))
		g.Expect(room).To(Equal(tc.room), tc.body)
		if tc.err == "" {
			g.Expect(err).NotTo(HaveOccurred(), tc.body)
		} else {
			g.Expect(err).To(MatchError(ContainSubstring(tc.err)), tc.body)
		}
	}
}

func TestValidateBodyWithoutFieldList(t *testing.T) {
	g := NewWithT(t)
	err := webhook.ValidateBody("Group.CallbackAfterSendMsg", []byte(`{}`))
	g.Expect(err).To(MatchError(ContainSubstring(`no field list for command "Group.CallbackAfterSendMsg"`)))
	g.Expect(err).To(MatchError(ContainSubstring(string(webhook.CommandBeforeSendGift))), "the message lists every command with one")
	_, err = webhook.CheckBody("Live.CallbackAfterSomethingNew", []byte(`{}`))
	g.Expect(err).To(MatchError(ContainSubstring("CheckOtherBody")))
}
