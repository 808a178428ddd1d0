package room

import (
	"math/rand/v2"
	"slices"
	"strconv"

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
func (r *Room) Simulate(rng *rand.Rand, n int) {
	pool := max(4*r.Info.MaxMemberCount, 16)
	for range n {
		if r.Closed {
			return
		}
		online := r.Activity.online
		switch p := rng.IntN(100); {
		case p < 35:
			r.Enter("viewer-" + strconv.Itoa(rng.IntN(pool)))
		case p < 55:
			if len(online) > 0 {
				r.Leave(online[rng.IntN(len(online))])
			}
		case p < 85:
			r.Like(1 + rng.IntN(5))
		case p < 95:
			r.Message()
		default:
			if len(online) > 0 {
				r.Gift(online[rng.IntN(len(online))], 1+rng.IntN(3), giftCoins[rng.IntN(len(giftCoins))])
			}
		}
	}
}

// giftCoins are the prices of the gifts a simulated viewer sends.
var giftCoins = []int{1, 10, 50, 100, 500}
