package room

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Activity is what happens in an open room: viewers entering and leaving, gifts, likes and
// messages. Its totals are what get_room_info, get_room_stats and the destroy webhook report, so
// they always agree. The zero value is a room nobody has entered.
type Activity struct {
	online   []string // viewers in the room now, in the order they entered
	totals   webhook.Statistic
	messages int
	senders  map[string]struct{}
}

// Enter lets user into the room; entering counts towards TotalViewers every time, as the
// vendor counts entries, not people. It reports false, changing nothing, when the user is in the
// room already or the room is full (MaxMemberCount, unless IsUnlimitedRoomEnabled).
func (r *Room) Enter(user string) bool {
	a := &r.Activity
	if r.Closed || slices.Contains(a.online, user) ||
		(!r.IsUnlimitedRoomEnabled && len(a.online) >= r.Info.MaxMemberCount) {
		return false
	}
	a.online = append(a.online, user)
	a.totals.TotalViewers++
	return true
}

// Leave takes user out of the room; it reports false when the user was not in it.
func (r *Room) Leave(user string) bool {
	a := &r.Activity
	i := slices.Index(a.online, user)
	if i < 0 {
		return false
	}
	a.online = slices.Delete(a.online, i, i+1)
	return true
}

// Gift records count gifts worth coins each from sender. Counts and values below 1 record nothing.
func (r *Room) Gift(sender string, count, coins int) {
	a := &r.Activity
	if r.Closed || count < 1 || coins < 0 {
		return
	}
	if a.senders == nil {
		a.senders = map[string]struct{}{}
	}
	a.senders[sender] = struct{}{}
	a.totals.TotalGiftsSent += count
	a.totals.TotalGiftCoins += count * coins
	a.totals.TotalUniqueGiftSenders = len(a.senders)
}

// Like records n likes; n below 1 records nothing.
func (r *Room) Like(n int) {
	if !r.Closed && n > 0 {
		r.Activity.totals.TotalLikesReceived += n
	}
}

// Message records a message sent in the room.
func (r *Room) Message() {
	if !r.Closed {
		r.Activity.messages++
	}
}

// Statistic returns the room's totals so far, as the destroy webhook reports them.
func (r *Room) Statistic() webhook.Statistic { return r.Activity.totals }

// ViewCount is the room's view count, what get_room_list sorts by: its entries so far.
func (r *Room) ViewCount() int { return r.Activity.totals.TotalViewers }

// Online returns how many viewers are in the room now.
func (r *Room) Online() int { return len(r.Activity.online) }

// Messages returns how many messages were sent in the room.
func (r *Room) Messages() int { return r.Activity.messages }

// Simulate makes n things happen in the room, drawn from rng: viewers entering (most often) and
// leaving, likes, messages and now and then a gift from a viewer in the room. The same rng state
// and room make the same history.
func (r *Room) Simulate(rng *rand.Rand, n int) { r.SimulateWith(rng, n, Hooks{}) }

// SimulateMembers is Simulate that also returns, in order, the member state webhook
// (Live.CallbackAfterMemberStateChanged) of each viewer who entered or left, dated at. It draws
// from rng exactly as Simulate does, so the history is the same either way.
func (r *Room) SimulateMembers(rng *rand.Rand, n int, at time.Time) []webhook.Message {
	var out []webhook.Message
	r.SimulateWith(rng, n, Hooks{Moved: func(user string, online bool) { out = append(out, r.MemberEvent(user, online, at)) }})
	return out
}

// Hooks let the caller of SimulateWith see, and decide, what the simulation does.
type Hooks struct {
	// Moved, when set, is told of each viewer who entered (online) or left.
	Moved func(user string, online bool)
	// Gift, when set, is given each gift drawn instead of the room recording it: the caller
	// decides whether it goes (a "before" callback may block it) and records it with Room.Gift.
	Gift func(g SimulatedGift)
	// At is the instant bans are judged at: a banned viewer drawn to enter stays out. When
	// zero, every ban given holds.
	At time.Time
}

// SimulatedGift is a gift the simulation drew: who sends it, how many, worth how much each.
type SimulatedGift struct {
	Sender       string
	Count, Coins int
}

// GiftID is the GiftId a simulated gift is sent as: one per price, since the simulation draws
// prices, not gifts of the app's catalogue.
func (g SimulatedGift) GiftID() string { return "livehook-gift-" + strconv.Itoa(g.Coins) }

// SimulateWith is Simulate with hooks. It draws from rng exactly as Simulate does whatever the
// hooks, so one seed makes one history.
func (r *Room) SimulateWith(rng *rand.Rand, n int, h Hooks) { r.simulate(rng, n, h) }

// simulatedClient is the URL's ClientIP and OptPlatform of a simulated viewer's entry or exit:
// a simulated viewer has no address, and no platform livehook could know.
var simulatedClient = webhook.Meta{OptPlatform: webhook.PlatformUnknown}

// MemberEvent is the member state webhook of user entering (online) or leaving the room at at,
// with the cause Enter or Leave.
func (r *Room) MemberEvent(user string, online bool, at time.Time) webhook.Message {
	ev := &webhook.MemberStateChanged{RoomId: r.Info.RoomId, EventType: webhook.MemberOffline, EventCause: webhook.CauseLeave,
		MemberList: []webhook.Member{{MemberAccount: webhook.Account{ID: user}}}, EventTime: at.UnixMilli()}
	if online {
		ev.EventType, ev.EventCause = webhook.MemberOnline, webhook.CauseEnter
	}
	return webhook.Message{Event: ev, Meta: simulatedClient}
}

func (r *Room) simulate(rng *rand.Rand, n int, h Hooks) {
	moved := h.Moved
	pool := max(4*r.Info.MaxMemberCount, 16)
	for range n {
		if r.Closed {
			return
		}
		online := r.Activity.online
		switch p := rng.IntN(100); {
		case p < 35:
			if user := "viewer-" + strconv.Itoa(rng.IntN(pool)); !r.bannedAt(user, h.At) && r.Enter(user) && moved != nil {
				moved(user, true)
			}
		case p < 55:
			if len(online) > 0 {
				if user := online[rng.IntN(len(online))]; r.Leave(user) && moved != nil {
					moved(user, false)
				}
			}
		case p < 85:
			r.Like(1 + rng.IntN(5))
		case p < 95:
			r.Message()
		default:
			if len(online) > 0 {
				g := SimulatedGift{Sender: online[rng.IntN(len(online))], Count: 1 + rng.IntN(3), Coins: giftCoins[rng.IntN(len(giftCoins))]}
				if h.Gift != nil {
					h.Gift(g)
				} else {
					r.Gift(g.Sender, g.Count, g.Coins)
				}
			}
		}
	}
}

// giftCoins are the prices of the gifts a simulated viewer sends.
var giftCoins = []int{1, 10, 50, 100, 500}
