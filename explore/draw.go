package explore

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livehook/livehook/webhook"
)

// drawer draws cases from the whole documented value space: lengths at, near and well inside
// their limits (webhook/limits.go), every character class a field allows, counts up to their
// limits, optional fields present and absent, and every delivery condition.
type drawer struct {
	rnd *rand.Rand
	// plat draws the OptPlatforms, apart from rnd, so that the rest of a seed's cases are what
	// they were before platforms were drawn.
	plat  *rand.Rand
	token bool // near-miss Signs and skew need a callback token
}

func newDrawer(seed int64, token bool) *drawer {
	return &drawer{
		rnd:   rand.New(rand.NewPCG(uint64(seed), 0x6c697665686f6f6b)),
		plat:  rand.New(rand.NewPCG(uint64(seed), 0x706c6174666f726d)),
		token: token,
	}
}

// platform draws an OptPlatform, each of the documented ones alike. A creation's and a user
// destroy's are always explicit, as RoomName is (see fields): a reproducer must not fail only
// by what the runner's generator drew.
func (d *drawer) platform() string { return webhook.Platforms[d.plat.IntN(len(webhook.Platforms))] }

func (d *drawer) chance(p float64) bool { return d.rnd.Float64() < p }

func (d *drawer) pick(n int) int { return d.rnd.IntN(n) }

// length draws a length from 1 to max: at the limit, next to it, at the bottom, or typical.
func (d *drawer) length(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	switch d.pick(5) {
	case 0:
		return hi
	case 1:
		return max(lo, hi-1-d.pick(2))
	case 2:
		return lo + d.pick(min(3, hi-lo+1))
	default:
		return lo + d.pick(hi-lo+1)
	}
}

// Character classes of a RoomId's drawn part.
var (
	plainRoomChars = "abcdefghijklmnopqrstuvwxyz0123456789_"
	punctuation    = func() string {
		var b strings.Builder
		for _, c := range webhook.RoomIDChars {
			if !strings.ContainsRune(webhook.UserIDChars, c) {
				b.WriteRune(c)
			}
		}
		return b.String()
	}()
)

