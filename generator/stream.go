package generator

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// Defaults of the traffic model.
const (
	// DefaultRate is how many rooms open per simulated second: 1,800 an hour.
	DefaultRate = 0.5
	// DefaultMedianLife is the median time a room stays open.
	DefaultMedianLife = 30 * time.Minute
	// DefaultLifeSigma is the spread of the log-normal life: most rooms live minutes, some hours.
	DefaultLifeSigma = 1.0
	// DefaultMinLife and DefaultMaxLife bound a room's life.
	DefaultMinLife = time.Minute
	DefaultMaxLife = 8 * time.Hour
	// DefaultAdminChangesPerHour is the mean rate of admin changes over a room's life.
	DefaultAdminChangesPerHour = 3.0
	// DefaultSystemShare is the share of rooms the system dissolves after they stayed empty.
	DefaultSystemShare = 0.1
	// DefaultSpeedup is how much faster than its simulated clock generated traffic plays unless
	// told otherwise, by load runs and generated files alike: an hour of the evening in a minute.
	DefaultSpeedup = 60.0
	// maxAdminChanges bounds the admin changes of one room.
	maxAdminChanges = 20
)

// DefaultStart is the simulated clock's start unless set: a fixed instant, so that the same seed
// gives the same bytes on any day.
var DefaultStart = time.Date(2026, 1, 9, 19, 0, 0, 0, time.UTC)

// Traffic describes the rooms of a stream: how often they open, how long they live, how often
// their admins change. Zero fields take the defaults.
type Traffic struct {
	// Rooms stops the stream after this many rooms have opened (and closed).
	Rooms int
	// Duration stops rooms from opening after this much simulated time; those open still close.
	Duration time.Duration
	// Rate is the mean number of rooms opening per simulated second (a Poisson process).
	Rate float64
	// MedianLife and LifeSigma shape the log-normal life of a room, within MinLife and MaxLife.
	MedianLife       time.Duration
	LifeSigma        float64
	MinLife, MaxLife time.Duration
	// AdminChangesPerHour is the mean rate of admin changes while a room lives.
	AdminChangesPerHour float64
	// SystemShare is the share of rooms dissolved by the system (DestroyBySystem).
	SystemShare float64
	// Start is the simulated clock's start (DefaultStart unless set).
	Start time.Time
	// Clock maps a simulated instant to the one written into EventTime and CreateTime; nil
	// writes the simulated instant. Use WallClock to follow the wall clock at a speed-up.
	Clock func(sim time.Time) time.Time
}

// WallClock returns a Clock that maps the simulated clock from start onto the wall clock from
// wallStart, speedup times faster: a simulated hour at speed-up 60 is a wall minute.
func WallClock(start, wallStart time.Time, speedup float64) func(time.Time) time.Time {
	return func(sim time.Time) time.Time {
		return wallStart.Add(time.Duration(float64(sim.Sub(start)) / speedup))
	}
}

func (t *Traffic) defaults() error {
	if t.Rate == 0 {
		t.Rate = DefaultRate
	}
	if t.MedianLife == 0 {
		t.MedianLife = DefaultMedianLife
	}
	if t.LifeSigma == 0 {
		t.LifeSigma = DefaultLifeSigma
	}
	if t.MinLife == 0 {
		t.MinLife = DefaultMinLife
	}
	if t.MaxLife == 0 {
		t.MaxLife = max(DefaultMaxLife, t.MinLife)
	}
	if t.AdminChangesPerHour == 0 {
		t.AdminChangesPerHour = DefaultAdminChangesPerHour
	}
	if t.SystemShare == 0 {
		t.SystemShare = DefaultSystemShare
	}
	if t.Start.IsZero() {
		t.Start = DefaultStart
	}
	switch {
	case t.Rooms < 0:
		return fmt.Errorf("rooms is %d: want 0 (no limit) or more", t.Rooms)
	case t.Duration < 0:
		return fmt.Errorf("duration is %v: want 0 (no limit) or more", t.Duration)
	case t.Rate < 0 || math.IsNaN(t.Rate) || math.IsInf(t.Rate, 0):
		return fmt.Errorf("rate is %v rooms/s: want a positive number", t.Rate)
	case t.MedianLife < 0 || t.MinLife < 0 || t.MaxLife < t.MinLife:
		return errors.New("room lives: want 0 < min ≤ max and a positive median")
	case t.LifeSigma < 0 || t.AdminChangesPerHour < 0:
		return errors.New("life sigma and admin changes per hour cannot be negative")
	case t.SystemShare < 0 || t.SystemShare > 1:
		return fmt.Errorf("system share is %v: want 0 to 1", t.SystemShare)
	}
	return nil
}

// Event is one webhook of the stream, with when it happens on the simulated clock.
type Event struct {
	// At is the simulated instant.
	At time.Time
	// Seq counts the events of the stream from 1.
	Seq uint64
	// Message is the webhook: its body (Event) and its URL's ClientIP and OptPlatform (Meta).
	webhook.Message
}

// Stream yields the events of many rooms, merged in time order. Its memory grows with the rooms
// open at once, not with those already closed. It is not safe for concurrent use.
type Stream struct {
	g       *Generator
	t       Traffic
	pending eventHeap
	push    uint64 // tie-breaker: events at the same instant come out in the order planned
	seq     uint64
	opened  int
	arrival int64 // the next room's opening, ns on the simulated clock; -1 when no more open
	end     int64 // no room opens at or after this (0: no limit)
}

