package recording_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/recording"
	"github.com/livehook/livehook/scenarios"
)

func TestReplayMakesAScenarioPerRoomInRecordedOrder(t *testing.T) {
	g := NewWithT(t)
	var buf bytes.Buffer
	w := recording.NewWriter(&buf)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	add := func(e recording.Entry) {
		e.Time = at.Add(time.Duration(e.Seq) * time.Second)
		g.Expect(w.Write(e)).To(Succeed())
	}
	ok := entry(1, seed(t, "create_room.json"))
	ok.Room = "a"
	add(ok)
	refusedByApp := entry(2, seed(t, "modify_admin.json"))
	refusedByApp.Room, refusedByApp.Command = "b", "Live.CallbackAfterModifyAdmin"
	refusedByApp.Answer = recording.Answer{From: receiver.FromApp, Status: 200, Body: []byte(`{"ActionStatus":"FAIL","ErrorInfo":"no","ErrorCode":7}`)}
	add(refusedByApp)
	foreign := entry(3, seed(t, "destroy_room.json"))
	foreign.Room, foreign.Query = "a", "SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterDestroyRoom&contenttype=json&Sign=x&RequestTime=1"
	foreign.Verdict = recording.Verdict{Status: 403, ErrorCode: receiver.CodeForeignApp}
	foreign.App = &receiver.AppResult{Error: "no answer within 2s"}
	foreign.Answer = recording.Answer{From: receiver.FromReceiver, Status: 403}
	add(foreign)
	unsigned := entry(4, seed(t, "modify_admin.json"))
	unsigned.Room, unsigned.Query = "b", "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json"
	unsigned.Verdict = recording.Verdict{Status: 401, ErrorCode: receiver.CodeBadSign}
	add(unsigned)
	get := entry(5, nil)
	get.Method = http.MethodGet
	add(get)
	buf.WriteString(`{"v":1,"method":"PO`) // torn

	sc := recording.NewScanner(bytes.NewReader(buf.Bytes()))
	scs, sum, err := recording.Replay(sc, recording.ReplayOptions{Expect: recording.ExpectRecorded})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sum).To(Equal(recording.ReplaySummary{Deliveries: 4, Rooms: 2, NotPOST: 1, Unanswered: 1}))
	_, skipped := sc.Skipped()
	g.Expect(skipped).To(Equal(1))
	g.Expect(scs).To(HaveLen(2))
	g.Expect(scs[0].Name).To(Equal(`room "a"`))
	g.Expect(scs[0].Description).To(Equal("Recorded from 2026-01-02T03:04:06Z to 2026-01-02T03:04:08Z: 1 of 2 deliveries kept the protocol."))
	a, b := scs[0].Steps, scs[1].Steps
	g.Expect(a).To(HaveLen(2))
	g.Expect(a[0].Name).To(Equal("#1 DestroyRoom"))
	g.Expect([]byte(a[0].Replay.Body)).To(Equal(seed(t, "create_room.json")))
	g.Expect(a[0].Replay.Query).To(Equal("SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterDestroyRoom&contenttype=json&ClientIP=203.0.113.9&OptPlatform=iOS"), "Sign and RequestTime go")
	g.Expect(a[0].Replay.RecordedAt).To(Equal("2026-01-02T03:04:06Z"))
	g.Expect(a[0].Expect).To(BeNil(), "the app acknowledged it")
	g.Expect(a[1].Replay.SDKAppID).To(Equal(uint64(1400999999)), "a foreign SdkAppid stays foreign")
	g.Expect(a[1].Name).To(HaveSuffix("(the app gave no answer when recorded: the protocol's verdict is expected)"))
	g.Expect(a[1].Expect).To(Equal(&scenarios.Expect{Outcome: scenarios.Rejected}))
	status, code, fail := 200, 7, "FAIL"
	g.Expect(b[0].Expect).To(Equal(&scenarios.Expect{Status: &status, ActionStatus: &fail, ErrorCode: &code}))
	g.Expect(b[1].Replay.Sign).To(Equal(scenarios.Signing("missing")))

	// Under the protocol's verdict, the app's answers do not count.
	scs, _, err = recording.Replay(recording.NewScanner(bytes.NewReader(buf.Bytes())), recording.ReplayOptions{KeepTimes: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(scs[1].Steps[0].Expect).To(BeNil())
	g.Expect(*scs[1].Steps[0].Replay.Rebase).To(BeFalse())
	_, _, err = recording.Replay(recording.NewScanner(bytes.NewReader(nil)), recording.ReplayOptions{Expect: "app"})
	g.Expect(err).To(MatchError(`recording: expect "app": want protocol or recorded`))
}