// from draws n bytes of alphabet. "${" never appears: it would start a template in the
// reproducer (see kase.writable).
func (d *drawer) from(alphabet string, n int) string {
	b := make([]byte, 0, n)
	for len(b) < n {
		c := alphabet[d.pick(len(alphabet))]
		if c == '{' && len(b) > 0 && b[len(b)-1] == '$' {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// roomBody draws the part of a RoomId after its tag.
func (d *drawer) roomBody() string {
	n := d.length(0, webhook.MaxRoomIDBytes-tagLen)
	switch d.pick(4) {
	case 0:
		return d.from(webhook.RoomIDChars, n)
	case 1:
		return d.from(punctuation, n)
	default:
		return d.from(plainRoomChars, n)
	}
}

// Runes of each UTF-8 length, for names.
var runesBySize = [][]rune{
	1: []rune("abcXYZ019 _-!?"),
	2: []rune("éüßñøçΩж"),
	3: []rune("直播间音乐会中文名字あいう"),
	4: []rune("🎤🎶🎸🥁🎹🎺🎻🪕🎷🪗😀𝄞"),
}

// name draws a string of at most limit UTF-8 bytes, of 1- to 4-byte runes or a mix.
func (d *drawer) name(limit int) string {
	n := d.length(1, limit)
	sizes := []int{1 + d.pick(4)}
	if d.chance(0.3) {
		sizes = []int{1, 2, 3, 4}
	}
	var b strings.Builder
	for b.Len() < n {
		rs := runesBySize[sizes[d.pick(len(sizes))]]
		r := rs[d.pick(len(rs))]
		if b.Len()+utf8.RuneLen(r) > n {
			if b.Len() > 0 {
				break
			}
			r = 'a'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// user draws a user ID: 1 to MaxUserIDBytes bytes of UserIDChars.
func (d *drawer) user() string {
	return d.from(webhook.UserIDChars, d.length(1, webhook.MaxUserIDBytes))
}

// numericUser draws a user ID of digits, as an Owner_Account sent as a JSON number is; some
// beyond 2^53, where a float64 loses digits.
func (d *drawer) numericUser() string {
	n := d.length(1, 19)
	s := string(rune('1'+d.pick(9))) + d.from("0123456789", n-1)
	if n == 19 && s > "9223372036854775807" {
		s = "1" + s[1:]
	}
	return s
}

// fields draws the explicit RoomInfo values of a creation, the rest left to the generator, and
// whether Owner_Account goes as a number.
func (d *drawer) fields() (fs []field, ownerNumber bool, omit []string) {
	add := func(name string, v any) { fs = append(fs, field{name, v}) }
	// RoomName is always explicit: the generator's names hold CJK and emoji now and then, and a
	// reproducer must not fail only by what the generator drew.
	if d.chance(0.5) {
		add("RoomName", d.name(webhook.MaxRoomNameBytes))
	} else {
		add("RoomName", []string{"Evening live", "live", "Room 7"}[d.pick(3)])
	}
	switch {
	case d.chance(0.2):
		add("Owner_Account", d.numericUser())
		ownerNumber = true
	case d.chance(0.4):
		add("Owner_Account", d.user())
	}
	if d.chance(0.3) {
		add("MaxMemberCount", []int{1, 20, 1000, 100000, 1 << 31}[d.pick(5)])
	}
	if d.chance(0.3) {
		add("MaxSeatCount", []int{0, 1, 4, 8, 9, webhook.MaxSeatCount}[d.pick(6)])
	}
	if d.chance(0.2) {
		add("IsSeatEnabled", d.chance(0.5))
	}
	if d.chance(0.2) {
		add("TakeSeatMode", webhook.TakeSeatModes[d.pick(len(webhook.TakeSeatModes))])
	}
	if d.chance(0.2) {
		add("IsMessageDisabled", d.chance(0.5))
	}
	if d.chance(0.2) {
		add("IsPublicVisible", d.chance(0.5))
	}
	if d.chance(0.3) {
		prefix := "https://cdn.example.com/c/"
		add("CoverURL", prefix+d.from(plainRoomChars, d.length(1, webhook.MaxURLBytes-len(prefix)-4))+".jpg")
	}
	if d.chance(0.2) {
		add("CustomInfo", []string{"", `{"theme":"night","level":3}`, d.name(200)}[d.pick(3)])
	}
	if d.chance(0.4) {
		cat := make([]int, d.length(0, webhook.MaxCategories))
		for i := range cat {
			cat[i] = []int{0, 1, 7, 65536, 1<<31 - 1}[d.pick(5)]
		}
		add("Category", cat)
	}
	// Optional fields absent, where the case sets no value of its own.
	for _, path := range []string{"EventTime", "RoomInfo.CoverURL", "RoomInfo.CustomInfo", "RoomInfo.Category", "RoomInfo.IsPublicVisible"} {
		name := strings.TrimPrefix(path, "RoomInfo.")
		if d.chance(0.1) && !hasField(fs, name) {
			omit = append(omit, path)
		}
	}
	return fs, ownerNumber, omit
}

func hasField(fs []field, name string) bool {
	for _, f := range fs {
		if f.name == name {
			return true
		}
	}
	return false
}

// life draws the steps of one life of room i: its creation, admin changes, and its destroy.
func (d *drawer) life(i int) []op {
	fs, num, omit := d.fields()
	ops := []op{{kind: opCreate, room: i, fields: fs, ownerNumber: num, omit: omit, platform: d.platform()}}
	var admins []string
	for range d.pick(4) {
		if len(admins) > 0 && d.chance(0.4) {
			n := 1 + d.pick(len(admins))
			gone := admins[:n:n]
			ops = append(ops, op{kind: opRemove, room: i, accounts: gone})
			admins = append([]string(nil), admins[n:]...)
			continue
		}
		room := webhook.MaxAdmins - len(admins)
		if room == 0 {
			continue
		}
		n := d.length(1, room)
		var added []string
		for len(added) < n {
			u := d.user()
			if !slices.Contains(admins, u) && !slices.Contains(added, u) {
				added = append(added, u)
			}
		}
		ops = append(ops, op{kind: opAdd, room: i, accounts: added})
		admins = append(admins, added...)
	}
	if d.chance(0.8) {
		// drawn for a system destroy too, which sends Unknown, so that it stays once the
		// shrinker makes the destroy a user's
		ops = append(ops, op{kind: opDestroy, room: i, bySystem: d.chance(0.2), platform: d.platform()})
	}
	return ops
}

// draw draws one case.
func (d *drawer) draw() *kase {
	k := &kase{}
	var queues [][]op
	rooms := 1 + d.pick(3)
	for range rooms {
		i := len(k.rooms)
		k.rooms = append(k.rooms, roomSpec{body: d.roomBody()})
		q := d.life(i)
		if d.chance(0.15) {
			// A room whose RoomId differs from this one's only in case, live at the same time:
			// created next, its other steps interleaved with this room's.
			j := len(k.rooms)
			k.rooms = append(k.rooms, roomSpec{twin: i + 1})
			tw := d.life(j)
			q = append([]op{q[0], tw[0]}, d.interleave([][]op{q[1:], tw[1:]}, false)...)
		}
		if slices.ContainsFunc(q, func(o op) bool { return o.kind == opDestroy && o.room == i }) && d.chance(0.15) {
			// The same RoomId created again after its destroy, as rooms named after their host are.
			j := len(k.rooms)
			k.rooms = append(k.rooms, roomSpec{again: i + 1})
			q = append(q, op{kind: opWait, wait: recreateWait})
			q = append(q, d.life(j)...)
		}
		queues = append(queues, q)
	}
	// Near misses of authentication, which must be refused.
	probes := 0
	if d.chance(0.35) {
		probes = 1 + d.pick(2)
	}
	for range probes {
		p := op{kind: opProbe}
		switch n := d.pick(5); {
		case d.token && n < 3:
			p.sign = []string{"wrong_tail", "wrong_upper", "truncated"}[n]
		case n%2 == 0:
			p.noSDKAppID = true
		default:
			p.foreign = true
		}
		queues = append(queues, []op{p})
	}
	// The rooms' steps interleaved, each room's in order.
	k.steps = d.interleave(queues, true)
	k.cond = d.conditions()
	return k
}

// interleave merges the queues' steps in a drawn order, each queue's in its own order; with
// pauses, a short wait now and then between steps.
func (d *drawer) interleave(queues [][]op, pauses bool) []op {
	var steps []op
	for {
		var open []int
		for i, q := range queues {
			if len(q) > 0 {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			return steps
		}
		i := open[d.pick(len(open))]
		steps = append(steps, queues[i][0])
		queues[i] = queues[i][1:]
		if pauses && d.chance(0.05) {
			steps = append(steps, op{kind: opWait, wait: time.Duration(1+d.pick(20)) * time.Millisecond})
		}
	}
}

// conditions draws delivery conditions: half the cases have none.
func (d *drawer) conditions() conditions {
	var c conditions
	if d.chance(0.5) {
		return c
	}
	share := func() float64 {
		if !d.chance(0.4) {
			return 0
		}
		return []float64{0.25, 0.5, 1}[d.pick(3)]
	}
	if d.chance(0.5) {
		c.concurrency = []int{2, 4, 8, 32}[d.pick(4)]
	}
	c.duplicate, c.overlap, c.reorder = share(), share(), share()
	if (c.duplicate > 0 || c.overlap > 0) && d.chance(0.3) {
		c.sameURL = true
	}
	if d.chance(0.15) {
		c.delay = time.Duration(1+d.pick(5)) * time.Millisecond
		if d.chance(0.5) {
			c.jitter = time.Duration(1+d.pick(5)) * time.Millisecond
		}
	}
	if d.token && d.chance(0.25) {
		// Within the 60 s window either way: a correct receiver takes it.
		c.skew = time.Duration(d.rnd.IntN(91)-45) * time.Second
	}
	return c
}
