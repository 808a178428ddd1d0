package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// Config says where and how to run scenarios.
type Config struct {
	// Endpoint is the app backend's callback URL, SDKAppID and token.
	Endpoint webhook.Endpoint
	// Timeout is each webhook's deadline (webhook.DefaultTimeout unless set).
	Timeout time.Duration
	// Seed makes the generated values; the same seed sends the same rooms.
	Seed int64
	// Parallel is how many scenarios run at once (1 unless set); each one's steps run in order.
	Parallel int
	// Tags, when set, select the scenarios with any of them; "!tag" leaves those with tag out.
	Tags []string
	// FailFast starts no scenario after one has failed.
	FailFast bool
	// Client delivers the webhooks; one with Timeout is made unless set.
	Client *webhook.Client
	// HTTPClient makes the check steps' requests; one is made unless set.
	HTTPClient *http.Client
	// Observe, when set, is called with every request and answer as it completes (for -v).
	// It may be called from several goroutines at once under Parallel.
	Observe func(scenario string, step int, x Exchange)
	// OnStep, when set, is called as each step starts, from the scenario's goroutine.
	OnStep func(scenario string, index int, st *Step)
}

// prepare checks the configuration and fills in its defaults.
func (cfg *Config) prepare() error {
	if err := cfg.Endpoint.Validate(); err != nil {
		return err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = webhook.DefaultTimeout
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.Client == nil {
		cfg.Client = webhook.NewClient(webhook.WithTimeout(cfg.Timeout))
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.Timeout}
	}
	return nil
}

// RunScenario runs one scenario once, as Run does for each, and reports it. Use it to run
// scenarios under another test runner (see package suite).
func RunScenario(ctx context.Context, sc *Scenario, cfg Config) (*ScenarioResult, error) {
	if err := cfg.prepare(); err != nil {
		return nil, err
	}
	return runScenario(ctx, &cfg, sc, 0), nil
}

// DefaultParallel is how many scenarios run at once unless told otherwise.
const DefaultParallel = 1

// Selected returns the scenarios of the files that the tags select, in order.
func Selected(files []*File, tags []string) []*Scenario {
	var out []*Scenario
	for _, f := range files {
		for _, s := range f.Scenarios {
			if selects(tags, s.Tags) {
				out = append(out, s)
			}
		}
	}
	return out
}

func selects(filter, tags []string) bool {
	include := false
	for _, t := range filter {
		if name, neg := strings.CutPrefix(t, "!"); neg {
			if slices.Contains(tags, name) {
				return false
			}
		} else {
			include = true
		}
	}
	if !include {
		return true
	}
	for _, t := range filter {
		if slices.Contains(tags, t) {
			return true
		}
	}
	return false
}

// CheckNames reports scenario names used in more than one file.
func CheckNames(files []*File) error {
	seen := map[string]Pos{}
	var errs []error
	for _, f := range files {
		for _, s := range f.Scenarios {
			if first, dup := seen[s.Name]; dup {
				errs = append(errs, &Error{Pos: s.Pos, Scenario: s.Name, Msg: fmt.Sprintf("the name is used in %s too: names must be unique across the files of a run", first)})
				continue
			}
			seen[s.Name] = s.Pos
		}
	}
	return errors.Join(errs...)
}

