package room

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Errors of the member and seat rules, matched with errors.Is; each is one of the codes of the
// vendor console's error table (TUILiveKit_Manager), named in its comment.
var (
	// ErrBanned: the user is banned from the room (MEMBER_BANNED, 100016).
	ErrBanned = errors.New("member is banned")
	// ErrMuted: the user may not send messages in the room now (MEMBER_MUTED, 100017).
	ErrMuted = errors.New("member is muted")
	// ErrNotMember: the user is not in the room (NOT_LIVE_MEMBER, 100005).
	ErrNotMember = errors.New("not a member of the room")
	// ErrFull: the room holds MaxMemberCount members already (LIVE_MEMBERS_FULL, 100008).
	ErrFull = errors.New("room is full")
	// ErrSeatOccupied: someone sits on the seat (SEAT_OCCUPIED, 100201).
	ErrSeatOccupied = errors.New("seat is occupied")
	// ErrAlreadyOnSeat: the user sits on a seat already (ALREADY_ON_SEAT, 100203).
	ErrAlreadyOnSeat = errors.New("already on a seat")
	// ErrSeatsFull: every seat is taken (SEATS_FULL, 100205).
	ErrSeatsFull = errors.New("every seat is taken")
	// ErrNotOnSeat: the user sits on no seat (NOT_ON_SEAT, 100206).
	ErrNotOnSeat = errors.New("not on a seat")
	// ErrSeatLocked: the seat is locked (IsTakenDisabled; SEAT_LOCKED, 100200).
	ErrSeatLocked = errors.New("seat is locked")
)

// Ban is one banned member: until when, and why.
type Ban struct {
	Member string
	Until  time.Time
	Reason string
}

// Mute is one muted member and until when.
type Mute struct {
	Member string
	Until  time.Time
}

// moderation holds a room's bans and mutes, by member.
type moderation struct {
	bans  map[string]Ban
	mutes map[string]time.Time
}

// BanMembers bans members from the room until at+d, with reason, by operator. A banned member
// who is in the room is put out of it (and off its seat), which is what the returned webhooks
// say: the member state change (Offline, Kicked) and, when a seat was freed, the seat list.
// Banning again replaces the earlier ban.
func (r *Room) BanMembers(operator string, members []string, d time.Duration, reason string, at time.Time) ([]webhook.Message, error) {
	if err := r.checkMembers(members); err != nil {
		return nil, err
	}
	if d <= 0 {
		return nil, fmt.Errorf("%w: Duration is %v, want a positive number of seconds", ErrInvalid, d)
	}
	if r.mod.bans == nil {
		r.mod.bans = map[string]Ban{}
	}
	var kicked []string
	for _, m := range members {
		r.mod.bans[m] = Ban{Member: m, Until: at.Add(d), Reason: reason}
		if r.Leave(m) {
			kicked = append(kicked, m)
		}
	}
	return r.kickedEvents(operator, kicked, at), nil
}

// UnbanMembers lifts the bans of members; members not banned change nothing.
func (r *Room) UnbanMembers(members []string) error {
	if err := r.checkMembers(members); err != nil {
		return err
	}
	for _, m := range members {
		delete(r.mod.bans, m)
	}
	return nil
}

// Banned returns the bans in force at at, in member order.
func (r *Room) Banned(at time.Time) []Ban {
	var out []Ban
	for _, b := range r.mod.bans {
		if b.Until.After(at) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b Ban) int { return cmpString(a.Member, b.Member) })
	return out
}

// IsBanned reports whether user is banned from the room at at.
func (r *Room) IsBanned(user string, at time.Time) bool {
	b, ok := r.mod.bans[user]
	return ok && b.Until.After(at)
}

// bannedAt is IsBanned, with every ban holding when at is zero.
func (r *Room) bannedAt(user string, at time.Time) bool {
	b, ok := r.mod.bans[user]
	return ok && (at.IsZero() || b.Until.After(at))
}

