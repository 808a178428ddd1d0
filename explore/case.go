package explore

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/livehook/livehook/internal/yamlnode"
	"github.com/livehook/livehook/webhook"
)

// A case is one drawn webhook sequence: rooms and their lives (created, admins changed,
// destroyed, a RoomId created again, a RoomId differing from another only in case), probes of
// authentication that must be refused, and the delivery conditions of the whole. It is written out as a scenario and run by package
// scenarios, so what the explorer checks is what `livehook run` checks, and the reproducer of a
// finding is the very scenario that failed.
type kase struct {
	cond  conditions
	steps []op
	rooms []roomSpec // indexed by op.room
}

// conditions are a case's delivery conditions; the zero value delivers one at a time, in order.
type conditions struct {
	concurrency                 int
	duplicate, overlap, reorder float64
	delay, jitter, skew         time.Duration
	sameURL                     bool
}

func (c conditions) zero() bool { return c == conditions{} || c == conditions{concurrency: 1} }

// count is how many conditions are set, for the shrinker's order of preference.
func (c conditions) count() int {
	n := 0
	for _, set := range []bool{c.concurrency > 1, c.duplicate > 0, c.overlap > 0, c.reorder > 0, c.delay > 0, c.jitter > 0, c.skew != 0, c.sameURL} {
		if set {
			n++
		}
	}
	return n
}

// roomSpec is a room's RoomId: a tag unique to each run of a case (so that a receiver that
// remembers RoomIds meets each run's rooms afresh), then the drawn characters. again, when
// set, is the index+1 of the room whose RoomId this life takes again after its destroy; twin,
// when set, the index+1 of the room whose RoomId this room's is with the case of every letter
// swapped (RoomIds are case-sensitive, docs/protocol.md: two rooms, though a case-folding
// receiver takes them for one).
type roomSpec struct {
	body  string
	again int
	twin  int
}

type opKind int

const (
	opCreate opKind = iota
	opAdd
	opRemove
	opDestroy
	opWait
	opProbe // a creation that must be refused: a near-miss Sign, no SdkAppid, a foreign one
)

// op is one step of a case.
type op struct {
	kind opKind
	room int
	// create
	fields      []field // explicit RoomInfo values, in order; the rest generated
	ownerNumber bool
	omit        []string
	// create, destroy by a user: the URL's OptPlatform
	platform string
	// add, remove
	accounts []string
	// destroy
	bySystem bool
	// wait
	wait time.Duration
	// probe
	sign       string // wrong_tail, wrong_upper, truncated
	noSDKAppID bool
	foreign    bool
}

// sendsPlatform reports whether the step's URL carries its own OptPlatform: a creation's or a
// user destroy's; a system destroy sends Unknown whatever the op holds.
func (o op) sendsPlatform() bool {
	return o.platform != "" && (o.kind == opCreate || o.kind == opDestroy && !o.bySystem)
}

// field is a RoomInfo value a create sets: a string, an int, a bool or []int.
type field struct {
	name  string
	value any
}

func (k *kase) clone() *kase {
	c := &kase{cond: k.cond, rooms: slices.Clone(k.rooms), steps: make([]op, len(k.steps))}
	for i, o := range k.steps {
		o.fields = slices.Clone(o.fields)
		for j, f := range o.fields {
			if cat, ok := f.value.([]int); ok {
				o.fields[j].value = slices.Clone(cat)
			}
		}
		o.omit = slices.Clone(o.omit)
		o.accounts = slices.Clone(o.accounts)
		c.steps[i] = o
	}
	return c
}

// webhooks counts the webhooks a case sends (not its waits).
func (k *kase) webhooks() int {
	n := 0
	for _, o := range k.steps {
		if o.kind != opWait {
			n++
		}
	}
	return n
}

