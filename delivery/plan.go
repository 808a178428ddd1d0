package delivery

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Item is one webhook to deliver.
type Item struct {
	// Room keys the order: the deliveries of one room go one after another, in the schedule's order.
	Room    string
	Command webhook.Command
	Body    []byte
	// URL returns the request URL of a delivery that goes at now, with RequestTime moved by skew.
	URL func(now time.Time, skew time.Duration) string
	// Tag is the caller's, handed back with the outcome (which step sent it, say).
	Tag any

	firstURL string // the first delivery's URL, for a retry with SameURL
}

// NewItem returns the item that delivers msg to the endpoint, its URL signed as opt says when it goes.
func NewItem(e webhook.Endpoint, msg webhook.Message, opt webhook.URLOptions) (*Item, error) {
	req, err := e.NewRequest(msg, opt)
	if err != nil {
		return nil, err
	}
	return ItemFor(e, msg.Event.Room(), req, msg.Meta, opt), nil
}

// ItemFor returns the item that delivers a request made by e.NewRequest (its body perhaps
// reshaped since) for the given room, with a URL built and signed as opt says when it goes.
func ItemFor(e webhook.Endpoint, room string, req webhook.Request, meta webhook.Meta, opt webhook.URLOptions) *Item {
	return &Item{
		Room: room, Command: req.Command, Body: req.Body,
		URL: func(now time.Time, skew time.Duration) string {
			o := opt
			o.Now, o.Skew = now, o.Skew+skew
			return e.RequestURL(req.Command, meta, o)
		},
	}
}

// URLFor is the URL of a delivery of the item that goes at now: built and signed then, but for
// a redelivery under retry=same-url, which repeats the first delivery's URL exactly. Deliveries
// of one item must call it in order (they do: an item's deliveries are a room's, one at a time).
func (it *Item) URLFor(d Delivery, now time.Time, sameURL bool) string {
	if d.Attempt > 1 && sameURL && it.firstURL != "" {
		return it.firstURL
	}
	url := it.URL(now, d.Skew)
	if d.Attempt == 1 && it.firstURL == "" {
		it.firstURL = url
	}
	return url
}

// FixedItem returns the item that delivers a request as it is, URL and all.
func FixedItem(room string, req webhook.Request) *Item {
	return &Item{Room: room, Command: req.Command, Body: req.Body, URL: func(time.Time, time.Duration) string { return req.URL }}
}

// Delivery is one delivery of an item, as the schedule plans it.
type Delivery struct {
	Item *Item
	// Attempt counts the deliveries of the same item: 2 and more are redeliveries.
	Attempt int
	// Overtook is the command of an earlier webhook of the room that this one goes before
	// (reordered); Overtaken is set on that earlier webhook, which goes after it.
	Overtook  webhook.Command
	Overtaken bool
	// Wait is how long the delivery waits before it goes; Skew moves its RequestTime.
	Wait time.Duration
	Skew time.Duration
	// Overlapped, on a first delivery, sends its redelivery at the same time (Conditions.Overlap);
	// Overlapping marks that redelivery.
	Overlapped, Overlapping bool
}

// DefaultWindow is how many further webhooks a held-back one waits for the next webhook of its
// room before it goes anyway, in order.
const DefaultWindow = 64

// Planner turns a sequence of items into the schedule of their deliveries under the
// conditions, drawing its choices from its own seeded source: the same seed and the same items
// give the same schedule. It is not safe for concurrent use.
type Planner struct {
	c      Conditions
	rnd    *rand.Rand
	held   map[string]heldItem // room → the item held back until the room's next webhook
	added  int
	Window int
}

type heldItem struct {
	item *Item
	at   int // when it was added, in items
}

// NewPlanner returns a planner for the conditions, seeded with seed.
func NewPlanner(c Conditions, seed int64) *Planner {
	return &Planner{c: c, rnd: rand.New(rand.NewSource(seed)), held: map[string]heldItem{}, Window: DefaultWindow}
}

