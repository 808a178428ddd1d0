package explore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/livehook/livehook/scenarios/report"
)

// Shrinking is greedy, as Hypothesis's is: it tries smaller cases in a fixed order (fewer
// rooms, fewer steps, fewer delivery conditions, then shorter and plainer values) and keeps
// each one that still fails the same way, until none does or the candidates run out. Every
// candidate is a valid sequence and is run against the target afresh, with RoomIds of its own.

// verifyRuns is how many times the shrunk case is run again, with other RoomIds and generated
// values, to say whether it reproduces.
const verifyRuns = 2

// shrink shrinks a failing case and returns its finding.
func (x *explorer) shrink(ctx context.Context, k *kase, first *outcome) (*Finding, error) {
	f := &Finding{Original: len(k.steps), sig: first.sig}
	best, bestOut := k, first
	runs := 0
	for improved := true; improved && runs < x.cfg.ShrinkRuns && ctx.Err() == nil; {
		improved = false
		var cands []*kase
		for _, c := range candidates(best) {
			if c.valid() && smaller(c, best) {
				cands = append(cands, c)
			}
		}
		// In chunks run at once; the first of a chunk, in order, that fails alike wins.
		for len(cands) > 0 && !improved && runs < x.cfg.ShrinkRuns && ctx.Err() == nil {
			n := min(len(cands), x.cfg.ShrinkParallel, x.cfg.ShrinkRuns-runs)
			chunk := cands[:n]
			cands = cands[n:]
			outs := make([]*outcome, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i, c := range chunk {
				x.runs++
				run := x.runs
				wg.Add(1)
				go func() {
					defer wg.Done()
					outs[i], errs[i] = x.tryRun(ctx, c, run)
				}()
			}
			wg.Wait()
			runs += n
			if err := errors.Join(errs...); err != nil {
				return nil, err
			}
			for i, o := range outs {
				x.res.ShrinkRequests += o.requests
				if improved || !o.failed || o.sig != f.sig || ctx.Err() != nil {
					continue
				}
				// Once more with other RoomIds and generated values: a candidate that leaves a
				// value to the generator must not fail only by what the generator drew.
				x.runs++
				again, err := x.tryRun(ctx, chunk[i], x.runs)
				if err != nil {
					return nil, err
				}
				runs++
				x.res.ShrinkRequests += again.requests
				if again.failed && again.sig == f.sig {
					best, bestOut, improved = chunk[i], again, true
				}
			}
			x.report(true, runs)
		}
	}
	f.ShrinkRuns = runs
	// Does it hold with other RoomIds and generated values? The last run that failed alike is
	// the one the reproducer and its curl lines show.
	best = best.compact()
	for range verifyRuns {
		if ctx.Err() != nil {
			break
		}
		o, err := x.try(ctx, best)
		if err != nil {
			return nil, err
		}
		x.res.ShrinkRequests += o.requests
		f.Verified++
		if o.failed && o.sig == f.sig {
			f.Reproduced++
			bestOut = o
		}
	}
	f.k, f.run = best, bestOut.run
	f.Steps, f.Webhooks = len(best.steps), best.webhooks()
	sc := &bestOut.rep.Scenarios[0]
	f.Failure, f.Explain = sc.Failure, sc.Explain()
	if f.Failure == "" && bestOut.rep.Control != nil {
		f.Failure = bestOut.rep.Control.Failure
	}
	f.Curl = curls(sc, bestOut.rep.Control)
	f.key = string(best.render(caseName, "", 0, x.foreign))
	return f, nil
}

// smaller reports whether a is smaller than b: fewer webhooks, then fewer steps, fewer
// conditions, then less of its values.
func smaller(a, b *kase) bool {
	ka, kb := a.size(), b.size()
	for i := range ka {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
	}
	return false
}

// size orders cases for shrinking, most significant first.
func (k *kase) size() [7]int {
	rooms, values, weight := 0, 0, 0
	for _, r := range k.rooms {
		values += len(r.body)
		weight += plainness(r.body)
	}
	used := map[int]bool{}
	for _, o := range k.steps {
		if o.kind == opCreate {
			used[o.room] = true
		}
		for _, f := range o.fields {
			values += valueSize(f.value) + 1
			if s, ok := f.value.(string); ok {
				weight += plainness(s)
			}
		}
		values += len(o.omit)
		for _, a := range o.accounts {
			values += len(a)
			weight += plainness(a)
		}
		if o.ownerNumber || o.bySystem {
			values++
		}
		if o.sendsPlatform() && o.platform != simplestPlatform {
			values++
		}
		if o.kind == opWait {
			values += int(o.wait.Milliseconds())
		}
	}
	rooms = len(used)
	c := k.cond
	shares := 0
	for _, s := range []float64{c.duplicate, c.overlap, c.reorder} {
		if s > 0 && s < 1 {
			shares++ // a share below 100% reproduces only by chance
		}
	}
	agains := 0 // lives of a RoomId again, and RoomIds another's in other case
	for _, r := range k.rooms {
		if r.again > 0 || r.twin > 0 && used[r.twin-1] {
			agains++
		}
	}
	return [7]int{k.webhooks(), len(k.steps), rooms, agains, k.cond.count()*2 + shares, values, weight}
}

// plainness weighs a string's characters: 0 for 'a', more the further from a plain letter.
func plainness(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r == 'a':
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			w++
		case r < 0x80:
			w += 2
		default:
			w += 1 + utf8.RuneLen(r)
		}
	}
	return w
}

