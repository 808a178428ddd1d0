package explore

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/webhook"
)

// Every drawn case, and every candidate the shrinker makes of it, is a sequence the Live
// backend could send, written as a scenario the parser takes: the explorer never sends what it
// cannot write down, nor reports a defect of its own as the receiver's.
func TestDrawnCasesAndTheirCandidatesParse(t *testing.T) {
	g := NewWithT(t)
	seen := map[string]int{}
	for seed := range int64(200) {
		d := newDrawer(seed, seed%2 == 0)
		for range 2 {
			k := d.draw()
			g.Expect(k.valid()).To(BeTrue(), "seed %d: %s", seed, k.render(caseName, "", 1, 1400999999))
			parses(g, k)
			if seed < 4 {
				for _, c := range candidates(k) {
					if c.valid() {
						parses(g, c)
					}
				}
			}
			countClasses(k, seen)
		}
	}
	// The value space is covered: each class drawn somewhere in these seeds.
	for _, class := range []string{"48-byte RoomId", "punctuation RoomId", "4-byte name", "100-byte name", "5 admins", "32-byte user", "numeric owner",
		"omitted field", "RoomId again", "RoomId in other case", "system destroy", "concurrency", "duplicate", "overlap", "reorder", "skew", "same-url", "wrong_tail", "wrong_upper", "truncated", "no_sdkappid", "foreign"} {
		g.Expect(seen[class]).To(BeNumerically(">", 0), "%s is drawn", class)
	}
}

func parses(g Gomega, k *kase) {
	text := k.render(caseName, "", 7, 1400999999)
	_, err := scenarios.Parse("case", bytes.NewReader(text))
	g.Expect(err).NotTo(HaveOccurred(), "%s", text)
}

func countClasses(k *kase, seen map[string]int) {
	ids := k.roomIDs(1)
	for _, id := range ids {
		if len(id) == webhook.MaxRoomIDBytes {
			seen["48-byte RoomId"]++
		}
		if strings.ContainsAny(id, punctuation) {
			seen["punctuation RoomId"]++
		}
	}
	admins := map[int]int{}
	for _, o := range k.steps {
		for _, f := range o.fields {
			if s, ok := f.value.(string); ok && f.name == "RoomName" {
				if strings.ContainsFunc(s, func(r rune) bool { return r > 0xffff }) {
					seen["4-byte name"]++
				}
				if len(s) >= webhook.MaxRoomNameBytes-3 {
					seen["100-byte name"]++
				}
			}
		}
		if o.ownerNumber {
			seen["numeric owner"]++
		}
		if len(o.omit) > 0 {
			seen["omitted field"]++
		}
		if o.bySystem {
			seen["system destroy"]++
		}
		switch o.kind {
		case opAdd:
			admins[o.room] += len(o.accounts)
			if admins[o.room] == webhook.MaxAdmins {
				seen["5 admins"]++
			}
		case opRemove:
			admins[o.room] -= len(o.accounts)
		case opProbe:
			switch {
			case o.sign != "":
				seen[o.sign]++
			case o.noSDKAppID:
				seen["no_sdkappid"]++
			default:
				seen["foreign"]++
			}
		}
		for _, a := range o.accounts {
			if len(a) == webhook.MaxUserIDBytes {
				seen["32-byte user"]++
			}
		}
	}
	for _, r := range k.rooms {
		if r.again > 0 {
			seen["RoomId again"]++
		}
		if r.twin > 0 {
			seen["RoomId in other case"]++
		}
	}
	c := k.cond
	for class, set := range map[string]bool{"concurrency": c.concurrency > 1, "duplicate": c.duplicate > 0, "overlap": c.overlap > 0, "reorder": c.reorder > 0, "skew": c.skew != 0, "same-url": c.sameURL} {
		if set {
			seen[class]++
		}
	}
}

// The same seed draws the same cases.
func TestSameSeedSameCases(t *testing.T) {
	g := NewWithT(t)
	a, b, c := newDrawer(42, true), newDrawer(42, true), newDrawer(43, true)
	same, differ := 0, 0
	for range 20 {
		ka, kb, kc := a.draw().render(caseName, "", 1, 1), b.draw().render(caseName, "", 1, 1), c.draw().render(caseName, "", 1, 1)
		g.Expect(ka).To(Equal(kb))
		same++
		if !bytes.Equal(ka, kc) {
			differ++
		}
	}
	g.Expect(differ).To(BeNumerically(">", 15), "another seed draws other cases")
}

// A shrink candidate is smaller; the order prefers fewer webhooks to shorter values.
func TestSmallerOrdersByWebhooksFirst(t *testing.T) {
	g := NewWithT(t)
	one := &kase{rooms: []roomSpec{{body: strings.Repeat("~", 40)}}, steps: []op{{kind: opCreate}}}
	two := &kase{rooms: []roomSpec{{body: ""}}, steps: []op{{kind: opCreate}, {kind: opDestroy}}}
	g.Expect(smaller(one, two)).To(BeTrue())
	g.Expect(smaller(two, one)).To(BeFalse())
	plain := &kase{rooms: []roomSpec{{body: strings.Repeat("a", 40)}}, steps: []op{{kind: opCreate}}}
	g.Expect(smaller(plain, one)).To(BeTrue(), "plainer characters are smaller")
	certain := one.clone()
	certain.cond.overlap = 1
	chance := one.clone()
	chance.cond.overlap = 0.25
	g.Expect(smaller(certain, chance)).To(BeTrue(), "a share of 100% reproduces; 25% only by chance")
}

