package receiver_test

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

// A subscriber that never reads costs the answers nothing: every webhook is answered, the
// subscriber keeps its buffer's worth and counts the rest dropped, and one that reads gets
// each delivery in order, headers and whole body included.
func TestSubscriptionThatStopsReadingDropsAndCounts(t *testing.T) {
	g := NewWithT(t)
	rv := newReceiver(t, "tok")
	stalled := rv.Subscribe(3)
	defer stalled.Close()
	reader := rv.Subscribe(1)
	defer reader.Close()
	body := seed(t, "create_room.json")
	const n = 50
	for i := range n {
		rec, _ := post(t, rv, http.MethodPost, webhookURL(webhook.CommandCreateRoom, "tok", webhook.URLOptions{}), body)
		g.Expect(rec.Code).To(Equal(http.StatusOK), "webhook %d", i)
		d := <-reader.C()
		g.Expect(d.Seq).To(Equal(uint64(i + 1)))
		g.Expect(d.RawBody).To(Equal(body))
		g.Expect(d.Header).NotTo(BeNil())
		g.Expect(d.Query).NotTo(ContainSubstring("tok"))
	}
	g.Expect(reader.Dropped()).To(BeZero())
	g.Expect(stalled.Dropped()).To(Equal(uint64(n - 3)))
	g.Expect(len(stalled.C())).To(Equal(3))
	first := <-stalled.C()
	g.Expect(first.Seq).To(Equal(uint64(1)))
}

func TestSubscriptionCloseClosesC(t *testing.T) {
	rv := newReceiver(t, "")
	s := rv.Subscribe(1)
	s.Close()
	if _, ok := <-s.C(); ok {
		t.Fatal("C is open after Close")
	}
	rec, _ := post(t, rv, http.MethodPost, webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{}), seed(t, "create_room.json"))
	if rec.Code != http.StatusOK {
		t.Fatalf("answer after a closed subscription: %d", rec.Code)
	}
}