func valueSize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []int:
		n := len(v)
		for _, x := range v {
			if x != 0 {
				n++
			}
		}
		return n
	case int:
		if v == 0 {
			return 0
		}
		return 1 + len(fmt.Sprint(v))
	}
	return 1
}

// candidates lists smaller variants of k, the largest steps first.
func candidates(k *kase) []*kase {
	var out []*kase
	edit := func(f func(c *kase) bool) {
		c := k.clone()
		if f(c) {
			out = append(out, c)
		}
	}
	// One room alone, with every life of its RoomId; one probe alone; halves of the steps.
	for r := range k.rooms {
		edit(func(c *kase) bool { return c.onlyRoom(r) })
	}
	for i, o := range k.steps {
		if o.kind == opProbe {
			edit(func(c *kase) bool { c.steps = []op{c.steps[i]}; return len(k.steps) > 1 })
		}
	}
	if n := len(k.steps); n >= 4 {
		edit(func(c *kase) bool { c.steps = c.steps[:n/2]; return true })
		edit(func(c *kase) bool { c.steps = c.steps[n/2:]; return true })
	}
	// Whole rooms, with every life of their RoomId.
	for r := range k.rooms {
		edit(func(c *kase) bool { return c.dropRoom(r) })
	}
	// Single steps, the last first.
	for i := len(k.steps) - 1; i >= 0; i-- {
		edit(func(c *kase) bool { c.steps = slices.Delete(c.steps, i, i+1); return true })
	}
	// A RoomId created again becomes a room of its own: the identity is not what fails.
	for r, spec := range k.rooms {
		if spec.again > 0 {
			edit(func(c *kase) bool {
				c.rooms[r] = roomSpec{body: c.rooms[spec.again-1].body}
				return true
			})
		}
	}
	// A RoomId another's in other case becomes a room of its own: the case is not what fails.
	for r, spec := range k.rooms {
		if spec.twin > 0 {
			edit(func(c *kase) bool {
				c.rooms[r] = roomSpec{body: c.rooms[spec.twin-1].body}
				return true
			})
		}
	}
	// Delivery conditions, one at a time, and shares made certain.
	for _, f := range []func(*conditions) bool{
		func(c *conditions) bool { b := c.concurrency > 1; c.concurrency = 0; return b },
		func(c *conditions) bool { b := c.duplicate > 0; c.duplicate = 0; return b },
		func(c *conditions) bool { b := c.overlap > 0; c.overlap = 0; return b },
		func(c *conditions) bool { b := c.reorder > 0; c.reorder = 0; return b },
		func(c *conditions) bool { b := c.delay > 0; c.delay = 0; return b },
		func(c *conditions) bool { b := c.jitter > 0; c.jitter = 0; return b },
		func(c *conditions) bool { b := c.skew != 0; c.skew = 0; return b },
		func(c *conditions) bool { b := c.sameURL; c.sameURL = false; return b },
		func(c *conditions) bool { b := c.concurrency > 2; c.concurrency = 2; return b },
		func(c *conditions) bool { b := c.duplicate > 0 && c.duplicate < 1; c.duplicate = 1; return b },
		func(c *conditions) bool { b := c.overlap > 0 && c.overlap < 1; c.overlap = 1; return b },
		func(c *conditions) bool { b := c.reorder > 0 && c.reorder < 1; c.reorder = 1; return b },
	} {
		edit(func(c *kase) bool { return f(&c.cond) })
	}
	// Values, in big jumps first: every value at its simplest, or one kind of value at once.
	edit(func(c *kase) bool { c.simplestFields(); c.simplestAccounts(); c.simplestBodies(false); return true })
	edit(func(c *kase) bool { c.simplestFields(); c.simplestAccounts(); return true })
	edit(func(c *kase) bool { c.simplestFields(); return true })
	edit(func(c *kase) bool { c.simplestBodies(false); return true })
	edit(func(c *kase) bool { c.simplestBodies(true); return true })
	edit(func(c *kase) bool { c.simplestAccounts(); return true })
	// Then one value at a time: fields left to the generator, shorter and plainer ones.
	for i, o := range k.steps {
		for j, fl := range o.fields {
			edit(func(c *kase) bool {
				if fl.name == "RoomName" {
					return false // kept explicit: see drawer.fields
				}
				c.steps[i].fields = slices.Delete(c.steps[i].fields, j, j+1)
				if fl.name == "Owner_Account" {
					c.steps[i].ownerNumber = false
				}
				return true
			})
			for _, v := range simplerField(fl.name, fl.value, o.ownerNumber) {
				edit(func(c *kase) bool { c.steps[i].fields[j].value = v; return true })
			}
		}
		for j := range o.omit {
			edit(func(c *kase) bool { c.steps[i].omit = slices.Delete(c.steps[i].omit, j, j+1); return true })
		}
		if o.bySystem {
			edit(func(c *kase) bool { c.steps[i].bySystem = false; return true })
		}
		if o.sendsPlatform() && o.platform != simplestPlatform {
			edit(func(c *kase) bool { c.steps[i].platform = simplestPlatform; return true })
		}
		if o.kind == opAdd {
			for _, a := range o.accounts {
				edit(func(c *kase) bool { return c.dropAccount(o.room, a) })
				for _, v := range simpler(a) {
					if s := v.(string); s != "" {
						edit(func(c *kase) bool { return c.renameAccount(o.room, a, s) })
					}
				}
			}
		}
	}
	for r, spec := range k.rooms {
		if spec.again == 0 && spec.twin == 0 {
			for _, v := range simpler(spec.body) {
				edit(func(c *kase) bool { c.rooms[r].body = v.(string); return true })
			}
		}
	}
	return out
}