// A RoomId created again is valid only after its destroy and a wait of a second.
func TestValidNeedsTheWaitBeforeARoomIdAgain(t *testing.T) {
	g := NewWithT(t)
	k := &kase{rooms: []roomSpec{{body: "host"}, {again: 1}}, steps: []op{
		{kind: opCreate, room: 0}, {kind: opDestroy, room: 0}, {kind: opWait, wait: recreateWait}, {kind: opCreate, room: 1},
	}}
	g.Expect(k.valid()).To(BeTrue())
	ids := k.roomIDs(3)
	g.Expect(ids[0]).To(Equal(ids[1]))
	g.Expect(ids[0]).To(HaveSuffix("host"))
	noWait := k.clone()
	noWait.steps = append(noWait.steps[:2], noWait.steps[3])
	g.Expect(noWait.valid()).To(BeFalse())
	noDestroy := k.clone()
	noDestroy.steps = append(noDestroy.steps[:1], noDestroy.steps[2:]...)
	g.Expect(noDestroy.valid()).To(BeFalse())
	tooMany := &kase{rooms: []roomSpec{{}}, steps: []op{{kind: opCreate}, {kind: opAdd, accounts: []string{"a", "b", "c"}}, {kind: opAdd, accounts: []string{"d", "e", "f"}}}}
	g.Expect(tooMany.valid()).To(BeFalse(), "at most %d admins", webhook.MaxAdmins)
	template := &kase{rooms: []roomSpec{{body: "${now}"}}, steps: []op{{kind: opCreate}}}
	g.Expect(template.valid()).To(BeFalse(), "a value with ${ cannot be written in a scenario")
}

// A twin's RoomId is its room's with every letter in the other case: another room, live at the
// same time; once its room is shrunk away it is a room of its own.
func TestTwinsDifferOnlyInCase(t *testing.T) {
	g := NewWithT(t)
	k := &kase{rooms: []roomSpec{{body: "Host_7~"}, {twin: 1}}, steps: []op{
		{kind: opCreate, room: 0}, {kind: opCreate, room: 1}, {kind: opDestroy, room: 0}, {kind: opDestroy, room: 1},
	}}
	g.Expect(k.valid()).To(BeTrue())
	ids := k.roomIDs(3)
	g.Expect(ids[0]).NotTo(Equal(ids[1]))
	g.Expect(strings.EqualFold(ids[0], ids[1])).To(BeTrue())
	g.Expect(ids[1]).To(HaveSuffix("hOST_7~"))
	g.Expect(k.compact().rooms).To(Equal([]roomSpec{{body: "Host_7~"}, {twin: 1}}))

	alone := k.clone()
	alone.steps = alone.steps[1:2]
	c := alone.compact()
	g.Expect(c.rooms).To(Equal([]roomSpec{{body: "hOST_7~"}}))
	g.Expect(c.valid()).To(BeTrue())
	g.Expect(smaller(c, k)).To(BeTrue())

	// Drawn twins are live together with their room: created right after it.
	d, n := newDrawer(5, false), 0
	for range 400 {
		k := d.draw()
		for i, r := range k.rooms {
			if r.twin == 0 {
				continue
			}
			n++
			base := slices.IndexFunc(k.steps, func(o op) bool { return o.kind == opCreate && o.room == r.twin-1 })
			twin := slices.IndexFunc(k.steps, func(o op) bool { return o.kind == opCreate && o.room == i })
			g.Expect(base).To(BeNumerically(">=", 0))
			g.Expect(twin).To(BeNumerically(">", base))
			g.Expect(k.valid()).To(BeTrue())
		}
	}
	g.Expect(n).To(BeNumerically(">", 10))
}

// A failure's signature is the same in every run, whatever the run's RoomIds and however the
// answer quotes them.
func TestSignatureTakesOutQuotedRoomIDs(t *testing.T) {
	g := NewWithT(t)
	for _, id := range []string{`x0001c\+~; '"<&>`, "x0002aplain", `X0003"`} {
		for _, body := range []string{
			`{"ErrorInfo":` + strconv.Quote("room "+id+" was destroyed") + `}`,
			string(must(json.Marshal(map[string]string{"ErrorInfo": "room " + id + " was destroyed"}))),
			"room " + id + " was destroyed",
		} {
			got := withoutRoomIDs(body, []string{id})
			g.Expect(got).NotTo(ContainSubstring("x000"), "%s", body)
			g.Expect(got).NotTo(ContainSubstring("X000"), "%s", body)
			g.Expect(got).To(ContainSubstring("was destroyed"))
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
