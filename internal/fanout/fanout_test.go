package fanout_test

import (
	"sync"
	"testing"

	"github.com/livehook/livehook/internal/fanout"
)

// A subscriber that never reads gets its buffer's worth, the rest counted dropped, while
// Publish returns every time and the subscriber that reads gets every value in order.
func TestStalledSubscriberIsDroppedAndCounted(t *testing.T) {
	var h fanout.Hub[int]
	stalled := h.Subscribe(4)
	reader := h.Subscribe(1)
	const n = 1000
	// The reader takes each value before the next is published, so that only the stalled
	// subscriber drops; Publish never waits (the stalled subscriber would block it for ever).
	for i := range n {
		h.Publish(i)
		if v := <-reader.C(); v != i {
			t.Fatalf("the reading subscriber got %d, want %d: out of order", v, i)
		}
	}
	h.Close()
	if _, ok := <-reader.C(); ok {
		t.Fatal("the reader's channel is open after the hub's Close")
	}
	if reader.Dropped() != 0 {
		t.Fatalf("the reading subscriber dropped %d values", reader.Dropped())
	}
	if d := h.Dropped(); d != n-4 {
		t.Fatalf("the hub counts %d dropped, want %d", d, n-4)
	}
	if d := stalled.Dropped(); d != n-4 {
		t.Fatalf("the stalled subscriber dropped %d, want %d", d, n-4)
	}
	var kept []int
	for v := range stalled.C() {
		kept = append(kept, v)
	}
	if len(kept) != 4 || kept[0] != 0 || kept[3] != 3 {
		t.Fatalf("the stalled subscriber kept %v, want the first 4", kept)
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	var h fanout.Hub[string]
	a := h.Subscribe(2)
	b := h.Subscribe(2)
	b.Close()
	b.Close() // twice is fine
	if h.Len() != 1 {
		t.Fatalf("Len is %d after one Close, want 1", h.Len())
	}
	h.Publish("x")
	if _, ok := <-b.C(); ok {
		t.Fatal("a closed subscription got a value")
	}
	h.Close()
	if v, ok := <-a.C(); !ok || v != "x" {
		t.Fatalf("buffered value lost at Close: %q %v", v, ok)
	}
	if _, ok := <-a.C(); ok {
		t.Fatal("the hub's Close did not close the channel")
	}
	a.Close()
	late := h.Subscribe(1)
	if _, ok := <-late.C(); ok {
		t.Fatal("a subscription to a closed hub is open")
	}
	h.Publish("after close") // no subscriber, no panic
}

func TestConcurrentPublishSubscribeClose(t *testing.T) {
	var h fanout.Hub[int]
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range 200 {
				h.Publish(i)
			}
		})
		wg.Go(func() {
			for range 50 {
				s := h.Subscribe(8)
				s.Close()
			}
		})
	}
	wg.Wait()
	h.Close()
}