// Run runs the scenarios of files against cfg.Endpoint and reports each one. Failures of the
// app backend are in the report, not in the error, which is for a configuration that cannot run.
// Canceling ctx stops the run; the report then says which scenarios did not finish.
func Run(ctx context.Context, files []*File, cfg Config) (*Report, error) {
	if err := CheckNames(files); err != nil {
		return nil, err
	}
	if err := cfg.prepare(); err != nil {
		return nil, err
	}
	selected := Selected(files, cfg.Tags)
	// A scenario that repeats runs as several, one per iteration.
	type job struct {
		sc   *Scenario
		iter int
		res  *ScenarioResult
	}
	var jobs []*job
	for _, s := range selected {
		n := max(s.Repeat, 1)
		for i := 1; i <= n; i++ {
			it := 0
			if n > 1 {
				it = i
			}
			jobs = append(jobs, &job{sc: s, iter: it})
		}
	}
	rep := &Report{
		Target: cfg.Endpoint.URL, SDKAppID: cfg.Endpoint.SDKAppID, Token: cfg.Endpoint.Token != "",
		Seed: cfg.Seed, Timeout: cfg.Timeout, Parallel: cfg.Parallel, Started: time.Now(),
	}
	for _, f := range files {
		rep.Files = append(rep.Files, f.Path)
		for _, s := range f.Scenarios {
			if !selects(cfg.Tags, s.Tags) {
				rep.Deselected++
			}
		}
	}

	var (
		mu     sync.Mutex
		failed bool
		wg     sync.WaitGroup
		queue  = make(chan *job)
	)
	for range min(cfg.Parallel, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				mu.Lock()
				stop := cfg.FailFast && failed
				mu.Unlock()
				if stop {
					j.res = notRun(j.sc, j.iter, "not run: an earlier scenario failed and --fail-fast is set")
					continue
				}
				j.res = runScenario(ctx, &cfg, j.sc, j.iter)
				if j.res.Status == StatusFailed {
					mu.Lock()
					failed = true
					mu.Unlock()
				}
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	for _, j := range jobs {
		rep.add(*j.res)
	}
	rep.Duration = time.Since(rep.Started)
	return rep, nil
}

func notRun(sc *Scenario, iter int, why string) *ScenarioResult {
	r := newScenarioResult(sc, iter)
	r.Status, r.SkipReason = StatusSkipped, why
	return r
}

func newScenarioResult(sc *Scenario, iter int) *ScenarioResult {
	return &ScenarioResult{Name: sc.Name, Description: sc.Description, Tags: sc.Tags, File: sc.Pos.File, Line: sc.Pos.Line, Iteration: iter}
}

// scenarioSeed derives a scenario's own seed from the run's, so that a scenario sends the same
// values whatever runs beside it.
func scenarioSeed(seed int64, name string, iter int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%d", seed, name, iter)
	return int64(h.Sum64() >> 1)
}

// liveRoom is a room a scenario created: the room model, and its info as JSON for ${ROOM.FIELD}.
type liveRoom struct {
	*room.Room
	fields map[string]any
}

// execution is one run of one scenario.
type execution struct {
	cfg   *Config
	sc    *Scenario
	seed  int64
	gen   *generator.Generator
	rooms map[string]*liveRoom
	last  *liveRoom
}

func runScenario(ctx context.Context, cfg *Config, sc *Scenario, iter int) *ScenarioResult {
	res := newScenarioResult(sc, iter)
	if cfg.Endpoint.Token == "" {
		for i, st := range sc.Steps {
			if p := st.probe(); p != nil && p.Sign.needsToken() {
				return notRun(sc, iter, fmt.Sprintf("needs a callback token (--token): step %d uses sign: %s", i+1, p.Sign))
			}
		}
	}
	seed := scenarioSeed(cfg.Seed, sc.Name, iter)
	x := &execution{
		cfg: cfg, sc: sc, seed: seed, rooms: map[string]*liveRoom{},
		gen: generator.New(seed, generator.WithRoomPrefix(fmt.Sprintf("lh_%x_", uint32(seed)))),
	}
	start := time.Now()
	res.Status = StatusPassed
	for i, st := range sc.Steps {
		sr := StepResult{Index: i + 1, Action: st.Action(), Name: st.Name, Line: st.Pos.Line}
		if res.Status != StatusPassed || ctx.Err() != nil {
			sr.Status = StatusSkipped
			res.Steps = append(res.Steps, sr)
			continue
		}
		if cfg.OnStep != nil {
			cfg.OnStep(sc.Name, i+1, st)
		}
		x.step(ctx, i+1, st, &sr)
		if sr.Status == StatusFailed {
			res.Status = StatusFailed
			res.Failure = fmt.Sprintf("step %d (%s, %s:%d): %s", sr.Index, sr.Action, sc.Pos.File, sr.Line, sr.Failure)
		}
		res.Steps = append(res.Steps, sr)
	}
	if ctx.Err() != nil && res.Status == StatusPassed {
		res.Status, res.SkipReason = StatusSkipped, "interrupted"
	}
	res.Duration = time.Since(start)
	return res
}

// step runs one step and fills in its result.
func (x *execution) step(ctx context.Context, index int, orig *Step, sr *StepResult) {
	st := x.expand(orig)
	start := time.Now()
	defer func() {
		if sr.Latency == 0 {
			sr.Latency = time.Since(start)
		}
		if sr.Status == "" {
			sr.Status = StatusPassed
		}
	}()
	fail := func(format string, args ...any) {
		sr.Status, sr.Failure = StatusFailed, fmt.Sprintf(format, args...)
	}
	switch {
	case st.CreateRoom != nil:
		msg, err := x.createRoom(st.CreateRoom)
		if err != nil {
			fail("create_room: %v", err)
			return
		}
		x.deliver(ctx, index, st, msg, sr)
	case st.ModifyAdmin != nil:
		msg, err := x.modifyAdmin(st.ModifyAdmin)
		if err != nil {
			fail("%v", err)
			return
		}
		x.deliver(ctx, index, st, msg, sr)
	case st.DestroyRoom != nil:
		msg, err := x.destroyRoom(st.DestroyRoom)
		if err != nil {
			fail("%v", err)
			return
		}
		x.deliver(ctx, index, st, msg, sr)
	case st.Wait != nil:
		t := time.NewTimer(time.Duration(*st.Wait))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			fail("interrupted while waiting")
		}
	case st.Send != nil:
		x.send(ctx, index, st, sr)
	case st.Generate != nil:
		x.generate(ctx, index, st, sr)
	case st.Check != nil:
		x.check(ctx, index, st.Check, sr)
	}
}