// valid reports whether the case is a sequence the Live backend could send: admins added only
// when not admins yet and at most webhook.MaxAdmins, removed only when admins, nothing after a
// room's destroy, a RoomId created again only after its destroy and a wait of a second (the
// vendor refuses a RoomId created twice within a second).
func (k *kase) valid() bool {
	if k.webhooks() == 0 || !k.writable() {
		return false
	}
	type life struct {
		created, destroyed bool
		waitsAtDestroy     int
		admins             map[string]bool
	}
	lives := make([]life, len(k.rooms))
	waits := 0 // the waits of a second or more so far
	for _, o := range k.steps {
		switch {
		case o.kind == opWait:
			if o.wait >= recreateWait {
				waits++
			}
			continue
		case o.kind == opProbe:
			continue
		case o.room < 0 || o.room >= len(k.rooms):
			return false
		}
		l := &lives[o.room]
		switch o.kind {
		case opCreate:
			if l.created {
				return false
			}
			if a := k.rooms[o.room].again; a > 0 {
				if a-1 >= o.room || !lives[a-1].destroyed || waits <= lives[a-1].waitsAtDestroy {
					return false
				}
			}
			l.created, l.admins = true, map[string]bool{}
		case opAdd, opRemove:
			if !l.created || l.destroyed || len(o.accounts) == 0 {
				return false
			}
			for _, a := range o.accounts {
				if l.admins[a] != (o.kind == opRemove) {
					return false
				}
				if o.kind == opAdd {
					l.admins[a] = true
				} else {
					delete(l.admins, a)
				}
			}
			if len(l.admins) > webhook.MaxAdmins {
				return false
			}
		case opDestroy:
			if !l.created || l.destroyed {
				return false
			}
			l.destroyed, l.waitsAtDestroy = true, waits
		}
	}
	return true
}

// writable reports whether every string of the case can be written in a scenario: the language
// has no escape for "${", which starts a template, so a value holding it is left out of the
// value space the explorer draws from.
func (k *kase) writable() bool {
	for _, r := range k.rooms {
		if strings.Contains(r.body, "${") {
			return false
		}
	}
	for _, o := range k.steps {
		for _, f := range o.fields {
			if s, ok := f.value.(string); ok && strings.Contains(s, "${") {
				return false
			}
		}
	}
	return true
}

// recreateWait is the wait before a RoomId is created again.
const recreateWait = 1100 * time.Millisecond

// tagLen is the length of the unique tag at the start of each RoomId.
const tagLen = 6

// roomIDs gives each room of a case its RoomId for one run: the run's tag, then the body.
// A twin's RoomId is its room's with the case of each letter swapped; the tag starts with a
// letter, so the two always differ.
func (k *kase) roomIDs(run uint64) []string {
	ids := make([]string, len(k.rooms))
	for i, r := range k.rooms {
		if r.again == 0 && r.twin == 0 {
			ids[i] = tag(run*16+uint64(i)) + r.body
		}
	}
	for i, r := range k.rooms {
		switch {
		case r.again > 0:
			ids[i] = ids[r.again-1]
		case r.twin > 0:
			ids[i] = swapCase(ids[r.twin-1])
		}
	}
	return ids
}

// swapCase swaps the case of each ASCII letter of s: the RoomId alphabet's only letters.
func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// tag is n in base 36, tagLen digits: unique for each room of each run.
func tag(n uint64) string {
	s := strconv.FormatUint(n, 36)
	if len(s) < tagLen {
		s = strings.Repeat("0", tagLen-len(s)) + s
	}
	return "x" + s[len(s)-tagLen+1:]
}

// Scenario names: every run of a case has the same, so its generated values are the seed's.
const caseName = "explore: a drawn webhook sequence"

// render writes the case as a scenarios file of one scenario, with RoomIds for run.
func (k *kase) render(name, description string, run uint64, foreignApp uint64) []byte {
	ids := k.roomIDs(run)
	sc := mapping("name", name)
	if description != "" {
		sc.Content = append(sc.Content, scalar("description"), scalar(description))
	}
	if !k.cond.zero() {
		sc.Content = append(sc.Content, scalar("delivery"), k.cond.node())
	}
	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for _, o := range k.steps {
		steps.Content = append(steps.Content, o.node(ids, foreignApp))
	}
	sc.Content = append(sc.Content, scalar("steps"), steps)
	sc.Style = 0
	doc := mapping("scenarios", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{sc}})
	doc.Style = 0
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		// The nodes are built of strings, ints and bools only.
		panic(fmt.Sprintf("explore: rendering a case: %v", err))
	}
	return b.Bytes()
}

