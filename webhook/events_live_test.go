package webhook_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

// The vendor's samples of the member, seat, threshold, battle and gift webhooks (comments taken
// out, and the start sample's trailing comma) decode into their typed events, re-encode to the
// same JSON and validate; each command is known and configurable.
func TestLiveSamplesRoundTrip(t *testing.T) {
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
			in, err := os.ReadFile(filepath.Join("testdata", file))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(webhook.ValidateBody(cmd, in)).To(Succeed())
			ev, err := webhook.Decode(in)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ev.Command()).To(Equal(cmd))
			out, err := json.Marshal(ev)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(semantic(t, out)).To(Equal(semantic(t, in)), "re-encoded:\n%s", out)
			g.Expect(cmd.Known()).To(BeTrue())
			g.Expect(cmd.Configurable()).To(BeTrue())
			g.Expect(cmd.HasClientInfo()).To(BeTrue(), "every one of these pages' URLs carries ClientIP and OptPlatform")
		})
	}
}

func TestLiveEventAccessors(t *testing.T) {
	g := NewWithT(t)
	decode := func(file string) webhook.Event {
		in, err := os.ReadFile(filepath.Join("testdata", file))
		g.Expect(err).NotTo(HaveOccurred())
		ev, err := webhook.Decode(in)
		g.Expect(err).NotTo(HaveOccurred())
		return ev
	}
	th := decode("room_threshold.json").(*webhook.RoomThreshold)
	g.Expect([]any{th.Room(), th.Time(), th.CurRoomCount, th.MaxRoomCount}).To(Equal([]any{"", int64(1739966441121), 400, 500}))
	ms := decode("member_state_changed.json").(*webhook.MemberStateChanged)
	g.Expect(ms.Room()).To(Equal("room_id"))
	g.Expect(ms.MemberList).To(Equal([]webhook.Member{{MemberAccount: webhook.Account{ID: "jared"}}, {MemberAccount: webhook.Account{ID: "tommy"}}}))
	seats := decode("seat_info_changed.json").(*webhook.SeatInfoChanged)
	g.Expect(seats.SeatList[0].MemberAccount).To(Equal(webhook.Account{ID: "144115233775727695", Number: true}))
	g.Expect(seats.SeatList[1].MemberAccount).To(BeZero(), "an empty seat names nobody")
	g.Expect(decode("create_battle.json").Room()).To(Equal("pk-3"))
	g.Expect(decode("start_battle.json").Room()).To(Equal("pk-3"))
	end := decode("end_battle.json").(*webhook.EndBattle)
	g.Expect(end.Room()).To(Equal("pk-3"))
	g.Expect(end.OpType).To(Equal(webhook.BattleEndTimeUp))
	g.Expect(*end.ToRoomList[0].Score).To(BeZero())
	gift := decode("before_send_gift.json").(*webhook.BeforeSendGift)
	g.Expect([]any{gift.Room(), gift.Time(), gift.GiftWater.Coins, gift.GiftWater.ToAccount}).To(Equal([]any{"room_id", int64(0), int64(1000), []string{"to1"}}))
	doc, _ := webhook.CommandBeforeSendGift.Doc()
	g.Expect(doc.Before).To(BeTrue())

	// Built from Go with nil lists, they encode [] and validate.
	for _, ev := range []webhook.Event{
		&webhook.MemberStateChanged{RoomId: "r", EventType: webhook.MemberOffline, EventCause: webhook.CauseKicked, EventTime: 1739965885831},
		&webhook.SeatInfoChanged{RoomId: "r", EventTime: 1739965885831},
		&webhook.CreateBattle{OperatorAccount: "a", BattleId: "b", FromRoomId: "r", EventTime: 1739965885831},
		&webhook.StartBattle{BattleId: "b", CreateTime: 1739965885, StartTime: 1739965885, FromRoomInfo: webhook.BattleRoom{RoomId: "r"}, EventTime: 1739965885831},
		&webhook.EndBattle{BattleId: "b", CreateTime: 1739965885, StartTime: 0, EndTime: 1739965885, OpType: webhook.BattleEndNeverBegan, FromRoomInfo: webhook.BattleRoom{RoomId: "r"}, EventTime: 1739965885831},
		&webhook.BeforeSendGift{OperatorAccount: "a", RoomId: "r", GiftWater: webhook.GiftWater{FromAccount: "f", Time: 1739965885, GiftId: "g", Count: 1, Coins: 1}},
		&webhook.RoomThreshold{OperatorAccount: "a", EventTime: 1739965885831, CurRoomCount: 7, MaxRoomCount: 10},
	} {
		b, err := webhook.Encode(ev)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(b)).NotTo(ContainSubstring("null"))
		g.Expect(webhook.ValidateBody(ev.Command(), b)).To(Succeed(), "%s", b)
	}
}