// Add plans an item and returns the deliveries now due: none while it is held back, its own,
// or its own followed by the earlier item of its room that it overtakes.
func (p *Planner) Add(it *Item) []Delivery {
	p.added++
	var out []Delivery
	// Items held back too long go in order: the room had no further webhook in the window.
	out = p.release(out, func(h heldItem) bool { return p.added-h.at > p.Window })
	if h, ok := p.held[it.Room]; ok {
		delete(p.held, it.Room)
		out = p.emit(out, Delivery{Item: it, Overtook: h.item.Command})
		return p.emit(out, Delivery{Item: h.item, Overtaken: true})
	}
	if p.c.Reorder > 0 && it.Command != webhook.CommandDestroyRoom && p.rnd.Float64() < p.c.Reorder {
		p.held[it.Room] = heldItem{item: it, at: p.added}
		return out
	}
	return p.emit(out, Delivery{Item: it})
}

// Flush returns the deliveries of the items still held back, which no later webhook overtook.
func (p *Planner) Flush() []Delivery {
	return p.release(nil, func(heldItem) bool { return true })
}

// release emits the held items that due says are due, in the order they were added, so that
// the schedule does not depend on the map's order.
func (p *Planner) release(out []Delivery, due func(heldItem) bool) []Delivery {
	var rel []heldItem
	for room, h := range p.held {
		if due(h) {
			rel = append(rel, h)
			delete(p.held, room)
		}
	}
	slices.SortFunc(rel, func(a, b heldItem) int { return a.at - b.at })
	for _, h := range rel {
		out = p.emit(out, Delivery{Item: h.item})
	}
	return out
}

// emit appends a delivery with its wait and skew, and its redelivery when one is drawn.
func (p *Planner) emit(out []Delivery, d Delivery) []Delivery {
	d.Attempt = 1
	d.Wait, d.Skew = p.wait(), p.c.Skew
	if p.c.Overlap > 0 && p.rnd.Float64() < p.c.Overlap {
		d.Overlapped = true // its redelivery goes with it: one entry, two requests
	}
	out = append(out, d)
	if p.c.Duplicate > 0 && p.rnd.Float64() < p.c.Duplicate {
		again := Delivery{Item: d.Item, Attempt: 2, Wait: p.wait(), Skew: p.c.Skew}
		out = append(out, again)
	}
	return out
}

func (p *Planner) wait() time.Duration {
	w := p.c.Delay
	if p.c.Jitter > 0 {
		w += time.Duration(p.rnd.Int63n(2*int64(p.c.Jitter)+1)) - p.c.Jitter
	}
	return max(w, 0)
}

// Condition says in words under which conditions the delivery went, for a failure message: ""
// for a delivery alone, once, in order, on time. inFlight is how many other webhooks were in
// flight when it went.
func (d Delivery) Condition(inFlight int) string {
	var parts []string
	switch {
	case d.Overlapping:
		parts = append(parts, "second of two deliveries of the same event in flight at once (an overlapping retry)")
	case d.Overlapped:
		parts = append(parts, "first of two deliveries of the same event in flight at once (an overlapping retry)")
	case d.Attempt == 2:
		parts = append(parts, "second delivery of the same event (a retry)")
	case d.Attempt > 2:
		parts = append(parts, fmt.Sprintf("delivery %d of the same event (a retry)", d.Attempt))
	}
	if d.Overtook != "" {
		what := "an earlier webhook of its room"
		switch d.Overtook {
		case webhook.CommandCreateRoom:
			what = "its room's creation"
		case webhook.CommandModifyAdmin:
			what = "an earlier admin change of its room"
		}
		parts = append(parts, fmt.Sprintf("%s sent before %s (reordered)", commandNoun(d.Item.Command), what))
	}
	if d.Overtaken {
		parts = append(parts, "sent after a later webhook of its room (reordered)")
	}
	if inFlight > 0 {
		parts = append(parts, fmt.Sprintf("while %d other webhooks were in flight", inFlight))
	}
	if d.Skew != 0 {
		parts = append(parts, fmt.Sprintf("RequestTime %s off the receiver's clock", formatSkew(d.Skew)))
	}
	return strings.Join(parts, ", ")
}

func commandNoun(c webhook.Command) string {
	switch c {
	case webhook.CommandCreateRoom:
		return "a creation"
	case webhook.CommandModifyAdmin:
		return "an admin change"
	case webhook.CommandDestroyRoom:
		return "a destroy"
	}
	return string(c)
}