// simplestPlatform is the OptPlatform a shrunk case sends where the platform is not the cause:
// the one most webhooks come from.
const simplestPlatform = "Android"

// simplestFields leaves every RoomInfo value but RoomName to the generator, RoomName "a",
// every field present, and every OptPlatform simplestPlatform.
func (k *kase) simplestFields() {
	for i := range k.steps {
		o := &k.steps[i]
		o.fields, o.omit, o.ownerNumber, o.bySystem = nil, nil, false, false
		if o.platform != "" {
			o.platform = simplestPlatform
		}
		if o.kind == opCreate {
			o.fields = []field{{"RoomName", "a"}} // kept explicit: see drawer.fields
		}
	}
}

// simplestBodies makes every RoomId's drawn part empty, or all 'a' of the same length.
func (k *kase) simplestBodies(sameLength bool) {
	for i := range k.rooms {
		if sameLength {
			k.rooms[i].body = strings.Repeat("a", len(k.rooms[i].body))
		} else {
			k.rooms[i].body = ""
		}
	}
}

// simplestAccounts gives the admins of each room the shortest distinct user IDs: a, b, c, ...
func (k *kase) simplestAccounts() {
	names := map[[2]any]string{}
	next := map[int]int{}
	for i := range k.steps {
		o := &k.steps[i]
		if o.kind != opAdd && o.kind != opRemove {
			continue
		}
		for j, a := range o.accounts {
			key := [2]any{o.room, a}
			if _, ok := names[key]; !ok {
				names[key] = string(rune('a' + next[o.room]))
				next[o.room]++
			}
			o.accounts[j] = names[key]
		}
	}
}

