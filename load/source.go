package load

import (
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/webhook"
)

// mixSource makes the flat mix for all senders. A room is lent to one sender at a time, from
// the moment its webhook is made until its answer comes, so each room's webhooks go out in order
// (create, admin changes, destroy) however many senders there are.
type mixSource struct {
	mu      sync.Mutex
	gen     *generator.Generator
	w       Weights
	idle    []*openRoom // open rooms no sender holds
	lent    int
	maxOpen int
}

type openRoom struct {
	info    webhook.RoomInfo
	admins  []string
	meta    webhook.Meta
	created time.Time
	closed  bool
}

func newMixSource(seed int64, prefix string, w Weights) *mixSource {
	return &mixSource{gen: generator.New(seed, generator.WithRoomPrefix(prefix)), w: w, maxOpen: DefaultOpenRooms}
}

// next returns a webhook stamped with now, and the room it lends the caller until release.
func (m *mixSource) next(now time.Time) (webhook.Event, webhook.Meta, *openRoom) {
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
		info := m.gen.RoomInfo(now, "")
		room := &openRoom{info: info, meta: m.gen.Meta(), created: now}
		return &webhook.CreateRoom{OperatorAccount: info.OwnerAccount.ID, RoomInfo: info, EventTime: now.UnixMilli()}, room.meta, room
	}
	i := r.Intn(len(m.idle))
	room := m.idle[i]
	m.idle[i] = m.idle[len(m.idle)-1]
	m.idle = m.idle[:len(m.idle)-1]
	if pick < create+modify {
		return m.modify(room, now), webhook.Meta{}, room
	}
	room.closed = true
	st := m.gen.Statistic(now.Sub(room.created), room.info.MaxMemberCount)
	bySystem := r.Float64() < generator.DefaultSystemShare
	meta := room.meta
	if bySystem {
		meta.OptPlatform = "Unknown"
	}
	return generator.DestroyEvent(room.info, st, now, bySystem), meta, room
}

// modify changes a room's admins: adds one or two users, or removes current admins.
func (m *mixSource) modify(room *openRoom, now time.Time) webhook.Event {
	r := m.gen.Rand()
	ev := &webhook.ModifyAdmin{RoomId: room.info.RoomId, EventTime: now.UnixMilli(), OperatorAccount: room.info.OwnerAccount.ID, OpType: webhook.OpTypeAdd}
	if len(room.admins) >= generator.MaxAdmins || (len(room.admins) > 0 && r.Intn(3) == 0) {
		k := 1 + r.Intn(len(room.admins))
		ev.OpType, ev.AdminAccount = webhook.OpTypeDelete, slices.Clone(room.admins[:k])
		room.admins = slices.Delete(room.admins, 0, k)
		return ev
	}
	want := 1 + r.Intn(min(2, generator.MaxAdmins-len(room.admins)))
	for tries := 0; len(ev.AdminAccount) < want && tries < 10; tries++ {
		u := m.gen.UserID()
		if u != room.info.OwnerAccount.ID && !slices.Contains(room.admins, u) && !slices.Contains(ev.AdminAccount, u) {
			ev.AdminAccount = append(ev.AdminAccount, u)
		}
	}
	if len(ev.AdminAccount) == 0 { // a crowded population: fall back on a fresh user
		ev.AdminAccount = []string{m.gen.NumericUserID()}
	}
	room.admins = append(room.admins, ev.AdminAccount...)
	return ev
}

// release returns a lent room once its webhook is answered; a closed room is forgotten.
func (m *mixSource) release(room *openRoom) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lent--
	if !room.closed {
		m.idle = append(m.idle, room)
	}
}

func hashRoom(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}
