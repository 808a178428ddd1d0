package room_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

var at = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func newRoom(t *testing.T) *room.Room {
	t.Helper()
	r, _, err := room.Create(webhook.RoomInfo{RoomId: "r1", RoomName: "one", RoomType: webhook.RoomTypeLive,
		OwnerAccount: webhook.Account{ID: "owner"}, MaxMemberCount: 3, TakeSeatMode: webhook.TakeSeatModeFreeToTake},
		"admin", webhook.Meta{ClientIP: "10.0.0.1", OptPlatform: webhook.PlatformRESTAPI}, at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

func TestUpdate(t *testing.T) {
	g := NewWithT(t)
	r := newRoom(t)
	client := webhook.Meta{ClientIP: "10.0.0.2", OptPlatform: webhook.PlatformRESTAPI}
	msg, err := r.Update("admin", room.Update{RoomName: ptr("two"), IsMessageDisabled: ptr(true), Category: ptr([]int{4}),
		ActivityStatus: ptr(2), Notice: ptr("hello")}, client, at)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(msg.Meta).To(Equal(client))
	ev := msg.Event.(*webhook.UpdateRoomInfo)
	g.Expect(ev.OperatorAccount).To(Equal("admin"))
	g.Expect(ev.EventTime).To(Equal(at.UnixMilli()))
	g.Expect(ev.RoomInfo).To(Equal(webhook.UpdatedRoomInfo{RoomId: "r1", RoomName: "two", MaxMemberCount: 3,
		IsMessageDisabled: true, Category: []int{4}, ActivityStatus: 2, TakeSeatMode: webhook.TakeSeatModeFreeToTake}))
	g.Expect(r.Info.RoomName).To(Equal("two"))
	g.Expect(r.Notice).To(Equal("hello"))

	// A change that breaks a limit leaves the room as it was.
	for _, u := range []room.Update{
		{RoomName: ptr(strings.Repeat("n", webhook.MaxRoomNameBytes+1))},
		{MaxMemberCount: ptr(-1)},
		{MaxMemberCount: ptr(0)},
		{TakeSeatMode: ptr("Whenever")},
		{Category: ptr([]int{1, 2, 3, 4})},
		{Notice: ptr(strings.Repeat("n", room.MaxNoticeBytes+1))},
		{BackgroundURL: ptr(strings.Repeat("u", webhook.MaxURLBytes+1)), RoomName: ptr("three")},
	} {
		_, err := r.Update("", u, client, at)
		g.Expect(errors.Is(err, room.ErrInvalid)).To(BeTrue(), "%v", err)
		g.Expect(r.Info.RoomName).To(Equal("two"))
	}
	// At the limits exactly, it passes.
	_, err = r.Update("", room.Update{RoomName: ptr(strings.Repeat("n", webhook.MaxRoomNameBytes)), Notice: ptr(strings.Repeat("n", room.MaxNoticeBytes)),
		Category: ptr([]int{})}, client, at)
	g.Expect(err).NotTo(HaveOccurred())

	_, err = r.Destroy(room.Destruction{At: at})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = r.Update("", room.Update{}, client, at)
	g.Expect(err).To(MatchError(room.ErrClosed))
}

func TestChangeOwner(t *testing.T) {
	g := NewWithT(t)
	r := newRoom(t)
	msg, changed, err := r.ChangeOwner("", "alice", at)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changed).To(BeTrue())
	g.Expect(msg.Event).To(Equal(&webhook.ChangeOwner{RoomId: "r1", EventTime: at.UnixMilli(), OperatorAccount: "owner",
		CurrentOwnerAccount: "alice", OriginalOwnerAccount: "owner"}))
	g.Expect(r.Info.OwnerAccount.ID).To(Equal("alice"))
	_, changed, err = r.ChangeOwner("admin", "alice", at)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changed).To(BeFalse())
	_, _, err = r.ChangeOwner("admin", "", at)
	g.Expect(err).To(MatchError(room.ErrInvalid))
	_, _, err = r.ChangeOwner("admin", strings.Repeat("x", webhook.MaxUserIDBytes+1), at)
	g.Expect(err).To(MatchError(room.ErrInvalid))
}

