// Package generator makes realistic Live traffic, reproducible from a seed. A Generator draws
// the values (RoomIds, names, owners and admins from a pool of users, client IPs that are public
// unicast addresses, platforms, categories, the Statistic of a room's life) with gofakeit, and
// WithEdges draws a share of them at the protocol's limits. Its Stream plays the traffic model
// (Traffic): rooms open as a Poisson process, live a log-normal life with admin changes, and
// close, some by the system, their events merged in time order with each room's in order; the
// rooms' changes go through package room, so every event is one the Live backend would send.
// WallClock maps the simulated clock onto the wall clock at a speed-up; PickSeed draws a seed
// when none is given.
package generator

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// DefaultUsers is the size of the user population owners, operators and admins are drawn from.
const DefaultUsers = 5000

// SeatCounts are the usual MaxSeatCount values.
var SeatCounts = []int{4, 8, 9, 16}

// Generator makes realistic values. It owns its own faker, built from the seed, so that the same
// seed gives the same values; it is not safe for concurrent use (make one per goroutine).
type Generator struct {
	seed   int64
	f      *gofakeit.Faker
	rnd    *rand.Rand
	users  []string
	zipf   *rand.Zipf
	prefix string
	rooms  uint64
	edges  float64 // the share of values drawn at the protocol's limits (WithEdges)
}

// Option configures a Generator.
type Option func(*Generator)

// WithUsers sets the size of the user population (DefaultUsers unless set; at least 1).
func WithUsers(n int) Option {
	return func(g *Generator) { g.users = make([]string, max(n, 1)) }
}

// WithRoomPrefix sets the prefix of RoomIds, e.g. to keep two runs' rooms apart.
func WithRoomPrefix(p string) Option { return func(g *Generator) { g.prefix = p } }

// WithEdges draws a share (0 to 1) of the values at the protocol's limits rather than from the
// typical band: RoomIds of 48 bytes across the whole printable-ASCII alphabet, RoomNames of 100
// bytes of 4-byte UTF-8, user IDs of 32 bytes across their whole alphabet, URLs of 200 bytes,
// three categories up to 2^31-1, admin changes that fill a room to its 5 admins. The limits are
// webhook's table (webhook.MaxRoomIDBytes and the rest). With 0, the default, the generator
// draws exactly as without the option, so a seed's values do not change.
func WithEdges(share float64) Option {
	return func(g *Generator) { g.edges = min(max(share, 0), 1) }
}

// edge reports whether the next value is drawn at the limits; it draws from the source only
// when WithEdges is set.
func (g *Generator) edge() bool { return g.edges > 0 && g.rnd.Float64() < g.edges }

// fill appends bytes of alphabet to s until it is n bytes long.
func (g *Generator) fill(s string, n int, alphabet string) string {
	b := []byte(s)
	for len(b) < n {
		c := alphabet[g.rnd.Intn(len(alphabet))]
		if c == '{' && len(b) > 0 && b[len(b)-1] == '$' {
			continue // "${" would read as a template in a scenarios file
		}
		b = append(b, c)
	}
	return string(b[:n])
}

// New returns a generator seeded with seed; 0 picks a seed (see PickSeed), which Seed reports.
func New(seed int64, opts ...Option) *Generator {
	seed = PickSeed(seed)
	g := &Generator{seed: seed, f: gofakeit.NewUnlocked(seed), prefix: "live_"}
	g.rnd = g.f.Rand
	for _, o := range opts {
		o(g)
	}
	if g.users == nil {
		g.users = make([]string, DefaultUsers)
	}
	// A few users are very active (hosts with many rooms), most are seldom seen.
	g.zipf = rand.NewZipf(g.rnd, 1.1, 2, uint64(len(g.users)-1))
	return g
}

// Seed is the seed the generator was made from.
func (g *Generator) Seed() int64 { return g.seed }

// Faker is the generator's own faker, for values the generator does not make itself.
func (g *Generator) Faker() *gofakeit.Faker { return g.f }

// Rand is the generator's random source.
func (g *Generator) Rand() *rand.Rand { return g.rnd }

// UserID returns a user from the population: the same users recur, a few of them often.
// User IDs are at most 32 bytes of [A-Za-z0-9_-].
func (g *Generator) UserID() string {
	i := int(g.zipf.Uint64())
	if g.users[i] == "" {
		g.users[i] = userID(g.f.Username(), i)
		if g.edge() {
			g.users[i] = g.fill(g.users[i]+"_", webhook.MaxUserIDBytes, webhook.UserIDChars)
		}
	}
	return g.users[i]
}

