package mockserver_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// An app that registers the vendor's whole command list configures the mock, and gets the list
// back; a name not on it is refused with the vendor's 100002, by set_callback and update_callback.
func TestCallbackConfigTakesEveryDocumentedCommand(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{})
	all, err := json.Marshal(webhook.CallbackCommands)
	g.Expect(err).NotTo(HaveOccurred())
	set := mockserver.ConfigPrefix + "set_callback"
	update := mockserver.ConfigPrefix + "update_callback"

	_, env, _ := call(t, s, nil, set, `{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":["Live.CallbackAfterCreateRoom","Live.CallbackAfterStartBattl"]}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeBadParameter))
	g.Expect(env.ErrorInfo).To(ContainSubstring(`CallbackCommandList[1] is "Live.CallbackAfterStartBattl"`))

	_, env, _ = call(t, s, nil, set, fmt.Sprintf(`{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":%s}`, all))
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, env, got := call(t, s, nil, mockserver.ConfigPrefix+"get_callback", `{}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	b, _ := json.Marshal(got["CallbackCommandList"])
	g.Expect(b).To(MatchJSON(all))

	for _, name := range []string{"Live.CallbackAfterNothing", "live.callbackbeforesendgift", "Live.CallbackBeforeSendGift "} {
		_, env, _ = call(t, s, nil, update, fmt.Sprintf(`{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":[%q]}`, name))
		g.Expect(env.ErrorCode).To(Equal(mockserver.CodeBadParameter), name)
		g.Expect(env.ErrorInfo).To(ContainSubstring("not a Live webhook"), name)
	}
	_, env, _ = call(t, s, nil, update, `{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":["Live.CallbackBeforeSendGift","Mic.CallbackAfterSeatInfoChanged"]}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, _, got = call(t, s, nil, mockserver.ConfigPrefix+"get_callback", `{}`)
	g.Expect(got["CallbackCommandList"]).To(Equal([]any{"Mic.CallbackAfterSeatInfoChanged", "Live.CallbackBeforeSendGift"}), "in the command list's order")
}

// The mock's --commands setting takes the same names.
func TestConfigCommandsTakeEveryDocumentedCommand(t *testing.T) {
	g := NewWithT(t)
	newMock(t, mockserver.Config{Commands: webhook.CallbackCommands})
	_, err := mockserver.NewServer(mockserver.Config{SDKAppID: appID, SecretKey: key, Commands: []webhook.Command{"Live.CallbackAfterNothing"}})
	g.Expect(err).To(MatchError(ContainSubstring(`command "Live.CallbackAfterNothing" is not a Live webhook`)))
}

// The limits of categories and metadata are refused with the codes of the vendor console's
// error table, and a refused change fires no webhook; at the limits, everything passes.
func TestRoomLimitCodes(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb})
	_, env, _ := call(t, s, nil, create, `{"RoomInfo":{"RoomId":"r1","RoomType":"Live","Category":[1,2,3,4]}}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeTooManyCategories), env.ErrorInfo)
	_, env, _ = call(t, s, nil, create, `{"RoomInfo":{"RoomId":"r1","RoomType":"Live","Category":[1,2,3]}}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, env, _ = call(t, s, nil, mockserver.EnginePrefix+"update_room_info", `{"RoomInfo":{"RoomId":"r1","Category":[1,2,3,4]}}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeTooManyCategories), env.ErrorInfo)

	setMeta, delMeta := mockserver.EnginePrefix+"set_room_metadata", mockserver.EnginePrefix+"del_room_metadata"
	items := func(n, keyBytes, valueBytes int) string {
		var b []map[string]string
		for i := range n {
			b = append(b, map[string]string{"Key": fmt.Sprintf("%0*d", keyBytes, i), "Value": fmt.Sprintf("%0*d", valueBytes, 0)})
		}
		out, _ := json.Marshal(map[string]any{"RoomId": "r1", "Metadata": b})
		return string(out)
	}
	for _, tc := range []struct {
		name string
		body string
		code int
	}{
		{"eleven keys", items(11, 2, 1), mockserver.CodeTooManyMetadataKeys},
		{"a value of 2049 bytes", items(1, 2, 2049), mockserver.CodeMetadataValueTooLarge},
		{"nine values of 2 KiB", items(9, 2, 2048), mockserver.CodeMetadataTooLarge},
		{"a key of 51 bytes", items(1, 51, 1), mockserver.CodeMetadataKeyTooLarge},
		{"an empty key", `{"RoomId":"r1","Metadata":[{"Key":"","Value":"x"}]}`, mockserver.CodeBadParameter},
		{"at the limits", items(8, 50, 2048), 0},
		{"deleting absent keys", `{"RoomId":"r1","Keys":["nope","neither"]}`, mockserver.CodeNoMetadataKeys},
		{"deleting one present key among absent ones", fmt.Sprintf(`{"RoomId":"r1","Keys":["nope",%q]}`, fmt.Sprintf("%050d", 0)), 0},
	} {
		api := setMeta
		if strings.Contains(tc.body, `"Keys"`) {
			api = delMeta
		}
		_, env, _ = call(t, s, nil, api, tc.body)
		g.Expect(env.ErrorCode).To(Equal(tc.code), "%s: %s", tc.name, env.ErrorInfo)
	}
	// Fired: the creation, one set and one delete; no refused change.
	ds, err := s.Await(t.Context(), 3)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ds).To(HaveLen(3))
	cmds := []string{}
	for _, d := range rv.Deliveries() {
		cmds = append(cmds, d.Command)
	}
	g.Expect(cmds).To(Equal([]string{string(webhook.CommandCreateRoom), string(webhook.CommandSetMetadata), string(webhook.CommandDelMetadata)}))
}