// Each field rule of the new commands refuses a body that breaks it, naming the field; the
// sample passes.
func TestLiveBodiesRefused(t *testing.T) {
	for _, tc := range []struct {
		file, from, to, want string
	}{
		{"room_threshold.json", `"CurRoomCount": 400`, `"CurRoomCount": "400"`, `CurRoomCount is the string "400", want an integer`},
		{"room_threshold.json", `"MaxRoomCount": 500`, `"Max": 500`, "MaxRoomCount is missing"},
		{"room_threshold.json", `"EventTime": 1739966441121`, `"EventTime": 1739966441`, "looks like Unix seconds"},
		{"member_state_changed.json", `"EventType": "Online"`, `"EventType": "online"`, `EventType is "online", want one of Online, Offline`},
		{"member_state_changed.json", `"EventCause": "Enter"`, `"EventCause": "Teleport"`, `EventCause is "Teleport", want one of`},
		{"member_state_changed.json", `{"Member_Account": "tommy"}`, `{"Member": "tommy"}`, "MemberList[1].Member_Account is missing"},
		{"member_state_changed.json", `{"Member_Account": "jared"}`, `"jared"`, "MemberList[0] is the string"},
		{"seat_info_changed.json", `"Index": 2`, `"Index": -2`, "SeatList[1].Index is the number -2"},
		{"seat_info_changed.json", `"IsTakenDisabled": true`, `"IsTakenDisabled": 1`, "SeatList[1].IsTakenDisabled is the number 1, want true or false"},
		{"seat_info_changed.json", `"RoomId": "rid-123"`, `"Room": "rid-123"`, "RoomId is missing"},
		{"create_battle.json", `"ToRoomIdList": ["pk-5"]`, `"ToRoomIdList": "pk-5"`, "ToRoomIdList is the string"},
		{"create_battle.json", `"NeedResponse": false`, `"NeedResponse": "no"`, "NeedResponse is the string"},
		{"create_battle.json", `"BattleId": "4siHsNsWN/T3aub9zKraqPbSEGRX2z6gs3LDFi+d/3M="`, `"Battle": 1`, "BattleId is missing"},
		{"start_battle.json", `"StartTime": 1739954005`, `"StartTime": 1739954005000`, "StartTime is 1739954005000, which looks like Unix milliseconds"},
		{"start_battle.json", `{"RoomId": "pk-5", "Owner_Account": "tandy"}`, `{"Owner_Account": "tandy"}`, "ToRoomList[0].RoomId is missing"},
		{"end_battle.json", `"OpType": 0`, `"OpType": 3`, "OpType is 3, want one of 0, 1, 2"},
		{"end_battle.json", `"StartTime": 1739956115`, `"StartTime": 1739956`, "StartTime is 1739956, want Unix seconds"},
		{"end_battle.json", `"EndTime": 1739956145`, `"EndTime": 0`, "EndTime is 0"},
		{"end_battle.json", `"OpType": 0`, `"OpType": "0"`, `OpType is the string "0", want an integer`},
		{"end_battle.json", `"Score": 0, "Owner_Account": 144115245353757792`, `"Score": -1, "Owner_Account": 144115245353757792`, "FromRoomInfo.Score is the number -1"},
		{"before_send_gift.json", `"Coins": 1000`, `"Coins": 10.5`, "GiftWater.Coins is the number 10.5"},
		{"before_send_gift.json", `"To_Account": ["to1"]`, `"To_Account": "to1"`, "GiftWater.To_Account is the string"},
		{"before_send_gift.json", `"GiftId": "gift1",`, ``, "GiftWater.GiftId is missing"},
		{"before_send_gift.json", `"Time": 1703589922`, `"Time": 1703589922000`, "GiftWater.Time is 1703589922000, which looks like Unix milliseconds"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			g := NewWithT(t)
			in, err := os.ReadFile(filepath.Join("testdata", tc.file))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(string(in)).To(ContainSubstring(tc.from))
			ev, err := webhook.Decode(in)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(webhook.ValidateBody(ev.Command(), in)).To(Succeed())
			body := strings.Replace(string(in), tc.from, tc.to, 1)
			g.Expect(webhook.ValidateBody(ev.Command(), []byte(body))).To(MatchError(ContainSubstring(tc.want)))
		})
	}
}
