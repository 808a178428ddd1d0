package main_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

var _ = Describe("livehook receive in front of the whole Live family", func() {
	It("acknowledges the new and the unknown commands, records them as checked or not, and the recording replays", func() {
		dir := GinkgoT().TempDir()
		rec := filepath.Join(dir, "family.jsonl")
		s := start("receive", "--addr", "127.0.0.1:0", "--token", recToken, "--record", rec)
		base := receiverURL(s)
		e := webhook.Endpoint{URL: base + "/cb", SDKAppID: webhook.DefaultSDKAppID, Token: recToken}
		client := sender.NewClient(sender.WithTimeout(5 * time.Second))
		send := func(cmd webhook.Command, body []byte) webhook.Result {
			u := e.RequestURL(cmd, webhook.Meta{ClientIP: "198.51.100.20", OptPlatform: "Android"}, webhook.URLOptions{})
			return client.Do(context.Background(), webhook.Request{Command: cmd, URL: u, Body: body})
		}
		for _, file := range []string{"before_send_gift.json", "member_state_changed.json", "seat_info_changed.json", "end_battle.json"} {
			body, err := os.ReadFile(filepath.Join("webhook", "testdata", file))
			Expect(err).NotTo(HaveOccurred())
			ev, err := webhook.Decode(body)
			Expect(err).NotTo(HaveOccurred())
			res := send(ev.Command(), body)
			Expect(res.Outcome).To(Equal(webhook.Acknowledged), "%s: %v", file, res.Err)
		}
		unknown := []byte(`{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"live_9","EventTime":1703589922780}`)
		Expect(send("Live.CallbackAfterSomethingNew", unknown).Outcome).To(Equal(webhook.Acknowledged))
		Eventually(s.Err).Should(gbytes.Say(`#5 "Live.CallbackAfterSomethingNew" room "live_9": OK \(Live.CallbackAfterSomethingNew is not in livehook's protocol notes nor in the vendor's command list`))
		broken := []byte(`{"CallbackCommand":"Live.CallbackBeforeSendGift","Operator_Account":"a","RoomId":"r","GiftWater":{}}`)
		Expect(send(webhook.CommandBeforeSendGift, broken).Outcome).To(Equal(webhook.BadStatus), "a broken gift is refused: 400")

		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
		entries, skips := readRecording(rec)
		Expect(skips).To(BeEmpty())
		Expect(entries).To(HaveLen(6))
		for _, en := range entries[:4] {
			Expect(en.Verdict.Accepted).To(BeTrue(), en.Command)
			Expect(en.Verdict.Unchecked).To(BeFalse(), en.Command)
		}
		Expect(entries[4].Verdict.Accepted).To(BeTrue())
		Expect(entries[4].Verdict.Unchecked).To(BeTrue())
		Expect(entries[4].Verdict.Note).To(ContainSubstring("not in livehook's protocol notes"))
		Expect(entries[5].Verdict.Accepted).To(BeFalse())

		// The recording replays against a fresh receiver, each verdict met again.
		replay := filepath.Join(dir, "replay.yaml")
		runs(0, "generate", "--from", rec, "-o", replay)
		s2 := start("receive", "--addr", "127.0.0.1:0", "-q")
		r := runs(0, "run", replay, "--target", receiverURL(s2)+"/cb")
		Expect(r.Out).To(gbytes.Say(`\d+ passed, 0 failed, 0 skipped`))
	})
})

var _ = Describe("livehook serve --commands", func() {
	It("fires the commands listed, such as the member webhooks of --activity, which the reference receiver checks", func() {
		rs := start("receive", "--addr", "127.0.0.1:0")
		target := receiverURL(rs) + "/cb"
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig", "--callback", target, "--commands", "all", "--activity", "2000", "-q")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listens on (http://127\.0\.0\.1:\d+)`))
		base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(s.Out.Contents()))
		resp, err := http.Post(base+"/v4/live_engine_http_srv/create_room?sdkappid=1400000001&identifier=admin&random=1&contenttype=json", "application/json",
			strings.NewReader(`{"RoomInfo":{"RoomId":"r1","RoomType":"Live"}}`))
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Eventually(rs.Err, 20*time.Second).Should(gbytes.Say(`"Live.CallbackAfterMemberStateChanged" room "r1": OK\n`))
		Expect(string(rs.Err.Contents())).NotTo(ContainSubstring("FAIL"))
	})

	It("refuses names outside the command list, and a list without --callback", func() {
		Expect(runs(2, "serve", "--callback", "http://127.0.0.1:1/x", "--commands", "Live.CallbackAfterCreateRoom,Live.Nope").Err).To(
			gbytes.Say(`--commands: "Live.Nope" is not in the vendor's webhook command list`))
		Expect(runs(2, "serve", "--commands", "all").Err).To(gbytes.Say(`--commands applies to --callback URL`))
	})
})