func (c conditions) node() *yaml.Node {
	n := mapping()
	if c.concurrency > 1 {
		n.Content = append(n.Content, scalar("concurrency"), intNode(c.concurrency))
	}
	for _, s := range []struct {
		key string
		v   float64
	}{{"duplicate", c.duplicate}, {"overlap", c.overlap}, {"reorder", c.reorder}} {
		if s.v > 0 {
			n.Content = append(n.Content, scalar(s.key), plain(strconv.FormatFloat(s.v*100, 'f', -1, 64)+"%"))
		}
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"delay", c.delay}, {"jitter", c.jitter}, {"skew", c.skew}} {
		if d.v != 0 {
			n.Content = append(n.Content, scalar(d.key), plain(d.v.String()))
		}
	}
	if c.sameURL {
		n.Content = append(n.Content, scalar("retry"), plain("same-url"))
	}
	return n
}

func alias(i int) string { return "r" + strconv.Itoa(i+1) }

func (o op) node(ids []string, foreignApp uint64) *yaml.Node {
	switch o.kind {
	case opWait:
		n := mapping("wait", plain(o.wait.String()))
		n.Style = 0
		return n
	case opCreate, opProbe:
		info := mapping()
		if o.kind == opCreate {
			info.Content = append(info.Content, scalar("RoomId"), scalar(ids[o.room]))
		}
		for _, f := range o.fields {
			info.Content = append(info.Content, scalar(f.name), valueNode(f.value))
		}
		m := mapping()
		if o.kind == opCreate {
			m.Content = append(m.Content, scalar("as"), scalar(alias(o.room)))
		}
		if len(info.Content) > 0 {
			m.Content = append(m.Content, scalar("RoomInfo"), info)
		}
		if o.ownerNumber {
			m.Content = append(m.Content, scalar("owner_as_number"), plain("true"))
		}
		if len(o.omit) > 0 {
			m.Content = append(m.Content, scalar("omit"), list(o.omit))
		}
		if o.kind == opCreate {
			if o.sendsPlatform() {
				m.Content = append(m.Content, scalar("platform"), plain(o.platform))
			}
			return step("create_room", m, false)
		}
		switch {
		case o.sign != "":
			m.Content = append(m.Content, scalar("sign"), plain(o.sign))
		case o.noSDKAppID:
			m.Content = append(m.Content, scalar("no_sdkappid"), plain("true"))
		case o.foreign:
			m.Content = append(m.Content, scalar("sdkappid"), intNode(int(foreignApp)))
		}
		return step("create_room", m, true)
	case opAdd, opRemove:
		opType := "add"
		if o.kind == opRemove {
			opType = "delete"
		}
		return step("modify_admin", mapping("room", alias(o.room), "op", plain(opType), "accounts", list(o.accounts)), false)
	default: // opDestroy
		by := "user"
		if o.bySystem {
			by = "system"
		}
		m := mapping("room", alias(o.room), "by", plain(by))
		if o.sendsPlatform() {
			m.Content = append(m.Content, scalar("platform"), plain(o.platform))
		}
		return step("destroy_room", m, false)
	}
}

func step(action string, fields *yaml.Node, rejected bool) *yaml.Node {
	n := mapping(action, fields)
	n.Style = 0
	if rejected {
		n.Content = append(n.Content, scalar("expect"), plain("rejected"))
	}
	return n
}

// The nodes of a case's file: package yamlnode's, named as this file uses them.
var (
	mapping   = yamlnode.Map
	valueNode = yamlnode.Value
	scalar    = yamlnode.Str
	plain     = yamlnode.Plain
	intNode   = yamlnode.Int
	list      = yamlnode.Strings
)