func TestMetadata(t *testing.T) {
	g := NewWithT(t)
	r := newRoom(t)
	client := webhook.Meta{ClientIP: "10.0.0.2", OptPlatform: webhook.PlatformRESTAPI}
	items := []webhook.MetadataItem{{Key: "b", Value: "1"}, {Key: "a", Value: "2"}}
	msg, err := r.SetMetadata("admin", items, client, at)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(msg.Event).To(Equal(&webhook.SetMetadata{OperatorAccount: "admin", RoomId: "r1", Metadata: items, EventTime: at.UnixMilli()}))
	_, err = r.SetMetadata("admin", []webhook.MetadataItem{{Key: "b", Value: "3"}, {Key: "c", Value: ""}}, client, at)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(r.GetMetadata(nil)).To(Equal([]webhook.MetadataItem{{Key: "b", Value: "3"}, {Key: "a", Value: "2"}, {Key: "c", Value: ""}}))
	g.Expect(r.GetMetadata([]string{"c", "zz", "b", "c"})).To(Equal([]webhook.MetadataItem{{Key: "c", Value: ""}, {Key: "b", Value: "3"}}))

	msg, err = r.DelMetadata("", []string{"zz", "a", "a"}, client, at)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(msg.Event.(*webhook.DelMetadata).Keys).To(Equal([]string{"a"}))
	kept := r.GetMetadata(nil)
	_, err = r.DelMetadata("", []string{"a", "zz"}, client, at)
	g.Expect(err).To(MatchError(room.ErrNoMetadataKeys))
	g.Expect(err).To(MatchError(room.ErrInvalid))
	g.Expect(err).To(MatchError(ContainSubstring(`room "r1" has none of the keys ["a" "zz"]`)))
	g.Expect(r.GetMetadata(nil)).To(Equal(kept))

	// Limits: keys, key length, value length, total; each refused without a change.
	before := r.GetMetadata(nil)
	for _, tc := range []struct {
		bad  []webhook.MetadataItem
		kind error // the limit's own error, when the vendor has a code for it
	}{
		{nil, nil},
		{[]webhook.MetadataItem{{Key: "", Value: "x"}}, nil},
		{[]webhook.MetadataItem{{Key: strings.Repeat("k", room.MaxMetadataKeyBytes+1)}}, room.ErrMetadataKeyTooLarge},
		{[]webhook.MetadataItem{{Key: "v", Value: strings.Repeat("v", room.MaxMetadataValueBytes+1)}}, room.ErrMetadataValueTooLarge},
		{[]webhook.MetadataItem{{Key: "d", Value: "1"}, {Key: "d", Value: "2"}}, nil},
		{manyKeys(room.MaxMetadataKeys - len(before) + 1), room.ErrTooManyMetadataKeys},
	} {
		_, err := r.SetMetadata("", tc.bad, client, at)
		g.Expect(errors.Is(err, room.ErrInvalid)).To(BeTrue(), "%v", err)
		for _, kind := range []error{room.ErrMetadataKeyTooLarge, room.ErrMetadataValueTooLarge, room.ErrTooManyMetadataKeys, room.ErrMetadataTooLarge} {
			g.Expect(errors.Is(err, kind)).To(Equal(kind == tc.kind), "%v is %v?", err, kind)
		}
		g.Expect(r.GetMetadata(nil)).To(Equal(before))
	}
	// Exactly at the limits it passes: ten keys, and 16 KiB of values in eight 2 KiB ones.
	_, err = r.SetMetadata("", manyKeys(room.MaxMetadataKeys-len(before)), client, at)
	g.Expect(err).NotTo(HaveOccurred())
	full := make([]webhook.MetadataItem, 8)
	for i := range full {
		full[i] = webhook.MetadataItem{Key: "k" + string(rune('0'+i)), Value: strings.Repeat("v", room.MaxMetadataValueBytes)}
	}
	r2 := newRoom(t)
	_, err = r2.SetMetadata("", full, client, at)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = r2.SetMetadata("", []webhook.MetadataItem{{Key: "one-more", Value: "x"}}, client, at)
	g.Expect(err).To(MatchError(ContainSubstring("bytes of metadata values")))
	g.Expect(err).To(MatchError(room.ErrMetadataTooLarge))
}

func manyKeys(n int) []webhook.MetadataItem {
	out := make([]webhook.MetadataItem, n)
	for i := range out {
		out[i] = webhook.MetadataItem{Key: "key-" + string(rune('a'+i))}
	}
	return out
}

func TestActivity(t *testing.T) {
	g := NewWithT(t)
	r := newRoom(t) // MaxMemberCount 3
	g.Expect(r.Enter("a")).To(BeTrue())
	g.Expect(r.Enter("a")).To(BeFalse())
	g.Expect(r.Enter("b")).To(BeTrue())
	g.Expect(r.Enter("c")).To(BeTrue())
	g.Expect(r.Enter("d")).To(BeFalse(), "the room is full")
	g.Expect(r.Leave("a")).To(BeTrue())
	g.Expect(r.Leave("a")).To(BeFalse())
	g.Expect(r.Enter("a")).To(BeTrue(), "entering again counts again")
	r.Gift("b", 2, 10)
	r.Gift("b", 1, 50)
	r.Gift("c", 0, 50)
	r.Like(3)
	r.Like(-2)
	r.Message()
	g.Expect(r.Statistic()).To(Equal(webhook.Statistic{TotalViewers: 4, TotalGiftsSent: 3, TotalGiftCoins: 70,
		TotalUniqueGiftSenders: 1, TotalLikesReceived: 3}))
	g.Expect(r.ViewCount()).To(Equal(4))
	g.Expect(r.Online()).To(Equal(3))
	g.Expect(r.Messages()).To(Equal(1))

	r.IsUnlimitedRoomEnabled = true
	g.Expect(r.Enter("d")).To(BeTrue(), "an unlimited room takes more than MaxMemberCount")
	msg, err := r.Destroy(room.Destruction{At: at, Statistic: r.Statistic()})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(msg.Event.(*webhook.DestroyRoom).RoomInfo.ViewCount).To(Equal(5))
	g.Expect(r.Enter("e")).To(BeFalse())
}

func TestSimulate(t *testing.T) {
	g := NewWithT(t)
	run := func(seed uint64) *room.Room {
		r := newRoom(t)
		rng := rand.New(rand.NewPCG(seed, 1))
		prev := r.Statistic()
		for range 50 {
			r.Simulate(rng, 20)
			st := r.Statistic()
			g.Expect(r.Online()).To(BeNumerically("<=", r.Info.MaxMemberCount))
			g.Expect(st.TotalViewers).To(BeNumerically(">=", prev.TotalViewers))
			g.Expect(st.TotalLikesReceived).To(BeNumerically(">=", prev.TotalLikesReceived))
			g.Expect(st.TotalUniqueGiftSenders).To(BeNumerically("<=", st.TotalGiftsSent))
			prev = st
		}
		return r
	}
	a, b := run(7), run(7)
	g.Expect(a.Statistic()).To(Equal(b.Statistic()), "the same seed makes the same history")
	g.Expect(a.Statistic().TotalViewers).To(BeNumerically(">", 0))
	g.Expect(a.Statistic().TotalGiftsSent).To(BeNumerically(">", 0))
	g.Expect(run(8).Statistic()).NotTo(Equal(a.Statistic()))
}
