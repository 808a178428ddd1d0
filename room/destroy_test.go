package room_test

import (
	"encoding/json"
	"testing"

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