// With activity on and Live.CallbackAfterMemberStateChanged in the callback list, viewers
// entering and leaving fire it, each valid for the reference receiver and in order per room;
// without it in the list, activity fires nothing.
func TestActivityFiresMemberState(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb, ActivityRate: 2000, ActivityTick: 5 * time.Millisecond, MaxMembers: 50, Seed: 3,
		Commands: []webhook.Command{webhook.CommandCreateRoom, webhook.CommandMemberStateChanged}})
	_, env, _ := call(t, s, nil, create, `{"RoomInfo":{"RoomId":"a","RoomType":"Live"}}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	g.Eventually(func() int { return len(rv.Deliveries()) }).WithTimeout(20 * time.Second).Should(BeNumerically(">", 20))
	_, env, _ = call(t, s, nil, destroy, `{"RoomId":"a"}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	ds := rv.Deliveries()
	g.Expect(ds[0].Command).To(Equal(string(webhook.CommandCreateRoom)))
	in := map[string]bool{}
	for _, d := range ds[1:] {
		g.Expect(d.Command).To(Equal(string(webhook.CommandMemberStateChanged)))
		g.Expect(d.Accepted).To(BeTrue(), d.Reason)
		g.Expect(d.Unchecked).To(BeFalse())
		g.Expect(d.Room).To(Equal("a"))
		var ev webhook.MemberStateChanged
		g.Expect(json.Unmarshal(d.Body, &ev)).To(Succeed())
		user := ev.MemberList[0].MemberAccount.ID
		g.Expect(in[user]).To(Equal(ev.EventType == webhook.MemberOffline), "%s %s: in the order of the room's changes", user, ev.EventType)
		in[user] = ev.EventType == webhook.MemberOnline
	}

	rv2, cb2 := app(t, "")
	s2 := newMock(t, mockserver.Config{CallbackURL: cb2, ActivityRate: 2000, ActivityTick: 5 * time.Millisecond, MaxMembers: 50, Seed: 3})
	_, env, _ = call(t, s2, nil, create, `{"RoomInfo":{"RoomId":"a","RoomType":"Live"}}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	g.Eventually(func() float64 { return ok(t, s2, stats, `{"RoomId":"a"}`)["TotalViewers"].(float64) }).WithTimeout(20 * time.Second).Should(BeNumerically(">", 20))
	_, err := s2.Await(t.Context(), 1)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rv2.Deliveries()).To(HaveLen(1), "only the creation: the member webhook is not in the list")
}