// expand returns a copy of the step with every ${...} replaced.
func (x *execution) expand(st *Step) *Step {
	fn := func(s string) string {
		if !strings.Contains(s, "${") {
			return s
		}
		return templateRef.ReplaceAllStringFunc(s, func(m string) string {
			return x.resolve(m[2 : len(m)-1])
		})
	}
	return expandCopy(reflect.ValueOf(st), fn).Interface().(*Step)
}

// resolve returns what a reference stands for; the parser has checked that it exists.
func (x *execution) resolve(ref string) string {
	now := time.Now()
	switch ref {
	case "now":
		return strconv.FormatInt(now.Unix(), 10)
	case "now_ms":
		return strconv.FormatInt(now.UnixMilli(), 10)
	case "seed":
		return strconv.FormatInt(x.cfg.Seed, 10)
	}
	head, field, _ := strings.Cut(ref, ".")
	if head == "fake" {
		return x.gen.Faker().Generate("{" + field + "}")
	}
	r := x.rooms[head]
	if r == nil && head == "room" {
		r = x.last
	}
	if r == nil {
		return "${" + ref + "}"
	}
	switch v := r.fields[field].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func expandCopy(v reflect.Value, fn func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		n := reflect.New(v.Type()).Elem()
		n.SetString(fn(v.String()))
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(expandCopy(v.Elem(), fn))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(expandCopy(v.Elem(), fn))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(expandCopy(v.Field(i), fn))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(expandCopy(v.Index(i), fn))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(it.Key(), expandCopy(it.Value(), fn))
		}
		return n
	}
	return v
}

