package mockserver_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
)

// The Chat account APIs answer beside ActionStatus, as Chat does: an imported account's nick
// shows in portrait_get and as the room's OwnerName; portrait_set changes it.
func TestAccountsAndProfiles(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{})
	imp := mockserver.LoginPrefix + "account_import"
	get := mockserver.ProfilePrefix + "portrait_get"
	set := mockserver.ProfilePrefix + "portrait_set"

	g.Expect(rawCall(t, s, imp, `{"UserID":"host_1","Nick":"Host","FaceUrl":"https://x/a.png"}`)).To(And(HaveKeyWithValue("ErrorCode", BeNumerically("==", 0)), Not(HaveKey("Response"))))
	raw := rawCall(t, s, get, `{"To_Account":["host_1","ghost"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Image"]}`)
	g.Expect(raw["UserProfileItem"]).To(HaveExactElements(
		And(HaveKeyWithValue("To_Account", "host_1"), HaveKeyWithValue("ProfileItem", ContainElement(map[string]any{"Tag": "Tag_Profile_IM_Nick", "Value": "Host"}))),
		And(HaveKeyWithValue("To_Account", "ghost"), HaveKeyWithValue("ProfileItem", ContainElement(map[string]any{"Tag": "Tag_Profile_IM_Nick", "Value": ""})))))
	g.Expect(rawCall(t, s, set, `{"From_Account":"host_1","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"Star"},{"Tag":"Tag_Profile_IM_Role","Value":1}]}`)).To(HaveKeyWithValue("ErrorCode", BeNumerically("==", 0)))

	ok(t, s, create, `{"RoomInfo":{"RoomId":"live_1","RoomType":"Live","Owner_Account":"host_1","SeatTemplate":"VideoDynamicGrid9Seats","IsUnlimitedRoomEnabled":true,"TakeSeatMode":"ApplyToTake","KeepOwnerOnSeat":false}}`)
	ri := ok(t, s, info, `{"RoomId":"live_1"}`)["RoomInfo"]
	g.Expect(ri).To(And(HaveKeyWithValue("OwnerName", "Star"), HaveKeyWithValue("OwnerAvatarUrl", "https://x/a.png"), HaveKeyWithValue("OnlineCount", BeNumerically("==", 0)),
		HaveKeyWithValue("MemberCount", BeNumerically("==", 0)), HaveKeyWithValue("SeatTemplate", "VideoDynamicGrid9Seats"), HaveKeyWithValue("IsSeatEnabled", true),
		HaveKeyWithValue("MaxSeatCount", BeNumerically("==", 9)), HaveKeyWithValue("IsUnlimitedRoomEnabled", true), HaveKey("Popularity")))
	g.Expect(ok(t, s, seatList, `{"RoomId":"live_1"}`)["SeatList"]).To(HaveLen(9), "the template's seats")
	ok(t, s, addRobot, `{"RoomId":"live_1","RobotList_Account":["bot_1"]}`)
	rooms := ok(t, s, list, `{"Next":"0","Count":10}`)["RoomList"].([]any)
	g.Expect(rooms[0]).To(And(HaveKeyWithValue("OnlineCount", BeNumerically("==", 1)), HaveKeyWithValue("OwnerName", "Star")))

	for _, tc := range []struct {
		api, body, want string
		code            int
	}{
		{imp, `{"Nick":"x"}`, "UserID is missing", mockserver.CodeBadParameter},
		{get, `{"To_Account":[],"TagList":["a"]}`, "To_Account is missing", mockserver.CodeBadParameter},
		{get, `{"To_Account":["a"]}`, "TagList is missing", mockserver.CodeBadParameter},
		{set, `{"From_Account":"a","ProfileItem":[{"Tag":"t"}]}`, "ProfileItem[0] needs a Tag and a Value", mockserver.CodeBadParameter},
		{create, `{"RoomInfo":{"RoomId":"live_2","RoomType":"Live","SeatTemplate":"Grid99"}}`, `SeatTemplate is "Grid99"`, mockserver.CodeBadParameter},
		{create, `{"RoomInfo":{"RoomId":"live_2","RoomType":"Live","SeatTemplate":"VideoFixedFloat7Seats","MaxSeatCount":9}}`, "has 7 seats", mockserver.CodeBadParameter},
		{create, `{"RoomInfo":{"RoomId":"live_2","RoomType":"Live","SeatTemplate":"Karaoke","MaxSeatCount":17}}`, "MaxSeatCount is 17", mockserver.CodeBadParameter},
		{mockserver.ConfigPrefix + "get_callback_token", `{}`, "no callback token", mockserver.CodeNoCallback},
	} {
		c, info := code(t, s, tc.api, tc.body)
		g.Expect(c).To(Equal(tc.code), info)
		g.Expect(info).To(ContainSubstring(tc.want))
	}
	ok(t, s, create, `{"RoomInfo":{"RoomId":"audio","RoomType":"Live","SeatTemplate":"AudioSalon"}}`)
	g.Expect(ok(t, s, seatList, `{"RoomId":"audio"}`)["SeatList"]).To(HaveLen(8), "an audio template without MaxSeatCount: the console's default")
	ok(t, s, mockserver.ConfigPrefix+"set_callback_token", `{"Token":"tok","IsTokenEnable":true}`)
	g.Expect(ok(t, s, mockserver.ConfigPrefix+"get_callback_token", `{}`)).To(Equal(map[string]any{"Token": "tok", "IsTokenEnable": true}))
	ok(t, s, mockserver.EnginePrefix+"resume_mcu_task", `{"RoomId":"audio"}`)
	c, _ := code(t, s, mockserver.EnginePrefix+"resume_mcu_task", `{"RoomId":"nope"}`)
	g.Expect(c).To(Equal(mockserver.CodeNoRoom))
}