// Stream returns the stream of rooms the traffic model describes, made by this generator.
func (g *Generator) Stream(t Traffic) (*Stream, error) {
	if err := t.defaults(); err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	s := &Stream{g: g, t: t}
	start := t.Start.UnixNano()
	if t.Duration > 0 {
		s.end = start + int64(t.Duration)
	}
	s.arrival = start + s.interarrival()
	if s.end != 0 && s.arrival >= s.end {
		s.arrival = -1
	}
	return s, nil
}

// Active is how many rooms are open: the stream's memory is proportional to it.
func (s *Stream) Active() int { return len(s.pending) }

// Opened is how many rooms have opened so far.
func (s *Stream) Opened() int { return s.opened }

func (s *Stream) interarrival() int64 {
	return int64(s.g.rnd.ExpFloat64() / s.t.Rate * float64(time.Second))
}

// Next returns the next event in time order; false when the stream is over.
func (s *Stream) Next() (Event, bool) {
	for {
		if s.arrival >= 0 && (len(s.pending) == 0 || s.arrival <= s.pending[0].at) {
			s.open(s.arrival)
			continue
		}
		if len(s.pending) == 0 {
			return Event{}, false
		}
		it := heap.Pop(&s.pending).(*pendingEvent)
		ev, ok := s.emit(it)
		if !ok {
			continue
		}
		s.seq++
		ev.Seq = s.seq
		return ev, true
	}
}

// plan is one room's life, decided when it opens. A room has one pending event at a time.
type plan struct {
	pendingEvent
	room     *room.Room
	creation webhook.Message // sent at the room's first turn
	opened   int64
	closes   int64
	system   bool
	changes  []int64 // when its admins change; which change is drawn when its turn comes
	next     int     // the next change
	created  bool
}

type pendingEvent struct {
	at    int64
	order uint64
	plan  *plan
}

// open plans a room opening at t and schedules its creation, then the next opening.
func (s *Stream) open(t int64) {
	g := s.g
	s.opened++
	life := s.life()
	p := &plan{opened: t, closes: t + int64(life), system: g.rnd.Float64() < s.t.SystemShare}
	meta := g.Meta()
	at := s.clock(t)
	r, msg, err := room.Create(g.RoomInfo(at, ""), "", meta, at)
	if err != nil { // the generator makes valid rooms; a bug here must not stop the stream silently
		panic(fmt.Sprintf("generator: made an invalid room: %v", err))
	}
	p.room, p.creation = r, msg
	// Admin changes fall inside the life, in order; each keeps the rules of the real backend.
	n := min(poisson(g, s.t.AdminChangesPerHour*life.Hours()), maxAdminChanges)
	p.changes = make([]int64, n)
	for i := range p.changes {
		p.changes[i] = t + 1 + g.rnd.Int63n(max(int64(life)-1, 1))
	}
	slices.Sort(p.changes)
	s.schedule(p, t)
	if s.t.Rooms > 0 && s.opened >= s.t.Rooms {
		s.arrival = -1
		return
	}
	s.arrival = t + max(s.interarrival(), 1)
	if s.end != 0 && s.arrival >= s.end {
		s.arrival = -1
	}
}

func (s *Stream) schedule(p *plan, at int64) {
	s.push++
	p.at, p.order, p.plan = at, s.push, p
	heap.Push(&s.pending, &p.pendingEvent)
}

// life draws a room's life from the log-normal distribution, within its bounds.
func (s *Stream) life() time.Duration {
	d := time.Duration(float64(s.t.MedianLife) * math.Exp(s.g.rnd.NormFloat64()*s.t.LifeSigma))
	return min(max(d, s.t.MinLife), s.t.MaxLife)
}

func poisson(g *Generator, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 { // normal approximation: the cap is far below anyway
		return max(int(mean+math.Sqrt(mean)*g.rnd.NormFloat64()+0.5), 0)
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= g.rnd.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (s *Stream) clock(ns int64) time.Time {
	t := time.Unix(0, ns).UTC()
	if s.t.Clock != nil {
		return s.t.Clock(t)
	}
	return t
}

// emit turns a room's next planned event into a webhook, and schedules the one after.
func (s *Stream) emit(it *pendingEvent) (Event, bool) {
	p := it.plan
	at := s.clock(it.at)
	ev := Event{At: time.Unix(0, it.at).UTC()}
	emitted := true
	switch {
	case !p.created:
		p.created = true
		ev.Message = p.creation
	case p.next < len(p.changes):
		p.next++
		ev.Message, emitted = s.g.ApplyAdminChange(p.room, at)
	default:
		st := s.g.Statistic(time.Duration(p.closes-p.opened), p.room.Info.MaxMemberCount)
		ev.Message, _ = p.room.Destroy(room.Destruction{BySystem: p.system, Statistic: st, At: at})
		return ev, true // the room is closed: nothing of it stays in the stream
	}
	if p.next < len(p.changes) {
		s.schedule(p, p.changes[p.next])
	} else {
		s.schedule(p, p.closes)
	}
	return ev, emitted
}

// eventHeap orders pending events by time, then by the order they were planned.
type eventHeap []*pendingEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].order < h[j].order
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(*pendingEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	it := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return it
}