func (x *execution) createRoom(c *CreateRoom) (webhook.Message, error) {
	now := time.Now()
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

func (x *execution) room(name string) (*liveRoom, error) {
	if name == "" {
		return x.last, nil
	}
	r := x.rooms[name]
	if r == nil {
		return nil, fmt.Errorf("room %q was not created", name)
	}
	return r, nil
}

func (x *execution) modifyAdmin(m *ModifyAdmin) (webhook.Message, error) {
	r, err := x.room(m.Room)
	if err != nil {
		return webhook.Message{}, err
	}
	now := time.Now()
	op := orDefault(string(m.Op), webhook.OpTypeAdd)
	accounts := m.Accounts
	var msg webhook.Message
	var changed bool
	if op == webhook.OpTypeAdd {
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
		return msg, fmt.Errorf("modify_admin: %w", err)
	case !changed && op == webhook.OpTypeAdd:
		return msg, fmt.Errorf("modify_admin: %s already admins of room %q, or the room is full: the Live backend reports only changes", strings.Join(accounts, ", "), r.Info.RoomId)
	case !changed:
		return msg, fmt.Errorf("modify_admin: room %q has no admins to remove: add some first", r.Info.RoomId)
	}
	if added := msg.Event.(*webhook.ModifyAdmin).AdminAccount; len(added) != len(slices.Compact(slices.Sorted(slices.Values(accounts)))) {
		return msg, fmt.Errorf("modify_admin: of %s, only %s changed: the others are admins of room %q already", strings.Join(accounts, ", "), strings.Join(added, ", "), r.Info.RoomId)
	}
	return msg, nil
}

func (x *execution) destroyRoom(dr *DestroyRoom) (webhook.Message, error) {
	r, err := x.room(dr.Room)
	if err != nil {
		return webhook.Message{}, err
	}
	if dr.OwnerAsNumber && !isDigits(r.Info.OwnerAccount.ID) {
		return webhook.Message{}, fmt.Errorf("owner_as_number: the room's owner %q is not a number; create the room with owner_as_number too", r.Info.OwnerAccount.ID)
	}
	now := time.Now()
	// The life in whole minutes: the statistic must not depend on how fast the steps ran.
	life := now.Sub(r.Created).Truncate(time.Minute)
	st := x.gen.Statistic(life, r.Info.MaxMemberCount)
	f := dr.Statistic
	set(&st.TotalViewers, f.TotalViewers)
	set(&st.TotalGiftsSent, f.TotalGiftsSent)
	set(&st.TotalGiftCoins, f.TotalGiftCoins)
	set(&st.TotalUniqueGiftSenders, f.TotalUniqueGiftSenders)
	set(&st.TotalLikesReceived, f.TotalLikesReceived)
	msg, err := r.Destroy(room.Destruction{BySystem: dr.By == "system", Operator: dr.Operator, Client: x.meta(&dr.Probe), Statistic: st, At: now})
	if err != nil {
		return msg, fmt.Errorf("destroy_room: %w", err)
	}
	msg.Event.(*webhook.DestroyRoom).RoomInfo.OwnerAccount.Number = dr.OwnerAsNumber || r.Info.OwnerAccount.Number
	return msg, nil
}

func (x *execution) meta(p *Probe) webhook.Meta {
	m := x.gen.Meta()
	if p.ClientIP != "" {
		m.ClientIP = p.ClientIP
	}
	if p.Platform != "" {
		m.OptPlatform = string(p.Platform)
	}
	return m
}

func (x *execution) urlOptions(p *Probe) webhook.URLOptions {
	return webhook.URLOptions{SDKAppID: p.SDKAppID, Signing: p.Sign.signing(), NewParamNames: p.NewParamNames}
}

// deliver encodes the event with the step's modifiers, sends it and checks the answer.
func (x *execution) deliver(ctx context.Context, index int, st *Step, msg webhook.Message, sr *StepResult) {
	p := st.probe()
	req, err := x.cfg.Endpoint.NewRequest(msg, x.urlOptions(p))
	if err == nil && (len(p.Omit) > 0 || len(p.Extra) > 0) {
		req.Body, err = reshape(req.Body, p.Omit, p.Extra)
	}
	if err != nil {
		sr.Status, sr.Failure = StatusFailed, fmt.Sprintf("cannot encode the body: %v", err)
		return
	}
	x.exchange(ctx, index, st, req.Command, req.URL, req.Body, sr)
}

func (x *execution) exchange(ctx context.Context, index int, st *Step, cmd webhook.Command, url string, body []byte, sr *StepResult) bool {
	res := x.cfg.Client.Do(ctx, webhook.Request{Command: cmd, URL: url, Body: body})
	ex := Exchange{
		Command: string(cmd), Method: http.MethodPost, URL: url, RequestBody: string(body),
		Status: res.Answer.Status, ResponseBody: string(res.Body), Outcome: res.Outcome.String(), Latency: res.Latency(),
	}
	if res.Err != nil {
		ex.Error = res.Err.Error()
	}
	sr.Sent++
	sr.Latency = max(sr.Latency, ex.Latency)
	if x.cfg.Observe != nil {
		x.cfg.Observe(x.sc.Name, index, ex)
	}
	if msg := st.Expect.check(&res, x.cfg.Timeout); msg != "" {
		sr.Status, sr.Failure = StatusFailed, msg
		if len(sr.Exchanges) < maxFailedExchanges {
			sr.Exchanges = append(sr.Exchanges, ex)
		}
		return false
	}
	if sr.Sent == 1 {
		sr.Exchanges = append(sr.Exchanges, ex)
	}
	return true
}

// maxFailedExchanges bounds the failing exchanges a generate step keeps for its report.
const maxFailedExchanges = 5

func (x *execution) send(ctx context.Context, index int, st *Step, sr *StepResult) {
	s := st.Send
	cmd := webhook.Command(s.Command)
	var url string
	if s.Query != "" {
		url = webhook.AppendQuery(x.cfg.Endpoint.URL, s.Query)
	} else {
		url = x.cfg.Endpoint.RequestURL(cmd, x.meta(&s.Probe), x.urlOptions(&s.Probe))
	}
	x.exchange(ctx, index, st, cmd, url, []byte(s.Body), sr)
}

// generate sends the events of generated rooms as the generator's traffic model interleaves them,
// as fast as the app backend answers, with times that follow the wall clock at a speed-up.
func (x *execution) generate(ctx context.Context, index int, st *Step, sr *StepResult) {
	g := st.Generate
	seed := x.seed
	if g.Seed != nil {
		seed = *g.Seed
	}
	gen := generator.New(seed, generator.WithRoomPrefix(fmt.Sprintf("lh_g%x_", uint32(seed))))
	stream, err := gen.Stream(generator.Traffic{Rooms: g.Rooms,
		Clock: generator.WallClock(generator.DefaultStart, time.Now(), generateSpeedup)})
	if err != nil {
		sr.Status, sr.Failure = StatusFailed, err.Error()
		return
	}
	failures := 0
	for ev, ok := stream.Next(); ok; ev, ok = stream.Next() {
		if failures >= maxFailedExchanges {
			break // enough to show what is wrong; a stalling receiver would hold the run up
		}
		if ctx.Err() != nil {
			sr.Status, sr.Failure = StatusFailed, fmt.Sprintf("interrupted after %d requests", sr.Sent)
			return
		}
		body, err := webhook.Encode(ev.Event)
		if err != nil {
			sr.Status, sr.Failure = StatusFailed, err.Error()
			return
		}
		url := x.cfg.Endpoint.RequestURL(ev.Event.Command(), ev.Meta, webhook.URLOptions{})
		if !x.exchange(ctx, index, st, ev.Event.Command(), url, body, sr) {
			failures++
		}
	}
	if failures > 0 {
		stopped := ""
		if failures >= maxFailedExchanges {
			stopped = fmt.Sprintf(", then the step stopped short of its %d rooms", g.Rooms)
		}
		sr.Status = StatusFailed
		sr.Failure = fmt.Sprintf("%d of %d requests failed%s; the last: %s", failures, sr.Sent, stopped, sr.Failure)
	}
}

// generateSpeedup is how much faster than the wall clock a generate step's simulated clock runs:
// an hour of rooms takes a second of EventTime.
const generateSpeedup = 3600

// check asks the app backend's own API and compares its answer.
func (x *execution) check(ctx context.Context, index int, c *Check, sr *StepResult) {
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
	fail := func(ex Exchange, format string, args ...any) {
		sr.Status, sr.Failure = StatusFailed, fmt.Sprintf(format, args...)
		sr.Exchanges = append(sr.Exchanges, ex)
	}
	ex := Exchange{Method: method, URL: c.URL, RequestBody: c.Body}
	req, err := http.NewRequestWithContext(ctx, method, c.URL, body)
	if err != nil {
		fail(ex, "check: %v", err)
		return
	}
	for k, v := range c.Headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := x.cfg.HTTPClient.Do(req)
	if err != nil {
		ex.Latency, ex.Error = time.Since(start), err.Error()
		fail(ex, "check %s %s: %v", method, c.URL, err)
		return
	}
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	ex.Latency, ex.Status, ex.ResponseBody = time.Since(start), resp.StatusCode, string(rb)
	sr.Sent++
	sr.Latency = ex.Latency
	if x.cfg.Observe != nil {
		x.cfg.Observe(x.sc.Name, index, ex)
	}
	if err != nil {
		fail(ex, "check: reading the answer: %v", err)
		return
	}
	if want := orDefault(c.Status, http.StatusOK); resp.StatusCode != want {
		fail(ex, "check %s %s: expected HTTP status %d, got %d", method, c.URL, want, resp.StatusCode)
		return
	}
	if len(c.JSON) > 0 {
		var doc any
		d := json.NewDecoder(bytes.NewReader(rb))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			fail(ex, "check %s %s: the answer is not JSON: %v", method, c.URL, err)
			return
		}
		for _, path := range slices.Sorted(mapsKeys(c.JSON)) {
			if msg := matchPath(doc, path, c.JSON[path]); msg != "" {
				fail(ex, "check %s %s: %s", method, c.URL, msg)
				return
			}
		}
	}
	sr.Exchanges = append(sr.Exchanges, ex)
}

// matchPath compares the value at a dotted path (list items by index) with want.
func matchPath(doc any, path string, want any) string {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return fmt.Sprintf("%s: no field %q in the answer", path, part)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return fmt.Sprintf("%s: no item %q in a list of %d", path, part, len(v))
			}
			cur = v[i]
		default:
			return fmt.Sprintf("%s: %q is not inside an object or a list", path, part)
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
	return fmt.Sprintf("%s is %s, expected %s", path, gotJSON, wantJSON)
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

// reshape removes and adds fields of a JSON body by dotted path, keeping numbers exact.
func reshape(body []byte, omit []string, extra map[string]any) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	parent := func(path string) (map[string]any, string) {
		cur := doc
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				return nil, ""
			}
			cur = next
		}
		return cur, parts[len(parts)-1]
	}
	for _, o := range omit {
		if m, k := parent(o); m != nil {
			delete(m, k)
		}
	}
	for _, k := range slices.Sorted(mapsKeys(extra)) {
		m, name := parent(k)
		if m == nil {
			return nil, fmt.Errorf("extra %q: no object to add it to", k)
		}
		m[name] = extra[k]
	}
	return json.Marshal(doc)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func deref[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