// onlyRoom keeps the steps of room r, of the lives that take its RoomId again and of the room
// whose RoomId is r's in other case, and the waits between them.
func (k *kase) onlyRoom(r int) bool {
	keep := map[int]bool{r: true}
	for i, spec := range k.rooms {
		if spec.again-1 == r || spec.twin-1 == r {
			keep[i] = true
		}
	}
	n := len(k.steps)
	k.steps = slices.DeleteFunc(k.steps, func(o op) bool { return o.kind == opProbe || o.kind != opWait && !keep[o.room] })
	return len(k.steps) < n
}

// dropRoom removes every step of room r and of the lives that take its RoomId again.
func (k *kase) dropRoom(r int) bool {
	gone := map[int]bool{r: true}
	for i, spec := range k.rooms {
		if spec.again-1 == r {
			gone[i] = true
		}
	}
	n := len(k.steps)
	k.steps = slices.DeleteFunc(k.steps, func(o op) bool { return o.kind != opWait && o.kind != opProbe && gone[o.room] })
	return len(k.steps) < n
}

// dropAccount removes an admin from every change of its room's life; a change left with no
// account goes.
func (k *kase) dropAccount(room int, a string) bool {
	for i := range k.steps {
		if o := &k.steps[i]; (o.kind == opAdd || o.kind == opRemove) && o.room == room {
			o.accounts = slices.DeleteFunc(o.accounts, func(s string) bool { return s == a })
		}
	}
	k.steps = slices.DeleteFunc(k.steps, func(o op) bool { return (o.kind == opAdd || o.kind == opRemove) && len(o.accounts) == 0 })
	return true
}

// renameAccount gives an admin another user ID in every change of its room's life.
func (k *kase) renameAccount(room int, from, to string) bool {
	for i := range k.steps {
		if o := &k.steps[i]; (o.kind == opAdd || o.kind == opRemove) && o.room == room {
			if slices.Contains(o.accounts, to) {
				return false
			}
			for j, s := range o.accounts {
				if s == from {
					o.accounts[j] = to
				}
			}
		}
	}
	return true
}

// simplerField lists the smaller variants of a RoomInfo value that the field allows.
func simplerField(name string, v any, number bool) []any {
	switch name {
	case "TakeSeatMode":
		return nil // an enumeration: left to the generator or kept
	case "Owner_Account":
		s := v.(string)
		if number {
			// Digits stay digits, with no leading zero: a JSON number.
			var out []any
			for _, c := range []string{s[:len(s)/2], s[:len(s)-1], strings.Repeat("1", len(s)), "1"} {
				if c != "" && c != s && c[0] != '0' {
					out = append(out, c)
				}
			}
			return dedupe(out, s)
		}
		var out []any
		for _, c := range simpler(v) {
			if c.(string) != "" {
				out = append(out, c)
			}
		}
		return out
	case "RoomName":
		// Never empty: the Live backend names a room after its RoomId when no name is given.
		var out []any
		for _, c := range simpler(v) {
			if c.(string) != "" {
				out = append(out, c)
			}
		}
		return out
	case "MaxMemberCount":
		var out []any
		for _, c := range simpler(v) {
			if c.(int) >= 1 {
				out = append(out, c)
			}
		}
		return out
	}
	return simpler(v)
}

