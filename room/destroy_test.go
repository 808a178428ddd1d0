package room_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// A user destroy carries Category even when empty, as the vendor's sample does, and the client
// that created the room; a system destroy leaves Category out and names no client: ClientIP
// empty, OptPlatform Unknown, whatever client the caller passes.
func TestDestroyShapes(t *testing.T) {
	g := NewWithT(t)
	r := newRoom(t) // created with no Category
	msg, err := r.Destroy(room.Destruction{At: at})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(msg.Meta).To(Equal(webhook.Meta{ClientIP: "10.0.0.1", OptPlatform: webhook.PlatformRESTAPI}))
	body, err := webhook.Encode(msg.Event)
	g.Expect(err).NotTo(HaveOccurred())
	var v struct {
		RoomInfo map[string]json.RawMessage
	}
	g.Expect(json.Unmarshal(body, &v)).To(Succeed())
	g.Expect(v.RoomInfo).To(HaveKeyWithValue("Category", json.RawMessage(`[]`)))
	g.Expect(webhook.ValidateBody(webhook.CommandDestroyRoom, body)).To(Succeed())

	for _, client := range []webhook.Meta{{}, {ClientIP: "10.9.9.9", OptPlatform: "iOS"}} {
		r := newRoom(t)
		msg, err := r.Destroy(room.Destruction{BySystem: true, Client: client, At: at})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(msg.Meta).To(Equal(webhook.Meta{OptPlatform: webhook.PlatformUnknown}))
		body, err := webhook.Encode(msg.Event)
		g.Expect(err).NotTo(HaveOccurred())
		v.RoomInfo = nil
		g.Expect(json.Unmarshal(body, &v)).To(Succeed())
		g.Expect(v.RoomInfo).NotTo(HaveKey("Category"))
		g.Expect(v.RoomInfo).To(HaveKeyWithValue("RoomId", json.RawMessage(`"r1"`)))
		u := webhook.Endpoint{URL: "http://x/cb", SDKAppID: 1400000001}.RequestURL(webhook.CommandDestroyRoom, msg.Meta, webhook.URLOptions{})
		g.Expect(u).To(HaveSuffix("&ClientIP=&OptPlatform=Unknown"))
	}
}

// SimulateMembers makes the history Simulate makes, and one valid member webhook per entry and
// exit: the Online ones count TotalViewers, and Online minus Offline is who is in the room.
func TestSimulateMembers(t *testing.T) {
	g := NewWithT(t)
	plain, withEvents := newRoom(t), newRoom(t)
	rngA, rngB := rand.New(rand.NewPCG(7, 1)), rand.New(rand.NewPCG(7, 1))
	var msgs []webhook.Message
	for i := range 50 {
		plain.Simulate(rngA, 20)
		msgs = append(msgs, withEvents.SimulateMembers(rngB, 20, at.Add(time.Duration(i)*time.Second))...)
	}
	g.Expect(withEvents.Statistic()).To(Equal(plain.Statistic()), "the same draws, the same history")
	g.Expect(withEvents.Online()).To(Equal(plain.Online()))
	in := map[string]bool{}
	entries := 0
	for _, m := range msgs {
		ev := m.Event.(*webhook.MemberStateChanged)
		g.Expect(ev.RoomId).To(Equal("r1"))
		g.Expect(ev.MemberList).To(HaveLen(1))
		user := ev.MemberList[0].MemberAccount.ID
		switch ev.EventType {
		case webhook.MemberOnline:
			g.Expect(ev.EventCause).To(Equal(webhook.CauseEnter))
			g.Expect(in[user]).To(BeFalse(), "%s entered twice without leaving", user)
			in[user] = true
			entries++
		case webhook.MemberOffline:
			g.Expect(ev.EventCause).To(Equal(webhook.CauseLeave))
			g.Expect(in[user]).To(BeTrue(), "%s left without entering", user)
			delete(in, user)
		}
		g.Expect(m.Meta).To(Equal(webhook.Meta{OptPlatform: webhook.PlatformUnknown}))
		body, err := webhook.Encode(m.Event)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(webhook.ValidateBody(webhook.CommandMemberStateChanged, body)).To(Succeed(), "%s", body)
	}
	g.Expect(entries).To(Equal(withEvents.Statistic().TotalViewers))
	g.Expect(in).To(HaveLen(withEvents.Online()))
	g.Expect(entries).To(BeNumerically(">", 0))
}
