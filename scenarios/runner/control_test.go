package runner_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/webhook"
)

// answering answers every request alike, reading its body first, and counts them.
func answering(status int, body string, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n.Add(1)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func text(t *testing.T, rep *report.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteText(&b, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestARefusalCountsOnlyBesideAnAcknowledgement(t *testing.T) {
	for _, tc := range []struct {
		name, body, lead string
		status           int
	}{
		{"a wrong path", "404 page not found\n", "The target refused every webhook (all HTTP 404): is the path right?", http.StatusNotFound},
		{"a backend that is down", "bad gateway", "The target refused every webhook (all HTTP 502): it fails on every webhook", http.StatusBadGateway},
		{"204 to everything", "", "The target refused every webhook (all HTTP 204): see its answers below", http.StatusNoContent},
		{"FAIL to everything", `{"ActionStatus":"FAIL","ErrorInfo":"db down","ErrorCode":1}`, "The target refused every webhook (all HTTP 200): it answered FAIL", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var n atomic.Int64
			target := start(t, answering(tc.status, tc.body, &n))
			rep := run(t, contract(t), target, token)
			g.Expect(rep.Passed).To(BeZero(), "no scenario passes against a target that refuses everything: %v", passedNames(rep))
			g.Expect(rep.Control).NotTo(BeNil(), "the run sent a control")
			g.Expect(rep.Control.Status).To(Equal(report.StatusFailed))
			g.Expect(failedNames(rep)).To(ContainElements("a webhook for a foreign SdkAppid is refused", "a webhook without Sign is refused"))
			for _, s := range rep.Scenarios {
				if strings.Contains(s.Name, "refused") && s.Status == report.StatusFailed {
					g.Expect(s.Failure).To(ContainSubstring("refused as expected, but that shows nothing: the target acknowledged no valid webhook in this run, not even the control webhook (Live.CallbackAfterCreateRoom answered %d", tc.status), s.Name)
				}
			}
			g.Expect(int64(rep.Requests)).To(Equal(n.Load()), "every request sent, the control's included, is counted")
			out := text(t, rep)
			g.Expect(out).To(HavePrefix(tc.lead), "the report leads with the cause")
			g.Expect(out).To(ContainSubstring("so the run sent a control of its own; it was not acknowledged either"))
		})
	}
}

func TestRefusalScenariosAloneAreCreditedAgainstACorrectReceiver(t *testing.T) {
	g := NewWithT(t)
	rep := run(t, contract(t), start(t, reference(t, receiver.Config{Token: token})), token, func(c *runner.Config) {
		c.Tags = []string{"security"}
	})
	g.Expect(rep.Failed).To(BeZero(), "%v", failures(rep))
	g.Expect(rep.Passed).To(BeNumerically(">=", 5))
	g.Expect(rep.Control).NotTo(BeNil(), "only refusals were due, so the run showed the receiver acknowledges")
	g.Expect(rep.Control.Status).To(Equal(report.StatusPassed))
	g.Expect(rep.Control.Acknowledged()).To(Equal(2))
	g.Expect(text(t, rep)).To(ContainSubstring("so the run sent a control of its own to show that its refusals mean something:\nPASS  " + runner.ControlName))
}

func TestNoControlWhenTheRunAcknowledgedSomething(t *testing.T) {
	g := NewWithT(t)
	rep := run(t, contract(t), start(t, reference(t, receiver.Config{Token: token})), token)
	g.Expect(rep.Failed).To(BeZero(), "%v", failures(rep))
	g.Expect(rep.Control).To(BeNil())
}

func TestRefusalsAreCreditedWhenOnlySomeCommandsAreRefused(t *testing.T) {
	// A receiver that refuses every destroy still acknowledged creations: its refusals of a
	// foreign SdkAppid are real evidence, and the destroy scenarios fail for what they are.
	g := NewWithT(t)
	rv := reference(t, receiver.Config{Token: token})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("CallbackCommand") == string(webhook.CommandDestroyRoom) {
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		rv.ServeHTTP(w, r)
	})
	rep := run(t, contract(t), start(t, h), token)
	g.Expect(rep.Control).To(BeNil())
	g.Expect(failedNames(rep)).To(ContainElement("a room destroyed by its owner is acknowledged"))
	g.Expect(failedNames(rep)).NotTo(ContainElement("a webhook for a foreign SdkAppid is refused"))
	g.Expect(text(t, rep)).NotTo(ContainSubstring("refused every webhook"))
}

func TestControlOnItsOwn(t *testing.T) {
	g := NewWithT(t)
	cfg := runner.Config{Endpoint: webhook.Endpoint{URL: start(t, reference(t, receiver.Config{})), SDKAppID: appID}, Seed: 3}
	res, err := runner.Control(context.Background(), cfg)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Status).To(Equal(report.StatusPassed))
	var n atomic.Int64
	cfg.Endpoint.URL = start(t, answering(http.StatusNotFound, "nope", &n))
	res, err = runner.Control(context.Background(), cfg)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Status).To(Equal(report.StatusFailed))
	g.Expect(n.Load()).To(Equal(int64(1)), "the destroy is not sent after the creation failed")
}

func passedNames(rep *report.Report) []string {
	var out []string
	for _, s := range rep.Scenarios {
		if s.Status == report.StatusPassed {
			out = append(out, s.Name)
		}
	}
	return out
}
