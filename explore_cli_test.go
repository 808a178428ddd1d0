package main_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

var _ = Describe("livehook explore", func() {
	// serve serves h on loopback for the spec.
	serve := func(h http.Handler) string {
		srv := httptest.NewServer(h)
		DeferCleanup(srv.Close)
		return srv.URL + "/webhook"
	}
	reference := func() http.Handler {
		rv, err := receiver.New(receiver.Config{SDKAppID: 1400000001})
		Expect(err).NotTo(HaveOccurred())
		return rv
	}
	// shortColumn refuses a RoomId over 32 bytes, as a VARCHAR(32) column does.
	shortColumn := func() http.Handler {
		rv := reference()
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if ev, err := webhook.Decode(body); err == nil && len(ev.Room()) > 32 {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"Data too long for column 'room_id'","ErrorCode":1}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			rv.ServeHTTP(w, r)
		})
	}

	It("finds nothing in the built-in receiver, and says so with exit 0", func() {
		s := runs(0, "explore", "--budget", "60", "--seed", "5")
		Expect(s.Out).To(gbytes.Say("No --target given: exploring livehook's built-in reference receiver"))
		Expect(s.Out).To(gbytes.Say(`seed 5 \(repeat with --seed 5\)\nnothing found\n`))
	})

	It("finds a short column, writes a reproducer that livehook run fails, and exits 1", func() {
		out := filepath.Join(GinkgoT().TempDir(), "found.yaml")
		target := serve(shortColumn())
		s := runs(1, "explore", "--target", target, "--budget", "200", "--seed", "1", "--max-findings", "1", "-o", out)
		Expect(s.Out).To(gbytes.Say(`FINDING 1  step 1 \(create_room, .*Data too long for column`))
		Expect(s.Out).To(gbytes.Say(`reproducer:`))
		Expect(s.Out).To(gbytes.Say(`curl -sS -X POST '` + target))
		Expect(s.Out).To(gbytes.Say(`1 finding, reproducers written to ` + out))
		b, err := os.ReadFile(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(ContainSubstring("create_room:"))

		runs(0, "validate", out)
		r := runs(1, "run", out, "--target", serve(shortColumn()))
		Expect(r.Out).To(gbytes.Say(`FAIL  explore finding 1 \(seed 1, case \d+\)`))
		runs(0, "run", out, "--target", serve(reference()))
	})

	It("refuses a bad command line with exit 2", func() {
		s := runs(2, "explore", "--budget", "0")
		Expect(s.Err).To(gbytes.Say(`--budget is 0: want 1 or more requests`))
		s = runs(2, "explore", "extra")
		Expect(s.Err).To(gbytes.Say(`explore takes no arguments`))
		s = runs(2, "explore", "--token", "")
		Expect(s.Err).To(gbytes.Say(`--token is empty`))
	})
})
