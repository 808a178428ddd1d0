package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

const (
	e          = mockserver.EnginePrefix
	ban        = e + "ban_member"
	unban      = e + "unban_member"
	bannedList = e + "get_banned_member_list"
	mute       = e + "mute_member"
	mutedList  = e + "get_muted_member_list"
	members    = e + "get_member_list"
	textMsg    = e + "send_text_msg"
	customMsg  = e + "send_custom_msg"
	addRobot   = e + "add_robot"
	delRobot   = e + "del_robot"
	getRobot   = e + "get_robot"
	seatList   = mockserver.MicPrefix + "get_seat_list"
	pickSeat   = mockserver.MicPrefix + "pick_user_on_seat"
	kickSeat   = mockserver.MicPrefix + "kick_user_off_seat"
	groupMsg   = mockserver.GroupPrefix + "send_group_msg"
)

// code makes a call and returns its ErrorCode and ErrorInfo.
// acknowledged waits for the first n deliveries of s and checks that each was acknowledged.
func acknowledged(t *testing.T, s *mockserver.Server, n int) []mockserver.Delivery {
	t.Helper()
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ds, err := s.Await(ctx, n)
	g.Expect(err).NotTo(HaveOccurred())
	for _, d := range ds {
		g.Expect(d.Acknowledged).To(BeTrue(), "%+v", d)
	}
	return ds
}

func code(t *testing.T, s *mockserver.Server, api, body string) (int, string) {
	t.Helper()
	_, env, _ := call(t, s, nil, api, body)
	return env.ErrorCode, env.ErrorInfo
}

// rawCall returns the answer's whole body, for the APIs that answer beside ActionStatus.
func rawCall(t *testing.T, s *mockserver.Server, api, body string) map[string]any {
	t.Helper()
	q := url.Values{"sdkappid": {fmt.Sprint(appID)}, "identifier": {admin}, "usersig": {sig(t, admin)}, "random": {"1"}, "contenttype": {"json"}}
	resp, err := http.Post(s.URL+api+"?"+q.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v: %s", api, err, b)
	}
	return raw
}

