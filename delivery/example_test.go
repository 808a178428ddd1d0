package delivery_test

import (
	"fmt"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/webhook"
)

func ExampleParse() {
	c, err := delivery.Parse("concurrency=32,duplicate=1%,reorder=0.5%,skew=-75s")
	fmt.Println(c.Concurrency, c.Duplicate, c.Reorder, c.Skew, err)
	fmt.Println(c)
	_, err = delivery.Parse("duplicate=150%")
	fmt.Println(err)
	// Output:
	// 32 0.01 0.005 -1m15s <nil>
	// concurrency=32,duplicate=1%,reorder=0.5%,skew=-1m15s
	// duplicate: want a share from 0% to 100%, got "150%"
}

// The schedule of a room's three webhooks when each is delivered twice and each may be held back
// behind the next (a destroy never is): the same seed plans the same schedule.
func ExamplePlanner() {
	p := delivery.NewPlanner(delivery.Conditions{Duplicate: 1, Reorder: 1}, 7)
	var plan []delivery.Delivery
	for _, cmd := range []webhook.Command{webhook.CommandCreateRoom, webhook.CommandModifyAdmin, webhook.CommandDestroyRoom} {
		plan = append(plan, p.Add(&delivery.Item{Room: "live_1", Command: cmd, URL: func(time.Time, time.Duration) string { return "" }})...)
	}
	plan = append(plan, p.Flush()...)
	for _, d := range plan {
		cond := d.Condition(0)
		if cond == "" {
			cond = "once, in order"
		}
		fmt.Printf("%s #%d: %s\n", d.Item.Command, d.Attempt, cond)
	}
	// Output:
	// Live.CallbackAfterModifyAdmin #1: an admin change sent before its room's creation (reordered)
	// Live.CallbackAfterModifyAdmin #2: second delivery of the same event (a retry)
	// Live.CallbackAfterCreateRoom #1: sent after a later webhook of its room (reordered)
	// Live.CallbackAfterCreateRoom #2: second delivery of the same event (a retry)
	// Live.CallbackAfterDestroyRoom #1: once, in order
	// Live.CallbackAfterDestroyRoom #2: second delivery of the same event (a retry)
}