// NumericUserID returns a user ID made of digits, as some apps use, beyond float64's exact range.
func (g *Generator) NumericUserID() string {
	return strconv.FormatUint(144115200000000000+uint64(g.rnd.Int63n(99999999999)), 10)
}

func userID(name string, i int) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteRune(c)
		}
		if b.Len() >= 20 {
			break
		}
	}
	if b.Len() == 0 {
		b.WriteString("user")
	}
	return b.String() + "_" + strconv.Itoa(i)
}

// RoomID returns a RoomId unique within this generator: the prefix, a sequence number and a
// random tail, at most 48 bytes.
func (g *Generator) RoomID() string {
	g.rooms++
	id := g.prefix + strconv.FormatUint(g.rooms, 36) + "_" + strconv.FormatUint(uint64(g.rnd.Int63()), 36)[:6]
	if len(id) > webhook.MaxRoomIDBytes {
		id = id[len(id)-webhook.MaxRoomIDBytes:]
	}
	if g.edge() {
		id = g.fill(id+" ", webhook.MaxRoomIDBytes, webhook.RoomIDChars)
	}
	return id
}

// RoomName returns a room name within the client SDKs' 30 bytes, sometimes with non-ASCII text.
func (g *Generator) RoomName() string {
	if g.edge() {
		const wide = "🎤🎶🎸🥁🎹🎺🎻🪕🎷🪗" // 4 bytes each
		var b strings.Builder
		for b.Len()+4 <= webhook.MaxRoomNameBytes {
			i := 4 * g.rnd.Intn(len(wide)/4)
			b.WriteString(wide[i : i+4])
		}
		return b.String()
	}
	var name string
	switch g.rnd.Intn(10) {
	case 0:
		name = "直播间 " + g.f.Noun()
	case 1:
		name = g.f.AdjectiveDescriptive() + " " + g.f.Noun() + " 🎤"
	default:
		name = capitalise(g.f.AdjectiveDescriptive()) + " " + g.f.Noun() + " live"
	}
	return truncate(name, webhook.ClientRoomNameBytes)
}

// URL returns an image URL of at most 200 bytes under the given kind, e.g. "covers".
func (g *Generator) URL(kind string) string {
	if g.edge() {
		return g.fill(fmt.Sprintf("https://cdn.example.com/%s/", kind), webhook.MaxURLBytes-4, "0123456789abcdef") + ".jpg"
	}
	return truncate(fmt.Sprintf("https://cdn.%s.com/%s/%x.jpg", strings.ToLower(g.f.Noun()), kind, g.rnd.Uint64()), webhook.MaxURLBytes)
}

// Categories returns up to three app-defined category numbers.
func (g *Generator) Categories() []int {
	if g.edge() {
		c := make([]int, webhook.MaxCategories)
		for i := range c {
			c[i] = math.MaxInt32 - g.rnd.Intn(3)
		}
		return c
	}
	n := g.rnd.Intn(webhook.MaxCategories + 1)
	c := make([]int, n)
	for i := range c {
		c[i] = 1 + g.rnd.Intn(20)
	}
	return c
}

// weighted picks values[i] with probability weights[i]/sum(weights).
func weighted[T any](r *rand.Rand, values []T, weights []int) T {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	n := r.Intn(sum)
	for i, w := range weights {
		if n < w {
			return values[i]
		}
		n -= w
	}
	return values[len(values)-1]
}

var (
	platformWeights = []int{5, 8, 45, 35, 3, 2, 2, 0} // RESTAPI Web Android iOS Windows Mac iPad Unknown
	memberCounts    = []int{20, 100, 200, 300, 400, 1000, 5000}
	memberWeights   = []int{5, 20, 25, 20, 15, 10, 5}
	seatModeWeights = []int{10, 30, 60} // None FreeToTake ApplyToTake
)

// Platform returns an OptPlatform, most often a phone.
func (g *Generator) Platform() string { return weighted(g.rnd, webhook.Platforms, platformWeights) }

// Meta returns a client address and platform for a request URL.
func (g *Generator) Meta() webhook.Meta {
	return webhook.Meta{ClientIP: g.ClientIP(), OptPlatform: g.Platform()}
}