// Members enter (robots), are banned (put out of the room and off their seat, and kept out),
// unbanned, muted (their messages refused) and seated, each change firing its webhook in order.
func TestMembersModerationAndSeats(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb, Commands: []webhook.Command{webhook.CommandMemberStateChanged, webhook.CommandSeatInfoChanged}})
	ok(t, s, create, createBody("live_1"))

	ok(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["bot_1","bot_2"]}`)
	g.Expect(ok(t, s, getRobot, `{"RoomId":"live_1"}`)).To(HaveKeyWithValue("RobotList_Account", []any{"bot_1", "bot_2"}))
	g.Expect(ok(t, s, members, `{"RoomId":"live_1","Count":1}`)).To(And(HaveKeyWithValue("MemberList", []any{map[string]any{"Member_Account": "bot_1"}}), HaveKeyWithValue("Next", "1")))
	g.Expect(ok(t, s, members, `{"RoomId":"live_1","Next":"1"}`)).To(And(HaveKeyWithValue("MemberList", HaveLen(1)), HaveKeyWithValue("Next", "")))

	ok(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"bot_1","Index":2}`)
	seats := ok(t, s, seatList, `{"RoomId":"live_1"}`)["SeatList"].([]any)
	g.Expect(seats).To(HaveLen(8))
	g.Expect(seats[2]).To(HaveKeyWithValue("Member_Account", "bot_1"))
	g.Expect(seats[0]).NotTo(HaveKey("Member_Account"))
	c, _ := code(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"bot_2","Index":2}`)
	g.Expect(c).To(Equal(mockserver.CodeSeatOccupied))
	c, _ = code(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"bot_1","Index":3}`)
	g.Expect(c).To(Equal(mockserver.CodeAlreadyOnSeat))
	c, _ = code(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"stranger","Index":3}`)
	g.Expect(c).To(Equal(mockserver.CodeNotMember))
	c, _ = code(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"bot_2","Index":8}`)
	g.Expect(c).To(Equal(mockserver.CodeBadParameter))

	ok(t, s, ban, `{"RoomId":"live_1","MemberList_Account":["bot_1"],"Duration":600,"Reason":"spam"}`)
	g.Expect(ok(t, s, bannedList, `{"RoomId":"live_1"}`)["BannedAccountList"]).To(ConsistOf(And(
		HaveKeyWithValue("Member_Account", "bot_1"), HaveKeyWithValue("Reason", "spam"), HaveKeyWithValue("BannedUntil", BeNumerically(">", time.Now().Unix()+500)))))
	g.Expect(ok(t, s, seatList, `{"RoomId":"live_1"}`)["SeatList"].([]any)[2]).NotTo(HaveKey("Member_Account"), "a banned member leaves their seat")
	c, info := code(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["bot_1"]}`)
	g.Expect(c).To(Equal(mockserver.CodeMemberBanned), info)
	c, _ = code(t, s, textMsg, `{"RoomId":"live_1","Sender_Account":"bot_1","TextContent":"hi"}`)
	g.Expect(c).To(Equal(mockserver.CodeMemberBanned))
	ok(t, s, unban, `{"RoomId":"live_1","MemberList_Account":["bot_1"]}`)
	g.Expect(ok(t, s, bannedList, `{"RoomId":"live_1"}`)["BannedAccountList"]).To(BeEmpty())
	ok(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["bot_1"]}`)

	ok(t, s, mute, `{"RoomId":"live_1","MemberList_Account":["bot_2"],"MuteTime":60}`)
	g.Expect(ok(t, s, mutedList, `{"RoomId":"live_1"}`)["MutedAccountList"]).To(ConsistOf(HaveKeyWithValue("Member_Account", "bot_2")))
	c, _ = code(t, s, textMsg, `{"RoomId":"live_1","Sender_Account":"bot_2","TextContent":"hi"}`)
	g.Expect(c).To(Equal(mockserver.CodeMemberMuted))
	c, _ = code(t, s, customMsg, `{"RoomId":"live_1","Sender_Account":"bot_2","BusinessId":"b","Data":"d"}`)
	g.Expect(c).To(Equal(mockserver.CodeMemberMuted))
	c, _ = code(t, s, groupMsg, `{"GroupId":"live_1","From_Account":"bot_2","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	g.Expect(c).To(Equal(mockserver.CodeIMMuted))
	ok(t, s, textMsg, `{"RoomId":"live_1","Sender_Account":"bot_1","TextContent":"hi","ExtensionInfo":"{\"a\":1}"}`)
	ok(t, s, mute, `{"RoomId":"live_1","MemberList_Account":["bot_2"],"MuteTime":0}`)
	g.Expect(ok(t, s, mutedList, `{"RoomId":"live_1"}`)["MutedAccountList"]).To(BeEmpty())
	ok(t, s, customMsg, `{"RoomId":"live_1","Sender_Account":"bot_2","BusinessId":"b","Data":"d"}`)
	raw := rawCall(t, s, groupMsg, `{"GroupId":"live_1","From_Account":"bot_2","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	g.Expect(raw).To(And(HaveKeyWithValue("MsgSeq", BeNumerically("==", 3)), HaveKey("MsgTime"), Not(HaveKey("Response"))), "Chat answers at the top level")
	g.Expect(ok(t, s, stats, `{"RoomId":"live_1"}`)).To(HaveKeyWithValue("TotalMsgCount", BeNumerically("==", 3)))

	ok(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"bot_2","Index":0}`)
	ok(t, s, kickSeat, `{"RoomId":"live_1","Member_Account":"bot_2"}`)
	c, _ = code(t, s, kickSeat, `{"RoomId":"live_1","Member_Account":"bot_2"}`)
	g.Expect(c).To(Equal(mockserver.CodeNotOnSeat))
	ok(t, s, delRobot, `{"RoomId":"live_1","RobotList_Account":["bot_2"]}`)

	// two entries, a seat, the ban (kicked, seat freed), an entry, a seat
	// taken and left, an exit
	want := []string{"Online/Enter", "Online/Enter", "seat", "Offline/Kicked", "seat", "Online/Enter", "seat", "seat", "Offline/Leave"}
	var got []string
	for _, d := range acknowledged(t, s, len(want)) {
		var ev struct{ EventType, EventCause string }
		_ = json.Unmarshal(d.Body, &ev)
		switch d.Command {
		case string(webhook.CommandSeatInfoChanged):
			got = append(got, "seat")
		default:
			got = append(got, ev.EventType+"/"+ev.EventCause)
		}
	}
	g.Expect(got).To(Equal(want))
	g.Expect(rv.Deliveries()).To(HaveLen(len(want)), "the reference receiver validated each")
	for _, d := range rv.Deliveries() {
		g.Expect(d.Accepted).To(BeTrue(), d.Reason)
	}
}

// The member APIs' refusals: each names what is wrong, with the console's codes.
func TestMemberErrors(t *testing.T) {
	s := newMock(t, mockserver.Config{})
	ok(t, s, create, createBody("live_1"))
	ok(t, s, create, `{"RoomInfo":{"RoomId":"no_seats","RoomType":"Live"}}`)
	for _, tc := range []struct {
		api, body, want string
		code            int
	}{
		{ban, `{"RoomId":"live_1","MemberList_Account":[]}`, "MemberList_Account is missing", mockserver.CodeBadParameter},
		{ban, `{"RoomId":"live_1","MemberList_Account":["a"],"Duration":0}`, "Duration is 0s", mockserver.CodeBadParameter},
		{ban, `{"RoomId":"live_9","MemberList_Account":["a"]}`, "does not exist", mockserver.CodeNoRoom},
		{mute, `{"RoomId":"live_1","MemberList_Account":["a"]}`, "MuteTime is missing", mockserver.CodeBadParameter},
		{mute, `{"RoomId":"live_1","MemberList_Account":["a"],"MuteTime":-1}`, "MuteTime is -1s", mockserver.CodeBadParameter},
		{mutedList, `{"RoomId":"live_1","Count":0}`, "Count is 0", mockserver.CodeBadParameter},
		{mutedList, `{"RoomId":"live_1","Next":"x"}`, `Next is "x"`, mockserver.CodeBadParameter},
		{textMsg, `{"RoomId":"live_1","TextContent":"hi"}`, "Sender_Account is missing", mockserver.CodeBadParameter},
		{textMsg, `{"RoomId":"live_1","Sender_Account":"a"}`, "TextContent is missing", mockserver.CodeBadParameter},
		{textMsg, `{"RoomId":"live_1","Sender_Account":"a","TextContent":"x","ExtensionInfo":"{"}`, "ExtensionInfo is not JSON", mockserver.CodeBadParameter},
		{customMsg, `{"RoomId":"live_1","Sender_Account":"a","Data":"d"}`, "BusinessId is missing", mockserver.CodeBadParameter},
		{pickSeat, `{"RoomId":"no_seats","Member_Account":"a","Index":0}`, "has no seats", mockserver.CodeBadParameter},
		{pickSeat, `{"RoomId":"live_1","Index":0}`, "Member_Account is missing", mockserver.CodeBadParameter},
		{pickSeat, `{"RoomId":"live_1","Member_Account":"a"}`, "Index is missing", mockserver.CodeBadParameter},
		{delRobot, `{"RoomId":"live_1","RobotList_Account":["a"]}`, "not a robot", mockserver.CodeNotMember},
		{groupMsg, `{"GroupId":"live_1","From_Account":"a"}`, "MsgBody is missing", mockserver.CodeBadParameter},
	} {
		t.Run(tc.want, func(t *testing.T) {
			g := NewWithT(t)
			c, info := code(t, s, tc.api, tc.body)
			g.Expect(c).To(Equal(tc.code), info)
			g.Expect(info).To(ContainSubstring(tc.want))
		})
	}
}

// Simulated gifts (--activity) wait for the before-callback too: an app that refuses every gift
// leaves the statistics without gifts, each refusal logged as blocked; one that acknowledges
// gets gifts counted.
func TestActivityGiftsObeyBeforeCallback(t *testing.T) {
	for _, refuse := range []bool{true, false} {
		t.Run(map[bool]string{true: "refused", false: "acknowledged"}[refuse], func(t *testing.T) {
			g := NewWithT(t)
			var asked atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				asked.Add(1)
				if refuse {
					_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"no","ErrorCode":1}`)
					return
				}
				_, _ = w.Write(webhook.Acknowledgement)
			}))
			t.Cleanup(srv.Close)
			s := newMock(t, mockserver.Config{CallbackURL: srv.URL, Commands: []webhook.Command{webhook.CommandBeforeSendGift},
				ActivityRate: 2000, ActivityTick: 5 * time.Millisecond, Seed: 7})
			ok(t, s, create, `{"RoomInfo":{"RoomId":"busy","RoomType":"Live","MaxMemberCount":50}}`)
			g.Eventually(asked.Load).WithTimeout(20 * time.Second).Should(BeNumerically(">=", 5))
			if refuse {
				st := ok(t, s, destroy, `{"RoomId":"busy"}`)["Statistic"]
				g.Expect(st).To(HaveKeyWithValue("TotalGiftsSent", BeNumerically("==", 0)), "every gift was refused")
			} else {
				g.Eventually(func() any { return ok(t, s, stats, `{"RoomId":"busy"}`)["TotalGiftsSent"] }).
					WithTimeout(20 * time.Second).Should(BeNumerically(">", 0))
			}
			_, ds := s.Deliveries()
			g.Expect(len(ds)).To(BeNumerically(">=", 5))
			for _, d := range ds {
				g.Expect(d.Before).To(BeTrue())
				g.Expect(d.Blocked).To(Equal(refuse), "%+v", d)
				var ev webhook.BeforeSendGift
				g.Expect(json.Unmarshal(d.Body, &ev)).To(Succeed())
				g.Expect(ev.GiftWater.GiftId).To(HavePrefix("livehook-gift-"))
				g.Expect(ev.GiftWater.ToAccount).To(Equal([]string{admin}), "to the room's owner")
			}
		})
	}
}

