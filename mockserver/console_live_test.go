package mockserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// The vendor console's moderation, seat and gift pages against the mock, with an app whose
// before-send-gift callback refuses one gift: the console's calls in the console's shapes
// (TUILiveKit_Manager), every answer checked, every webhook in order and valid for the
// reference receiver, the refused gift blocked and left out of the statistics.
func TestConsoleModerationSeatsGifts(t *testing.T) {
	g := NewWithT(t)
	rv, _ := app(t, "tok")
	// The app: the reference receiver, except that it refuses the "rocket" gift with a code it
	// wants the sender to see.
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("CallbackCommand") == string(webhook.CommandBeforeSendGift) && strings.Contains(string(b), `"GiftId":"rocket"`) {
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"rockets are for VIPs","ErrorCode":102120}`)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		rv.ServeHTTP(w, r)
	}))
	t.Cleanup(appSrv.Close)
	s := newMock(t, mockserver.Config{})
	ok(t, s, setCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":["Live.CallbackAfterCreateRoom","Live.CallbackAfterDestroyRoom",
		"Live.CallbackAfterMemberStateChanged","Mic.CallbackAfterSeatInfoChanged","Live.CallbackBeforeSendGift"]}`, appSrv.URL+"/live/webhook"))
	ok(t, s, setToken, `{"Token":"tok","IsTokenEnable":true}`)

	// Accounts and the room, as the create page makes them.
	for _, u := range []string{"host_1", "bot_1", "bot_2"} {
		rawCall(t, s, mockserver.LoginPrefix+"account_import", fmt.Sprintf(`{"UserID":%q,"Nick":%q,"FaceUrl":""}`, u, strings.ToUpper(u)))
	}
	ok(t, s, create, `{"RoomInfo":{"RoomId":"live_1","RoomType":"Live","SeatTemplate":"VideoDynamicGrid9Seats","Owner_Account":"host_1","IsUnlimitedRoomEnabled":true,"TakeSeatMode":"ApplyToTake","RoomName":"Moderated"}}`)

	// Seats: robots enter and take seats; one is taken off.
	ok(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["bot_1","bot_2"]}`)
	g.Expect(ok(t, s, seatList, `{"RoomId":"live_1"}`)["SeatList"]).To(HaveLen(9))
	ok(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"bot_1","Index":1}`)
	ok(t, s, pickSeat, `{"RoomId":"live_1","Member_Account":"bot_2","Index":2}`)
	ok(t, s, kickSeat, `{"RoomId":"live_1","Member_Account":"bot_2"}`)

	// Moderation: mute (messages refused), unmute; ban (out of the room and its seat, kept out).
	ok(t, s, mute, `{"RoomId":"live_1","MemberList_Account":["bot_2"],"MuteTime":600}`)
	c, _ := code(t, s, customMsg, `{"RoomId":"live_1","Sender_Account":"bot_2","BusinessId":"violation_alert","Data":"{}"}`)
	g.Expect(c).To(Equal(mockserver.CodeMemberMuted))
	g.Expect(ok(t, s, mutedList, `{"RoomId":"live_1"}`)["MutedAccountList"]).To(ConsistOf(HaveKeyWithValue("Member_Account", "bot_2")))
	ok(t, s, mute, `{"RoomId":"live_1","MemberList_Account":["bot_2"],"MuteTime":0}`)
	ok(t, s, customMsg, `{"RoomId":"live_1","Sender_Account":"bot_2","BusinessId":"violation_alert","Data":"{}"}`)
	ok(t, s, ban, `{"RoomId":"live_1","MemberList_Account":["bot_1"],"Duration":3600,"Reason":"abuse"}`)
	g.Expect(ok(t, s, bannedList, `{"RoomId":"live_1"}`)["BannedAccountList"]).To(ConsistOf(HaveKeyWithValue("Reason", "abuse")))
	c, _ = code(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["bot_1"]}`)
	g.Expect(c).To(Equal(mockserver.CodeMemberBanned))

	// Gifts: the gift page's catalogue, then two gifts, one refused by the app.
	for _, c := range []struct{ api, body string }{
		{addGift, `{"GiftId":"heart","DefaultName":"Heart","DefaultDesc":"","IconUrl":"","Coins":5,"ResourceUrl":"","Level":0,"ExtensionInfo":""}`},
		{addGift, `{"GiftId":"rocket","DefaultName":"Rocket","DefaultDesc":"","IconUrl":"","Coins":500,"ResourceUrl":"","Level":3,"ExtensionInfo":""}`},
		{e + "add_gift_category", `{"CategoryId":"hot","DefaultName":"Hot","DefaultDesc":""}`},
		{e + "add_gift_category_relations", `{"CategoryId":"hot","GiftIdList":["heart","rocket"]}`},
		{e + "set_gift_category_language", `{"CategoryId":"hot","Language":"en","CategoryName":"Hot","CategoryDesc":""}`},
	} {
		ok(t, s, c.api, c.body)
	}
	g.Expect(ok(t, s, e+"get_gift_info_list", `{}`)).To(HaveKeyWithValue("TotalCount", BeNumerically("==", 2)))
	ok(t, s, sendGift, `{"RoomId":"live_1","GiftId":"heart","Count":3,"From_Account":"bot_2","ReceiverList_Account":["host_1"]}`)
	c, why := code(t, s, sendGift, `{"RoomId":"live_1","GiftId":"rocket","Count":1,"From_Account":"bot_2","ReceiverList_Account":["host_1"]}`)
	g.Expect(c).To(Equal(102120), "the app's code, passed through")
	g.Expect(why).To(ContainSubstring("rockets are for VIPs"))

	// The monitor's view: one member left, the statistic without the blocked gift.
	ri := ok(t, s, info, `{"RoomId":"live_1"}`)["RoomInfo"]
	g.Expect(ri).To(And(HaveKeyWithValue("OnlineCount", BeNumerically("==", 1)), HaveKeyWithValue("OwnerName", "HOST_1"), HaveKeyWithValue("MaxSeatCount", BeNumerically("==", 9))))
	st := ok(t, s, statistic, `{"RoomId":"live_1"}`)
	g.Expect(st).To(And(HaveKeyWithValue("TotalGiftsSent", BeNumerically("==", 3)), HaveKeyWithValue("TotalGiftCoins", BeNumerically("==", 15)),
		HaveKeyWithValue("TotalMsgCount", BeNumerically("==", 1))))
	ok(t, s, destroy, `{"RoomId":"live_1"}`)

	// Every webhook, in order: the before-callbacks sent at once, the others through the outbox.
	total, _ := s.Deliveries()
	all, err := s.Await(t.Context(), int(total.Fired))
	g.Expect(err).NotTo(HaveOccurred())
	var got []string
	for _, d := range all {
		g.Expect(d.URL).To(ContainSubstring("&Sign="))
		ev, err := webhook.Decode(d.Body)
		g.Expect(err).NotTo(HaveOccurred())
		name := webhook.Command(d.Command).Short()
		switch ev := ev.(type) {
		case *webhook.MemberStateChanged:
			name += " " + ev.EventType + "/" + ev.EventCause + " " + ev.MemberList[0].MemberAccount.ID
		case *webhook.BeforeSendGift:
			name += " " + ev.GiftWater.GiftId + map[bool]string{true: " blocked", false: ""}[d.Blocked]
			g.Expect(d.Before).To(BeTrue())
		case *webhook.SeatInfoChanged:
			var on []string
			for _, seat := range ev.SeatList {
				if seat.MemberAccount.ID != "" {
					on = append(on, fmt.Sprintf("%d:%s", seat.Index, seat.MemberAccount.ID))
				}
			}
			name += " [" + strings.Join(on, " ") + "]"
		}
		if !d.Blocked {
			g.Expect(d.Acknowledged).To(BeTrue(), "%+v", d)
		}
		got = append(got, name)
	}
	short := func(c webhook.Command) string { return c.Short() }
	g.Expect(got).To(Equal([]string{
		short(webhook.CommandCreateRoom),
		short(webhook.CommandMemberStateChanged) + " Online/Enter bot_1",
		short(webhook.CommandMemberStateChanged) + " Online/Enter bot_2",
		short(webhook.CommandSeatInfoChanged) + " [1:bot_1]",
		short(webhook.CommandSeatInfoChanged) + " [1:bot_1 2:bot_2]",
		short(webhook.CommandSeatInfoChanged) + " [1:bot_1]",
		short(webhook.CommandMemberStateChanged) + " Offline/Kicked bot_1",
		short(webhook.CommandSeatInfoChanged) + " []",
		short(webhook.CommandBeforeSendGift) + " heart",
		short(webhook.CommandBeforeSendGift) + " rocket blocked",
		short(webhook.CommandDestroyRoom),
	}))
	var d webhook.DestroyRoom
	g.Expect(json.Unmarshal(all[len(all)-1].Body, &d)).To(Succeed())
	g.Expect(d.Statistic.TotalGiftCoins).To(Equal(15), "the destroy webhook counts only the gift let through")
	for _, rd := range rv.Deliveries() {
		g.Expect(rd.Accepted).To(BeTrue(), "%+v", rd)
	}
	g.Expect(rv.Deliveries()).To(HaveLen(len(all)-1), "the receiver saw all but the refused gift")
}
