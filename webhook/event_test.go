package webhook_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

// semantic decodes JSON keeping numbers exact, so that two encodings compare by meaning.
func semantic(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestSeedSamplesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file string
		cmd  webhook.Command
	}{
		{"create_room.json", webhook.CommandCreateRoom},
		{"modify_admin.json", webhook.CommandModifyAdmin},
		{"destroy_room.json", webhook.CommandDestroyRoom},
		{"destroy_by_system.json", webhook.CommandDestroyRoom},
	} {
		t.Run(tc.file, func(t *testing.T) {
			g := NewWithT(t)
			in, err := os.ReadFile(filepath.Join("testdata", tc.file))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(webhook.ValidateBody(tc.cmd, in)).To(Succeed())
			ev, err := webhook.Decode(in)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ev.Command()).To(Equal(tc.cmd))
			out, err := json.Marshal(ev)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(semantic(t, out)).To(Equal(semantic(t, in)), "re-encoded:\n%s", out)
			g.Expect(webhook.ValidateBody(tc.cmd, out)).To(Succeed())
		})
	}
}

func TestOwnerAccountBeyondFloat64(t *testing.T) {
	g := NewWithT(t)
	in, err := os.ReadFile("testdata/destroy_room.json")
	g.Expect(err).NotTo(HaveOccurred())
	ev, err := webhook.Decode(in)
	g.Expect(err).NotTo(HaveOccurred())
	d := ev.(*webhook.DestroyRoom)
	g.Expect(d.RoomInfo.OwnerAccount).To(Equal(webhook.Account{ID: "144115216631667826", Number: true}))
	out, err := json.Marshal(d)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(out)).To(ContainSubstring(`"Owner_Account":144115216631667826,`))

	d.RoomInfo.OwnerAccount.Number = false
	out, err = json.Marshal(d)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(out)).To(ContainSubstring(`"Owner_Account":"144115216631667826",`))

	d.RoomInfo.OwnerAccount = webhook.Account{ID: "host_1", Number: true}
	_, err = json.Marshal(d)
	g.Expect(err).To(MatchError(ContainSubstring(`account "host_1" cannot be sent as a JSON number`)))
}

func TestAccountRejectsOtherTypes(t *testing.T) {
	g := NewWithT(t)
	var a webhook.Account
	g.Expect(json.Unmarshal([]byte(`1.5`), &a)).To(MatchError("account must be a string or an integer, got the number 1.5"))
	g.Expect(json.Unmarshal([]byte(`{}`), &a)).To(MatchError(ContainSubstring("an object")))
	g.Expect(json.Unmarshal([]byte(`"u1"`), &a)).To(Succeed())
	g.Expect(a).To(Equal(webhook.Account{ID: "u1"}))
}

func TestExtraFields(t *testing.T) {
	g := NewWithT(t)
	ev := &webhook.ModifyAdmin{RoomId: "r1", EventTime: 1703589922780, OperatorAccount: "admin",
		AdminAccount: []string{"u1"}, OpType: webhook.OpTypeAdd,
		Extra: webhook.Extra{"Zeta": json.RawMessage(`{"a":1}`), "Alpha": json.RawMessage(`"x"`)}}
	out, err := json.Marshal(ev)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(out)).To(HaveSuffix(`"opType":"add","Alpha":"x","Zeta":{"a":1}}`))
	g.Expect(string(out)).To(HavePrefix(`{"CallbackCommand":"Live.CallbackAfterModifyAdmin",`))

	back, err := webhook.Decode(out)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(back.(*webhook.ModifyAdmin).Extra).To(HaveLen(2))
	g.Expect(back.(*webhook.ModifyAdmin).Extra["Zeta"]).To(MatchJSON(`{"a":1}`))

	ev.Extra = webhook.Extra{"Bad": json.RawMessage(`{`)}
	_, err = json.Marshal(ev)
	g.Expect(err).To(MatchError(ContainSubstring(`extra field "Bad"`)))
}

func TestDecodeErrors(t *testing.T) {
	g := NewWithT(t)
	_, err := webhook.Decode([]byte(`{"CallbackCommand":"Live.CallbackAfterNothing"}`))
	g.Expect(err).To(MatchError(ContainSubstring(`unknown CallbackCommand "Live.CallbackAfterNothing"`)))
	_, err = webhook.Decode([]byte(`nope`))
	g.Expect(err).To(HaveOccurred())
	_, err = webhook.Decode([]byte(`{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":5}`))
	g.Expect(err).To(MatchError(ContainSubstring("RoomId")))
}

func TestCommandNames(t *testing.T) {
	g := NewWithT(t)
	g.Expect(webhook.CommandDestroyRoom.Short()).To(Equal("DestroyRoom"))
	g.Expect(webhook.Command("Other").Short()).To(Equal("Other"))
	g.Expect(webhook.CommandCreateRoom.Known()).To(BeTrue())
	g.Expect(webhook.CommandUpdateRoomInfo.Known()).To(BeTrue())
	g.Expect(webhook.CommandMemberStateChanged.Known()).To(BeTrue())
	g.Expect(webhook.Command("Group.CallbackAfterSendMsg").Known()).To(BeFalse(), "documented, but Chat's, with no field list here")
	g.Expect(webhook.Command("Group.CallbackAfterSendMsg").Configurable()).To(BeTrue())
	g.Expect(webhook.CommandGiftNotBlock.Known()).To(BeFalse(), "a setting, never sent")
	g.Expect(webhook.Command("Live.CallbackAfterNothing").Configurable()).To(BeFalse())
}