// MuteMembers keeps members from sending messages until at+d; a d of 0 lifts their mutes, as
// mute_member with MuteTime 0 does.
func (r *Room) MuteMembers(members []string, d time.Duration, at time.Time) error {
	if err := r.checkMembers(members); err != nil {
		return err
	}
	if d < 0 {
		return fmt.Errorf("%w: MuteTime is %v, want 0 (unmute) or more seconds", ErrInvalid, d)
	}
	if r.mod.mutes == nil {
		r.mod.mutes = map[string]time.Time{}
	}
	for _, m := range members {
		if d == 0 {
			delete(r.mod.mutes, m)
		} else {
			r.mod.mutes[m] = at.Add(d)
		}
	}
	return nil
}

// Muted returns the mutes in force at at, in member order.
func (r *Room) Muted(at time.Time) []Mute {
	var out []Mute
	for m, until := range r.mod.mutes {
		if until.After(at) {
			out = append(out, Mute{m, until})
		}
	}
	slices.SortFunc(out, func(a, b Mute) int { return cmpString(a.Member, b.Member) })
	return out
}

// SendMessage records a message from sender at at, or says why it may not be sent: the room's
// messages are disabled (IsMessageDisabled, for everyone but the owner), or the sender is
// muted or banned.
func (r *Room) SendMessage(sender string, at time.Time) error {
	switch until, muted := r.mod.mutes[sender]; {
	case r.Closed:
		return fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	case r.IsBanned(sender, at):
		return fmt.Errorf("%w: %q is banned from room %q", ErrBanned, sender, r.Info.RoomId)
	case muted && until.After(at):
		return fmt.Errorf("%w: %q may not send messages in room %q until %s", ErrMuted, sender, r.Info.RoomId, until.UTC().Format(time.RFC3339))
	case r.Info.IsMessageDisabled && sender != r.Info.OwnerAccount.ID:
		return fmt.Errorf("%w: messages are disabled in room %q (IsMessageDisabled)", ErrMuted, r.Info.RoomId)
	}
	r.Message()
	return nil
}

// EnterAt lets user into the room at at, as Enter does, and says why not: the user is banned,
// in the room already (not an error: entered is false) or the room is full.
func (r *Room) EnterAt(user string, at time.Time) (entered bool, err error) {
	switch {
	case r.Closed:
		return false, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	case r.IsBanned(user, at):
		return false, fmt.Errorf("%w: %q is banned from room %q until %s", ErrBanned, user, r.Info.RoomId, r.mod.bans[user].Until.UTC().Format(time.RFC3339))
	case slices.Contains(r.Activity.online, user):
		return false, nil
	case !r.Enter(user):
		return false, fmt.Errorf("%w: room %q holds %d members", ErrFull, r.Info.RoomId, r.Info.MaxMemberCount)
	}
	return true, nil
}

// Members returns the members in the room now, in the order they entered.
func (r *Room) Members() []string { return slices.Clone(r.Activity.online) }

// IsMember reports whether user is in the room now.
func (r *Room) IsMember(user string) bool { return slices.Contains(r.Activity.online, user) }

// kickedEvents are the webhooks of members put out of the room: their state change, and the
// seat list when one of them sat on a seat (freed here).
func (r *Room) kickedEvents(operator string, kicked []string, at time.Time) []webhook.Message {
	if len(kicked) == 0 {
		return nil
	}
	ev := &webhook.MemberStateChanged{RoomId: r.Info.RoomId, EventType: webhook.MemberOffline, EventCause: webhook.CauseKicked, EventTime: at.UnixMilli()}
	for _, k := range kicked {
		ev.MemberList = append(ev.MemberList, webhook.Member{MemberAccount: webhook.Account{ID: k}})
	}
	out := []webhook.Message{{Event: ev, Meta: simulatedClient}}
	freed := false
	for _, k := range kicked {
		if i := r.seatOf(k); i >= 0 {
			r.seats[i].MemberAccount = webhook.Account{}
			freed = true
		}
	}
	if freed {
		out = append(out, r.seatEvent(operator, at))
	}
	return out
}

// checkMembers checks a list of members to act on: at least one, each a valid user ID.
func (r *Room) checkMembers(members []string) error {
	if r.Closed {
		return fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	if len(members) == 0 {
		return fmt.Errorf("%w: MemberList_Account is missing or empty: name the members", ErrInvalid)
	}
	for i, m := range members {
		if err := ValidateUser(fmt.Sprintf("MemberList_Account[%d]", i), m); err != nil {
			return err
		}
	}
	return nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