// simpler lists smaller variants of a value: for a string, empty, halves, one rune less, then
// its runes made plainer; for numbers and lists, smaller ones.
func simpler(v any) []any {
	switch v := v.(type) {
	case string:
		rs := []rune(v)
		var out []any
		if len(rs) == 0 {
			return nil
		}
		out = append(out, "", string(rs[:len(rs)/2]), string(rs[len(rs)/2:]), string(rs[:len(rs)*3/4]), string(rs[:len(rs)*7/8]), string(rs[:len(rs)-1]), string(rs[1:]))
		// Plainer: all, halves, then each rune made an 'a'.
		plain := func(rune) rune { return 'a' }
		mapRange := func(lo, hi int) string {
			c := slices.Clone(rs)
			for i := lo; i < hi; i++ {
				c[i] = plain(c[i])
			}
			return string(c)
		}
		out = append(out, mapRange(0, len(rs)), mapRange(0, len(rs)/2), mapRange(len(rs)/2, len(rs)))
		for i := range rs {
			if rs[i] != plain(rs[i]) {
				out = append(out, mapRange(i, i+1))
			}
		}
		// Same length in bytes, with plain runes: a limit in bytes still fails.
		if n := len(v); n != len(rs) {
			out = append(out, strings.Repeat("a", n))
		}
		return dedupe(out, v)
	case int:
		var out []any
		for _, c := range []int{0, 1, v / 2} {
			if c < v {
				out = append(out, c)
			}
		}
		return out
	case []int:
		var out []any
		for i := range v {
			out = append(out, slices.Delete(slices.Clone(v), i, i+1))
		}
		for i, x := range v {
			if x != 0 {
				c := slices.Clone(v)
				c[i] = 0
				out = append(out, c)
			}
		}
		return out
	}
	return nil
}

func dedupe(vs []any, orig string) []any {
	seen := map[string]bool{orig: true}
	var out []any
	for _, v := range vs {
		if s := v.(string); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// curls writes a curl command per webhook the scenario (and the control) sent.
func curls(sc *report.ScenarioResult, control *report.ScenarioResult) []string {
	var out []string
	add := func(s *report.ScenarioResult) {
		for _, st := range s.Steps {
			for _, ex := range st.Exchanges {
				if ex.Command == "" {
					continue
				}
				out = append(out, fmt.Sprintf("curl -sS -X %s %s -H 'Content-Type: application/json; charset=utf-8' --data-binary %s",
					orPost(ex.Method), shellQuote(ex.URL), shellQuote(ex.RequestBody)))
			}
		}
	}
	add(sc)
	if control != nil {
		add(control)
	}
	return out
}

func orPost(m string) string {
	if m == "" {
		return "POST"
	}
	return m
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// compact numbers the rooms a case uses in the order they are created, r1 first, and drops the
// others, so that the reproducer reads from the top. RoomIds keep their bodies; a run's tags are
// by room number, so the reproducer's verifying runs come after.
func (k *kase) compact() *kase {
	c := k.clone()
	renumber := map[int]int{}
	var rooms []roomSpec
	for _, o := range c.steps {
		if o.kind == opCreate {
			if _, ok := renumber[o.room]; !ok {
				renumber[o.room] = len(rooms)
				rooms = append(rooms, k.rooms[o.room])
			}
		}
	}
	for i := range rooms {
		if a := rooms[i].again; a > 0 {
			rooms[i].again = renumber[a-1] + 1
		}
		if tw := rooms[i].twin; tw > 0 {
			if n, ok := renumber[tw-1]; ok {
				rooms[i].twin = n + 1
			} else {
				// Its room is never created: a room of its own, its RoomId unchanged but the tag.
				rooms[i] = roomSpec{body: swapCase(k.rooms[tw-1].body)}
			}
		}
	}
	for i := range c.steps {
		if o := &c.steps[i]; o.kind != opWait && o.kind != opProbe {
			o.room = renumber[o.room]
		}
	}
	c.rooms = rooms
	return c
}
