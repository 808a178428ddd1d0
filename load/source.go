package load

import (
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// mixSource makes the flat mix for all senders. A room is lent to one sender at a time, from
// the moment its webhook is made until its answer comes, so each room's webhooks go out in order
// (create, admin changes, destroy) however many senders there are.
type mixSource struct {
	mu      sync.Mutex
	gen     *generator.Generator
	w       Weights
	idle    []*room.Room // open rooms no sender holds
	lent    int
	maxOpen int
}

func newMixSource(seed int64, prefix string, w Weights) *mixSource {
	return &mixSource{gen: generator.New(seed, generator.WithRoomPrefix(prefix)), w: w, maxOpen: DefaultOpenRooms}
}

// next returns a webhook stamped with now, and the room it lends the caller until release.
func (m *mixSource) next(now time.Time) (webhook.Message, *room.Room) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.gen.Rand()
	create, modify, destroy := m.w.Create, m.w.Modify, m.w.Destroy
	switch {
	case len(m.idle) == 0:
		modify, destroy = 0, 0
	case len(m.idle)+m.lent >= m.maxOpen:
		create = 0
		if modify+destroy == 0 {
			destroy = 1 // close a room before opening another
		}
	}
	m.lent++
	pick := r.Float64() * (create + modify + destroy)
	if pick < create {
		rm, msg, err := room.Create(m.gen.RoomInfo(now, ""), "", m.gen.Meta(), now)
		if err != nil { // the generator makes valid rooms
			panic(fmt.Sprintf("load: generated an invalid room: %v", err))
		}
		return msg, rm
	}
	i := r.Intn(len(m.idle))
	rm := m.idle[i]
	m.idle[i] = m.idle[len(m.idle)-1]
	m.idle = m.idle[:len(m.idle)-1]
	if pick < create+modify {
		if msg, ok := m.gen.ApplyAdminChange(rm, now); ok {
			return msg, rm
		}
	}
	msg, _ := rm.Destroy(room.Destruction{
		BySystem:  r.Float64() < generator.DefaultSystemShare,
		Statistic: m.gen.Statistic(now.Sub(rm.Created), rm.Info.MaxMemberCount),
		At:        now,
	})
	return msg, rm
}

// release returns a lent room once its webhook is answered; a closed room is forgotten.
func (m *mixSource) release(rm *room.Room) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lent--
	if !rm.Closed {
		m.idle = append(m.idle, rm)
	}
}

func hashRoom(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}