// RoomInfo returns a room as created at createdAt by owner (a user from the population when "").
func (g *Generator) RoomInfo(createdAt time.Time, owner string) webhook.RoomInfo {
	if owner == "" {
		owner = g.UserID()
	}
	mode := weighted(g.rnd, webhook.TakeSeatModes, seatModeWeights)
	info := webhook.RoomInfo{
		RoomId:            g.RoomID(),
		RoomName:          g.RoomName(),
		RoomType:          webhook.RoomTypeLive,
		OwnerAccount:      webhook.Account{ID: owner},
		MaxMemberCount:    weighted(g.rnd, memberCounts, memberWeights),
		IsMessageDisabled: g.rnd.Intn(20) == 0,
		IsSeatEnabled:     mode != webhook.TakeSeatModeNone,
		TakeSeatMode:      mode,
		MaxSeatCount:      SeatCounts[g.rnd.Intn(len(SeatCounts))],
		CreateTime:        createdAt.Unix(),
		IsPublicVisible:   g.rnd.Intn(10) != 0,
		CoverURL:          g.URL("covers"),
		Category:          g.Categories(),
	}
	if g.rnd.Intn(4) == 0 {
		info.CustomInfo = fmt.Sprintf(`{"level":%d}`, 1+g.rnd.Intn(10))
	}
	return info
}

// Statistic returns a destroyed room's statistic, consistent with how long it lived and how many
// members it allows: unique gift senders ≤ gifts sent ≤ gift coins, senders ≤ viewers.
func (g *Generator) Statistic(life time.Duration, maxMembers int) webhook.Statistic {
	minutes := math.Max(life.Minutes(), 0)
	// Entries grow with the room's size and, less than linearly, with its life.
	mean := float64(max(maxMembers, 1)) * 0.3 * math.Sqrt(minutes+1)
	viewers := int(mean * math.Exp(g.rnd.NormFloat64()*0.5))
	var s webhook.Statistic
	s.TotalViewers = viewers
	s.TotalLikesReceived = int(float64(viewers) * g.rnd.Float64() * 8)
	if viewers > 0 {
		s.TotalUniqueGiftSenders = int(float64(viewers) * 0.05 * g.rnd.Float64())
		if s.TotalUniqueGiftSenders > 0 {
			s.TotalGiftsSent = s.TotalUniqueGiftSenders * (1 + g.rnd.Intn(6))
			s.TotalGiftCoins = s.TotalGiftsSent * (1 + g.rnd.Intn(100))
		}
	}
	return s
}

// NewAdmins picks up to n users of the population who are neither admins of r nor its owner,
// within the limit of webhook.MaxAdmins. In a population too small to find them in a few draws, it
// falls back on fresh numeric user IDs.
func (g *Generator) NewAdmins(r *room.Room, n int) []string {
	n = min(n, webhook.MaxAdmins-len(r.Admins))
	var out []string
	fits := func(u string) bool {
		return u != r.Info.OwnerAccount.ID && !r.IsAdmin(u) && !slices.Contains(out, u)
	}
	for tries := 0; len(out) < n && tries < 4*n+8; tries++ {
		if u := g.UserID(); fits(u) {
			out = append(out, u)
		}
	}
	for len(out) < n {
		if u := g.NumericUserID(); fits(u) {
			out = append(out, u)
		}
	}
	return out
}

// AdminChange picks the next change of r's admins as the traffic model makes them: one or two new
// admins, or, when the room is full and one time in three otherwise, some of the current ones
// removed. add is false for a removal.
func (g *Generator) AdminChange(r *room.Room) (add bool, accounts []string) {
	if len(r.Admins) > 0 && (len(r.Admins) >= webhook.MaxAdmins || g.rnd.Intn(3) == 0) {
		k := 1 + g.rnd.Intn(len(r.Admins))
		picked := slices.Clone(r.Admins)
		g.rnd.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
		return false, picked[:k]
	}
	if g.edge() {
		return true, g.NewAdmins(r, webhook.MaxAdmins-len(r.Admins)) // the room full at once
	}
	return true, g.NewAdmins(r, 1+g.rnd.Intn(min(2, webhook.MaxAdmins-len(r.Admins))))
}

// ApplyAdminChange makes the traffic model's next admin change of r, by its owner at the instant
// at, and returns its webhook; false when no change was made.
func (g *Generator) ApplyAdminChange(r *room.Room, at time.Time) (webhook.Message, bool) {
	add, accounts := g.AdminChange(r)
	var msg webhook.Message
	var changed bool
	var err error
	if add {
		msg, changed, err = r.AddAdmins("", accounts, at)
	} else {
		msg, changed, err = r.RemoveAdmins("", accounts, at, true)
	}
	return msg, changed && err == nil
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// truncate cuts s to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
