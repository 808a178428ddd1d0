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

// The vendor's samples of the four room webhooks beyond the seed ones (the update sample's
// missing comma before EventTime put back) decode into their typed events, re-encode to the same
// JSON and validate.
func TestRoomSamplesRoundTrip(t *testing.T) {
	for file, cmd := range map[string]webhook.Command{
		"update_room_info.json": webhook.CommandUpdateRoomInfo,
		"change_owner.json":     webhook.CommandChangeOwner,
		"set_metadata.json":     webhook.CommandSetMetadata,
		"del_metadata.json":     webhook.CommandDelMetadata,
	} {
		t.Run(file, func(t *testing.T) {
			g := NewWithT(t)
			in, err := os.ReadFile(filepath.Join("testdata", file))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(webhook.ValidateBody(cmd, in)).To(Succeed())
			ev, err := webhook.Decode(in)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ev.Command()).To(Equal(cmd))
			g.Expect(ev.Room()).NotTo(BeEmpty())
			g.Expect(ev.Time()).To(BeNumerically(">", 1_600_000_000_000))
			out, err := json.Marshal(ev)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(semantic(t, out)).To(Equal(semantic(t, in)), "re-encoded:\n%s", out)
			g.Expect(cmd.Known()).To(BeTrue())
			g.Expect(cmd.Configurable()).To(BeTrue())
		})
	}
}

// Each field rule of the new commands refuses a body that breaks it, naming the field.
func TestRoomBodiesRefused(t *testing.T) {
	for _, tc := range []struct {
		file, from, to, want string
	}{
		{"update_room_info.json", `"RoomId": "live-room"`, `"RoomID": "live-room"`, "RoomInfo.RoomId is missing"},
		{"update_room_info.json", `"TakeSeatMode": "ApplyToTake"`, `"TakeSeatMode": "Apply"`, "RoomInfo.TakeSeatMode"},
		{"update_room_info.json", `"EventTime": 1670574414123`, `"EventTime": 1670574414`, "looks like Unix seconds"},
		{"change_owner.json", `"CurrentOwner_Account": "user2"`, `"CurrentOwner_Account": ["user2"]`, "CurrentOwner_Account is"},
		{"change_owner.json", `"OriginalOwner_Account": "user1"`, `"Original": "user1"`, "OriginalOwner_Account is missing"},
		{"set_metadata.json", `{"Key": "key2", "Value": "value2"}`, `{"Key": "key2", "Value": 2}`, "Metadata[1].Value is the number 2, want a string"},
		{"set_metadata.json", `{"Key": "key1", "Value": "value1"}`, `"key1"`, "want an object"},
		{"set_metadata.json", `{"Key": "key2", "Value": "value2"}`, `{"Value": "value2"}`, "Metadata[1].Key is missing"},
		{"del_metadata.json", `"Keys": ["key1", "key2"]`, `"Keys": "key1"`, "Keys is the string \"key1\", want an array"},
		{"del_metadata.json", `"CallbackCommand": "Live.CallbackAfterDelMetadata"`, `"CallbackCommand": "Live.CallbackAfterSetMetadata"`, "in the URL"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			g := NewWithT(t)
			in, err := os.ReadFile(filepath.Join("testdata", tc.file))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(string(in)).To(ContainSubstring(tc.from))
			body := strings.Replace(string(in), tc.from, tc.to, 1)
			ev, err := webhook.Decode(in)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(webhook.ValidateBody(ev.Command(), []byte(body))).To(MatchError(ContainSubstring(tc.want)))
		})
	}
}

// Unusual but valid: empty metadata lists, an unknown extra field, and nil slices encoded as [].
func TestRoomBodiesUnusualButValid(t *testing.T) {
	g := NewWithT(t)
	for _, ev := range []webhook.Event{
		&webhook.SetMetadata{OperatorAccount: "a", RoomId: "r", EventTime: 1739965885831},
		&webhook.DelMetadata{OperatorAccount: "a", RoomId: "r", EventTime: 1739965885831, Extra: webhook.Extra{"Later": json.RawMessage(`{"x":1}`)}},
		&webhook.UpdateRoomInfo{OperatorAccount: "a", RoomInfo: webhook.UpdatedRoomInfo{RoomId: "r", TakeSeatMode: webhook.TakeSeatModeFreeToTake}, EventTime: 1739965885831},
	} {
		b, err := webhook.Encode(ev)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(b)).NotTo(ContainSubstring("null"))
		g.Expect(webhook.ValidateBody(ev.Command(), b)).To(Succeed(), "%s", b)
		back, err := webhook.Decode(b)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(back.Command()).To(Equal(ev.Command()))
	}
	g.Expect(webhook.CommandChangeOwner.HasClientInfo()).To(BeFalse())
	g.Expect(webhook.CommandSetMetadata.HasClientInfo()).To(BeTrue())
}
