package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

// maxCheckAnswer bounds how much of a check's answer is read.
const maxCheckAnswer = 1 << 20

// generateSpeedup is how much faster than the wall clock a generate step's simulated clock runs:
// an hour of rooms takes a second of EventTime.
const generateSpeedup = 3600

// maxFailedExchanges bounds the failing exchanges a step that sends many keeps for its report.
const maxFailedExchanges = 5

// act runs the step's action, already expanded (no ${...} left), and fills in its result.
func (x *execution) act(ctx context.Context, st *scenarios.Step, sr *report.StepResult) {
	switch {
	case st.CreateRoom != nil:
		x.deliverChange(ctx, st, sr, "create_room", func() (webhook.Message, error) { return x.createRoom(st.CreateRoom) })
	case st.ModifyAdmin != nil:
		x.deliverChange(ctx, st, sr, "modify_admin", func() (webhook.Message, error) { return x.modifyAdmin(st.ModifyAdmin) })
	case st.DestroyRoom != nil:
		x.deliverChange(ctx, st, sr, "destroy_room", func() (webhook.Message, error) { return x.destroyRoom(st.DestroyRoom) })
	case st.Send != nil:
		x.sendAny(ctx, st.Send, st, sr)
	case st.Wait != nil:
		x.wait(ctx, st.Wait, sr)
	case st.Check != nil:
		x.check(ctx, st.Check, sr)
	case st.Generate != nil:
		x.generate(ctx, st.Generate, st, sr)
	case st.Replay != nil:
		x.replay(ctx, st.Replay, st, sr)
	default:
		// The parser lets no step through without an action; one added to the language but not
		// here fails, saying so, rather than passing unrun.
		fail(sr, "livehook cannot run the action %q: a defect of livehook's own", st.Action())
	}
}

// deliverChange makes a room change and delivers its webhook, or fails the step saying why not.
func (x *execution) deliverChange(ctx context.Context, st *scenarios.Step, sr *report.StepResult, key string, change func() (webhook.Message, error)) {
	msg, err := change()
	if err != nil {
		fail(sr, "%s: %v", key, err)
		return
	}
	x.deliver(ctx, st, msg, sr)
}

// createRoom makes the room the step describes, the rest generated, and returns its webhook.
func (x *execution) createRoom(c *scenarios.CreateRoom) (webhook.Message, error) {
	now := x.now()
	owner := deref(c.RoomInfo.OwnerAccount, "")
	if owner == "" && c.OwnerAsNumber {
		owner = x.gen.NumericUserID()
	}
	info := x.gen.RoomInfo(now, owner)
	f := c.RoomInfo
	set(&info.RoomId, f.RoomId)
	set(&info.RoomName, f.RoomName)
	set(&info.RoomType, f.RoomType)
	set(&info.MaxMemberCount, f.MaxMemberCount)
	set(&info.IsMessageDisabled, f.IsMessageDisabled)
	set(&info.CustomInfo, f.CustomInfo)
	set(&info.IsSeatEnabled, f.IsSeatEnabled)
	if f.TakeSeatMode != nil {
		info.TakeSeatMode = string(*f.TakeSeatMode)
	}
	set(&info.MaxSeatCount, f.MaxSeatCount)
	set(&info.CreateTime, f.CreateTime)
	set(&info.IsPublicVisible, f.IsPublicVisible)
	set(&info.CoverURL, f.CoverURL)
	if f.Category != nil {
		info.Category = f.Category
	}
	info.OwnerAccount.Number = c.OwnerAsNumber
	rm, msg, err := room.Create(info, c.Operator, x.meta(&c.Probe), now)
	if err != nil {
		return msg, err
	}
	r := &liveRoom{Room: rm}
	b, _ := json.Marshal(info)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	_ = d.Decode(&r.fields)
	if c.As != "" {
		x.rooms[c.As] = r
	}
	x.last = r
	return msg, nil
}