// testClock is a clock a test moves by hand, for Config.Now.
type testClock struct{ ns atomic.Int64 }

func newClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *testClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Bans and mutes end when their time is up, on the mock's clock: a member banned for Duration
// seconds (3600 when absent, the console's default) cannot enter until then and can from then on
// ("will not be able to re-enter during the ban duration": trtc.io/document/60711,
// trtc.io/document/63407); a member muted for MuteTime seconds ("In seconds, 0 means unmute":
// trtc.io/document/66969) can send again once it has passed. The lists show only what is in force,
// and the member who comes back fires Online/Enter after the ban's Offline/Kicked.
func TestBanAndMuteExpire(t *testing.T) {
	g := NewWithT(t)
	clock := newClock()
	start := clock.Now()
	_, cb := app(t, "")
	s := newMock(t, mockserver.Config{SkipUserSig: true, Now: clock.Now, CallbackURL: cb, Commands: []webhook.Command{webhook.CommandMemberStateChanged}})
	ok(t, s, create, createBody("live_1"))
	ok(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["bot_1","bot_2"]}`)
	ok(t, s, ban, `{"RoomId":"live_1","MemberList_Account":["bot_1"],"Duration":600}`)
	ok(t, s, mute, `{"RoomId":"live_1","MemberList_Account":["bot_2"],"MuteTime":60}`)
	g.Expect(ok(t, s, mutedList, `{"RoomId":"live_1"}`)["MutedAccountList"]).To(ConsistOf(And(
		HaveKeyWithValue("Member_Account", "bot_2"), HaveKeyWithValue("MutedUntil", BeNumerically("==", start.Add(60*time.Second).Unix())))))
	say := func(sender string) int {
		c, _ := code(t, s, textMsg, `{"RoomId":"live_1","Sender_Account":"`+sender+`","TextContent":"hi"}`)
		return c
	}
	enter := func(robot string) int {
		c, _ := code(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["`+robot+`"]}`)
		return c
	}

	clock.Advance(59 * time.Second)
	g.Expect(say("bot_2")).To(Equal(mockserver.CodeMemberMuted), "muted for one more second")
	clock.Advance(time.Second)
	g.Expect(say("bot_2")).To(BeZero(), "the mute is over at its end")
	c, info := code(t, s, groupMsg, `{"GroupId":"live_1","From_Account":"bot_2","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	g.Expect(c).To(BeZero(), info)
	g.Expect(ok(t, s, mutedList, `{"RoomId":"live_1"}`)["MutedAccountList"]).To(BeEmpty())

	g.Expect(enter("bot_1")).To(Equal(mockserver.CodeMemberBanned))
	g.Expect(say("bot_1")).To(Equal(mockserver.CodeMemberBanned))
	clock.Advance(539 * time.Second) // 599 s after the ban
	g.Expect(enter("bot_1")).To(Equal(mockserver.CodeMemberBanned), "banned for one more second")
	g.Expect(ok(t, s, bannedList, `{"RoomId":"live_1"}`)["BannedAccountList"]).To(ConsistOf(
		HaveKeyWithValue("BannedUntil", BeNumerically("==", start.Add(600*time.Second).Unix()))))
	clock.Advance(time.Second)
	g.Expect(enter("bot_1")).To(BeZero(), "the ban is over at its end")
	g.Expect(say("bot_1")).To(BeZero())
	g.Expect(ok(t, s, bannedList, `{"RoomId":"live_1"}`)["BannedAccountList"]).To(BeEmpty())

	// A ban without Duration lasts the console's 3600 s.
	ok(t, s, ban, `{"RoomId":"live_1","MemberList_Account":["bot_2"]}`)
	clock.Advance(mockserver.DefaultBanSeconds*time.Second - time.Second)
	g.Expect(enter("bot_2")).To(Equal(mockserver.CodeMemberBanned))
	clock.Advance(time.Second)
	g.Expect(enter("bot_2")).To(BeZero())

	want := []string{"Online/Enter bot_1", "Online/Enter bot_2", "Offline/Kicked bot_1", "Online/Enter bot_1", "Offline/Kicked bot_2", "Online/Enter bot_2"}
	var got []string
	for _, d := range acknowledged(t, s, len(want)) {
		var ev webhook.MemberStateChanged
		g.Expect(json.Unmarshal(d.Body, &ev)).To(Succeed())
		var who []string
		for _, m := range ev.MemberList {
			who = append(who, m.MemberAccount.ID)
		}
		got = append(got, fmt.Sprintf("%s/%s %s", ev.EventType, ev.EventCause, strings.Join(who, ",")))
	}
	g.Expect(got).To(Equal(want))
}
