package generator_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

var userIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func TestValuesKeepTheProtocolsLimits(t *testing.T) {
	g := NewWithT(t)
	created := time.Unix(1700000000, 0)
	for seed := range int64(30) {
		gen := generator.New(seed)
		seen := map[string]bool{}
		for range 200 {
			info := gen.RoomInfo(created, "")
			g.Expect(len(info.RoomId)).To(BeNumerically("<=", webhook.MaxRoomIDBytes))
			g.Expect(seen[info.RoomId]).To(BeFalse(), "RoomId %s repeats", info.RoomId)
			seen[info.RoomId] = true
			g.Expect(utf8.ValidString(info.RoomName)).To(BeTrue())
			g.Expect(len(info.RoomName)).To(BeNumerically("<=", webhook.ClientRoomNameBytes))
			g.Expect(len(info.CoverURL)).To(BeNumerically("<=", webhook.MaxURLBytes))
			g.Expect(len(info.Category)).To(BeNumerically("<=", webhook.MaxCategories))
			g.Expect(generator.SeatCounts).To(ContainElement(info.MaxSeatCount))
			g.Expect(webhook.TakeSeatModes).To(ContainElement(info.TakeSeatMode))
			g.Expect(info.OwnerAccount.ID).To(MatchRegexp(userIDPattern.String()))
			g.Expect(info.CreateTime).To(Equal(created.Unix()))
			g.Expect(webhook.Platforms).To(ContainElement(gen.Platform()))
			st := gen.Statistic(time.Duration(gen.Rand().Intn(600))*time.Minute, info.MaxMemberCount)
			g.Expect(st.TotalUniqueGiftSenders).To(BeNumerically("<=", st.TotalGiftsSent))
			g.Expect(st.TotalGiftsSent).To(BeNumerically("<=", st.TotalGiftCoins))
			g.Expect(st.TotalUniqueGiftSenders).To(BeNumerically("<=", st.TotalViewers))
			body, err := webhook.Encode(&webhook.CreateRoom{OperatorAccount: info.OwnerAccount.ID, RoomInfo: info, EventTime: created.UnixMilli()})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(webhook.ValidateBody(webhook.CommandCreateRoom, body)).To(Succeed())
		}
	}
}

func TestSameSeedSameValues(t *testing.T) {
	g := NewWithT(t)
	make := func(seed int64) []byte {
		gen := generator.New(seed)
		var infos []webhook.RoomInfo
		for range 50 {
			infos = append(infos, gen.RoomInfo(time.Unix(1700000000, 0), ""))
		}
		b, err := json.Marshal(infos)
		g.Expect(err).NotTo(HaveOccurred())
		return b
	}
	g.Expect(make(7)).To(Equal(make(7)))
	g.Expect(make(7)).NotTo(Equal(make(8)))
}

func TestUsersRecur(t *testing.T) {
	g := NewWithT(t)
	gen := generator.New(1, generator.WithUsers(100))
	var ids []string
	for range 1000 {
		ids = append(ids, gen.UserID())
	}
	slices.Sort(ids)
	g.Expect(len(slices.Compact(ids))).To(BeNumerically("<", 100))
	g.Expect(gen.NumericUserID()).To(MatchRegexp(`^1441152\d{11}$`))
}

// Seed 0 picks a seed, and the generator reports the one it uses: made again from that seed, it
// makes the same values.
func TestSeedZeroPicksARealSeed(t *testing.T) {
	g := NewWithT(t)
	gen := generator.New(0)
	seed := gen.Seed()
	g.Expect(seed).To(BeNumerically(">", 0))
	g.Expect(seed).To(BeNumerically("<", generator.MaxPickedSeed))
	again := generator.New(seed)
	for range 20 {
		g.Expect(again.RoomID()).To(Equal(gen.RoomID()))
	}
	g.Expect(generator.PickSeed(-7)).To(Equal(int64(-7)), "a seed given is kept, negative too")
	g.Expect(generator.PickSeed(0)).NotTo(BeZero())
}

func TestEdgesDrawAtTheLimitsAndStayValid(t *testing.T) {
	g := NewWithT(t)
	gen := generator.New(11, generator.WithEdges(1))
	long := 0
	for range 200 {
		info := gen.RoomInfo(time.Unix(1_700_000_000, 0), "")
		g.Expect(room.Validate(info)).To(Succeed(), "%+v", info)
		g.Expect(info.RoomId).To(HaveLen(webhook.MaxRoomIDBytes))
		g.Expect(info.RoomId).NotTo(ContainSubstring("${"), "a RoomId must not read as a template in a generated file")
		g.Expect(len(info.RoomName)).To(BeNumerically(">", webhook.MaxRoomNameBytes-4))
		g.Expect(info.CoverURL).To(HaveLen(webhook.MaxURLBytes))
		g.Expect(info.Category).To(HaveLen(webhook.MaxCategories))
		g.Expect(room.ValidateUser(info.OwnerAccount.ID, "owner")).To(Succeed())
		if len(info.OwnerAccount.ID) == webhook.MaxUserIDBytes {
			long++
		}
	}
	g.Expect(long).To(BeNumerically(">", 100), "owners drawn at the edge have 32-byte IDs")
}

func TestNoEdgesDrawsAsBefore(t *testing.T) {
	g := NewWithT(t)
	a, b := generator.New(3), generator.New(3, generator.WithEdges(0))
	for range 50 {
		g.Expect(b.RoomInfo(time.Unix(1, 0), "")).To(Equal(a.RoomInfo(time.Unix(1, 0), "")))
	}
}