// modifyAdmin changes the room's admins by the rules of room, and returns the webhook. A step
// that would change nothing is an error: the Live backend reports only changes.
func (x *execution) modifyAdmin(m *scenarios.ModifyAdmin) (webhook.Message, error) {
	r, err := x.room(m.Room)
	if err != nil {
		return webhook.Message{}, err
	}
	now := x.now()
	accounts := m.Accounts
	var msg webhook.Message
	var changed bool
	if m.Op == "" || m.Op == webhook.OpTypeAdd {
		if accounts == nil {
			accounts = x.gen.NewAdmins(r.Room, 1+x.gen.Rand().Intn(2))
		}
		msg, changed, err = r.AddAdmins(m.Operator, accounts, now)
	} else {
		if accounts == nil {
			accounts = slices.Clone(r.Admins)
		}
		msg, changed, err = r.RemoveAdmins(m.Operator, accounts, now, true)
	}
	switch {
	case err != nil:
		return msg, err
	case !changed && len(accounts) == 0 && m.Op == webhook.OpTypeDelete:
		return msg, fmt.Errorf("room %q has no admins to remove: add some first", r.Info.RoomId)
	case !changed && len(accounts) == 0:
		return msg, fmt.Errorf("room %q has %d admins, at most %d are allowed: remove some first", r.Info.RoomId, len(r.Admins), webhook.MaxAdmins)
	case !changed:
		return msg, fmt.Errorf("%s already admins of room %q: the Live backend reports only changes", strings.Join(accounts, ", "), r.Info.RoomId)
	}
	if got := msg.Event.(*webhook.ModifyAdmin).AdminAccount; len(got) != len(slices.Compact(slices.Sorted(slices.Values(accounts)))) {
		return msg, fmt.Errorf("of %s, only %s would change: the others are admins of room %q already", strings.Join(accounts, ", "), strings.Join(got, ", "), r.Info.RoomId)
	}
	return msg, nil
}

// destroyRoom closes the room by the rules of room and returns its webhook.
func (x *execution) destroyRoom(dr *scenarios.DestroyRoom) (webhook.Message, error) {
	r, err := x.room(dr.Room)
	if err != nil {
		return webhook.Message{}, err
	}
	if dr.OwnerAsNumber && !text.IsDigits(r.Info.OwnerAccount.ID) {
		return webhook.Message{}, fmt.Errorf("owner_as_number: the room's owner %q is not a number; create the room with owner_as_number too", r.Info.OwnerAccount.ID)
	}
	now := x.now()
	// The life in whole minutes: the statistic must not depend on how fast the steps ran.
	st := x.gen.Statistic(now.Sub(r.Created).Truncate(time.Minute), r.Info.MaxMemberCount)
	f := dr.Statistic
	set(&st.TotalViewers, f.TotalViewers)
	set(&st.TotalGiftsSent, f.TotalGiftsSent)
	set(&st.TotalGiftCoins, f.TotalGiftCoins)
	set(&st.TotalUniqueGiftSenders, f.TotalUniqueGiftSenders)
	set(&st.TotalLikesReceived, f.TotalLikesReceived)
	msg, err := r.Destroy(room.Destruction{BySystem: dr.By == "system", Operator: dr.Operator, Client: x.meta(&dr.Probe), Statistic: st, At: now})
	if err != nil {
		return msg, err
	}
	msg.Event.(*webhook.DestroyRoom).RoomInfo.OwnerAccount.Number = dr.OwnerAsNumber || r.Info.OwnerAccount.Number
	return msg, nil
}

// send sends the step's body as its command, with the URL it says.
func (x *execution) sendAny(ctx context.Context, s *scenarios.Send, st *scenarios.Step, sr *report.StepResult) {
	cmd := webhook.Command(s.Command)
	req := webhook.Request{Command: cmd, Body: []byte(s.Body)}
	opt := x.urlOptions(&s.Probe)
	meta := x.meta(&s.Probe)
	if s.Query != "" {
		req.URL = webhook.AppendQuery(x.cfg.Endpoint.URL, s.Query)
	} else {
		req.URL = x.cfg.Endpoint.RequestURL(cmd, meta, opt)
	}
	x.send(ctx, st, sr, webhook.Message{Meta: meta}, req, opt, s.Query != "")
}

// wait delivers what is pending, then pauses.
func (x *execution) wait(ctx context.Context, w *scenarios.Wait, sr *report.StepResult) {
	x.flush(ctx)
	t := time.NewTimer(time.Duration(*w))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		// Interrupted: nothing failed, and the scenario is reported as interrupted.
		sr.Status = report.StatusSkipped
	}
}

// check asks the app backend's own API and compares its answer. Every request made is counted,
// answered or not.
func (x *execution) check(ctx context.Context, c *scenarios.Check, sr *report.StepResult) {
	x.flush(ctx)
	method := orDefault(c.Method, http.MethodGet)
	timeout := x.cfg.Timeout
	if c.Within > 0 {
		timeout = time.Duration(c.Within)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
	}
	ex := report.Exchange{Method: method, URL: c.URL, RequestBody: c.Body}
	fail := func(format string, args ...any) {
		fail(sr, "check %s %s: "+format, append([]any{method, c.URL}, args...)...)
		keep(sr, ex)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL, body)
	if err != nil {
		fail("%v", err)
		return
	}
	for k, v := range c.Headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	sr.Sent++
	resp, err := x.cfg.HTTPClient.Do(req)
	if err != nil {
		ex.Latency, ex.Error = time.Since(start), err.Error()
		sr.Latency = ex.Latency
		if ctx.Err() != nil {
			fail("no answer within %v", timeout)
		} else {
			fail("%v", err)
		}
		x.observe(sr, ex)
		return
	}
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxCheckAnswer))
	resp.Body.Close()
	ex.Latency, ex.Status, ex.ResponseBody = time.Since(start), resp.StatusCode, string(rb)
	sr.Latency = ex.Latency
	x.observe(sr, ex)
	if err != nil {
		fail("reading the answer: %v", err)
		return
	}
	if want := orDefault(c.Status, http.StatusOK); resp.StatusCode != want {
		extra := ""
		if loc := resp.Header.Get("Location"); loc != "" {
			extra = " (a redirect to " + strconv.Quote(loc) + ": redirects are not followed)"
		}
		fail("expected HTTP status %d, got %d%s", want, resp.StatusCode, extra)
		return
	}
	if len(c.JSON) > 0 {
		var doc any
		d := json.NewDecoder(bytes.NewReader(rb))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			fail("the answer is not JSON: %v", err)
			return
		}
		for _, path := range slices.Sorted(maps.Keys(c.JSON)) {
			if msg := matchPath(doc, path, c.JSON[path]); msg != "" {
				fail("%s", msg)
				return
			}
		}
	}
	keep(sr, ex)
}

// matchPath compares the value at a dotted path (list items by index) with want.
func matchPath(doc any, path string, want any) string {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return path + ": no field " + strconv.Quote(part) + " in the answer"
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return path + ": no item " + strconv.Quote(part) + " in a list of " + strconv.Itoa(len(v))
			}
			cur = v[i]
		default:
			return path + ": " + strconv.Quote(part) + " is not inside an object or a list"
		}
	}
	gotJSON, _ := json.Marshal(cur)
	wantJSON, _ := json.Marshal(want)
	if sameJSON(gotJSON, wantJSON) {
		return ""
	}
	// A number written in YAML as text (e.g. from a template) matches the number.
	if s, ok := want.(string); ok && string(gotJSON) == s {
		return ""
	}
	return path + " is " + string(gotJSON) + ", expected " + string(wantJSON)
}

func sameJSON(a, b []byte) bool {
	var x, y any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	if nx, ok := x.(json.Number); ok {
		if ny, ok := y.(json.Number); ok {
			if nx == ny {
				return true
			}
			fx, ex := nx.Float64()
			fy, ey := ny.Float64()
			return ex == nil && ey == nil && fx == fy
		}
	}
	return reflect.DeepEqual(x, y)
}

// generate sends the events of generated rooms as the generator's traffic model interleaves them, as
// fast as the app backend answers, with times that follow the wall clock at a speed-up.
func (x *execution) generate(ctx context.Context, g *scenarios.Generate, st *scenarios.Step, sr *report.StepResult) {
	x.flush(ctx)
	seed := x.seed
	if g.Seed != nil {
		seed = *g.Seed
	}
	gen := generator.New(seed, generator.WithRoomPrefix(fmt.Sprintf("lh_g%x_", uint32(seed))), generator.WithEdges(float64(g.Edges)))
	stream, err := gen.Stream(generator.Traffic{Rooms: g.Rooms,
		Clock: generator.WallClock(generator.DefaultStart, x.now(), generateSpeedup)})
	if err != nil {
		fail(sr, "%v", err)
		return
	}
	cond := x.cond
	if g.Delivery != nil {
		cond = g.Delivery.Conditions()
	}
	if !cond.IsZero() {
		x.generateUnder(ctx, g, st, sr, stream, cond)
		return
	}
	failures := 0
	for ev, ok := stream.Next(); ok; ev, ok = stream.Next() {
		if failures >= maxFailedExchanges {
			break // enough to show what is wrong; a stalling receiver would hold the run up
		}
		if ctx.Err() != nil {
			fail(sr, "interrupted after %s", plural.Of(sr.Sent, "request"))
			return
		}
		req, err := x.cfg.Endpoint.NewRequest(ev.Message, x.urlOptions(nil))
		if err != nil {
			fail(sr, "%v", err)
			return
		}
		if !x.exchange(ctx, st, req, sr) {
			failures++
		}
	}
	if failures > 0 {
		stopped := ""
		if failures >= maxFailedExchanges {
			stopped = fmt.Sprintf(", then the step stopped short of its %s", plural.Of(g.Rooms, "room"))
		}
		fail(sr, "%d of %s failed%s; the last: %s", failures, plural.Of(sr.Sent, "request"), stopped, sr.Failure)
	}
}

// generateUnder delivers the stream's webhooks under delivery conditions, and reports every answer
// that does not meet the step's expectation with the conditions it went under.
func (x *execution) generateUnder(ctx context.Context, g *scenarios.Generate, st *scenarios.Step, sr *report.StepResult, stream *generator.Stream, cond delivery.Conditions) {
	b, err := x.newBatch(cond)
	if err != nil {
		fail(sr, "%v", err)
		return
	}
	stop := context.AfterFunc(ctx, func() { _ = b.d.Shutdown(ctx) })
	for ev, ok := stream.Next(); ok && ctx.Err() == nil; ev, ok = stream.Next() {
		opt := x.urlOptions(nil)
		req, err := x.cfg.Endpoint.NewRequest(ev.Message, opt)
		if err != nil {
			fail(sr, "%v", err)
			break
		}
		it := x.itemFor(ev.Message, req, opt, false)
		it.Tag = sent{st: st, sr: sr}
		if b.d.Enqueue(it) != nil {
			break // stopped early: enough failures
		}
	}
	b.d.Close()
	stop()
	failures, unsent, last := b.record(x)
	stopped := ""
	if unsent > 0 {
		stopped = fmt.Sprintf(", then the step stopped with %s not sent", plural.Of(unsent, "webhook"))
	}
	switch {
	case ctx.Err() != nil:
		fail(sr, "interrupted after %s", plural.Of(sr.Sent, "request"))
	case failures > 0:
		fail(sr, "%d of %s failed under %s%s; the last: %s", failures, plural.Of(sr.Sent, "request"), cond, stopped, last)
	}
}

// replay sends a recorded delivery again, re-based and re-signed.
func (x *execution) replay(ctx context.Context, r *scenarios.Replay, st *scenarios.Step, sr *report.StepResult) {
	body := []byte(r.Body)
	if r.Rebases() {
		at, _ := time.Parse(time.RFC3339Nano, r.RecordedAt)
		var err error
		if body, err = rebase(body, x.now().Sub(at)); err != nil {
			body = []byte(r.Body) // a body that is not JSON has no times to move
		}
	}
	id := x.cfg.Endpoint.SDKAppID
	if r.SDKAppID != 0 {
		id = r.SDKAppID
	}
	query, cmd := replayQuery(r.Query, id)
	opt := x.urlOptions(&r.Probe)
	opt.SDKAppID = 0 // the query carries it
	ep := x.cfg.Endpoint
	if x.cond.IsZero() {
		x.exchange(ctx, st, webhook.Request{Command: cmd, URL: ep.QueryURL(query, opt), Body: body}, sr)
		return
	}
	// Under delivery conditions the URL is signed when the delivery goes, not when it is queued.
	room := cmd.Short()
	if ev, err := webhook.Decode(body); err == nil {
		room = ev.Room()
	}
	x.enqueue(st, sr, &delivery.Item{Room: room, Command: cmd, Body: body, URL: func(now time.Time, skew time.Duration) string {
		o := opt
		o.Now, o.Skew = now, o.Skew+skew
		return ep.QueryURL(query, o)
	}})
}

// replayQuery returns the query with its SdkAppid (or SdkAppId) set to id, every other byte
// kept, and the command it names.
func replayQuery(q string, id uint64) (string, webhook.Command) {
	parts := strings.Split(q, "&")
	var cmd webhook.Command
	for i, p := range parts {
		name, val, _ := strings.Cut(p, "=")
		switch name {
		case webhook.ParamSdkAppid, webhook.ParamSdkAppIdNew:
			parts[i] = name + "=" + strconv.FormatUint(id, 10)
		case webhook.ParamCallbackCommand, webhook.ParamWebhookCommand:
			if c, err := url.QueryUnescape(val); err == nil {
				cmd = webhook.Command(c)
			}
		}
	}
	return strings.Join(parts, "&"), cmd
}

// rebase moves a body's EventTime (milliseconds) and RoomInfo.CreateTime (seconds) by d, every
// other byte kept.
func rebase(body []byte, d time.Duration) ([]byte, error) {
	return webhook.RewriteValues(body, func(path []string, raw []byte) []byte {
		var unit time.Duration
		switch {
		case len(path) == 1 && path[0] == "EventTime":
			unit = time.Millisecond
		case len(path) == 2 && path[0] == "RoomInfo" && path[1] == "CreateTime":
			unit = time.Second
		default:
			return nil
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil
		}
		return strconv.AppendInt(nil, n+int64(d/unit), 10)
	})
}
