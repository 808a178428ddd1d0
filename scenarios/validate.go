package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/brianvoe/gofakeit/v6"
	"gopkg.in/yaml.v3"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// Limits on scenario values.
const (
	maxRepeat        = 10_000
	maxGenerateRooms = 100_000
)

// templateRef matches a ${...} reference.
var templateRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// bodyPaths are the dotted paths of each command's body, for omit and extra.
var bodyPaths = func() map[webhook.Command][]string {
	full := []webhook.Event{
		&webhook.CreateRoom{EventTime: 1, RoomInfo: webhook.RoomInfo{Category: []int{1}}},
		&webhook.ModifyAdmin{},
		&webhook.DestroyRoom{RoomInfo: webhook.DestroyedRoomInfo{RoomId: "r", Category: []int{1}}, Statistic: &webhook.Statistic{}},
	}
	out := map[webhook.Command][]string{}
	for _, ev := range full {
		b, err := webhook.Encode(ev)
		if err != nil {
			panic(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			panic(err)
		}
		out[ev.Command()] = flattenKeys("", m)
	}
	return out
}()

func flattenKeys(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		out = append(out, prefix+k)
		if sub, ok := v.(map[string]any); ok {
			out = append(out, flattenKeys(prefix+k+".", sub)...)
		}
	}
	slices.Sort(out)
	return out
}

// roomFields are the names ${ROOM.FIELD} may use.
var roomFields = func() []string {
	b, _ := json.Marshal(webhook.RoomInfo{})
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return slices.Sorted(mapsKeys(m))
}()

// validateFile checks what the types alone cannot: unique names, room references, templates,
// limits. Positions point at the scenario or step at fault.
func (d *decoder) validateFile(f *File) {
	if len(f.Scenarios) == 0 {
		d.errs = append(d.errs, &Error{Pos: Pos{File: d.file, Line: 1, Column: 1}, Msg: "no scenarios: add a scenarios: list (see the README)"})
		return
	}
	names := map[string]Pos{}
	for _, s := range f.Scenarios {
		d.scenario = s.Name
		at := &yaml.Node{Line: s.Pos.Line, Column: s.Pos.Column}
		switch first, dup := names[s.Name]; {
		case s.Name == "":
			d.errorf(at, "scenario has no name: add name: to it")
		case dup:
			d.errorf(at, "scenario name %q is used twice (first at line %d): names must be unique", s.Name, first.Line)
		default:
			names[s.Name] = s.Pos
		}
		if s.Repeat < 0 || s.Repeat > maxRepeat {
			d.errorf(at, "repeat is %d: want 0 to %d", s.Repeat, maxRepeat)
		}
		if len(s.Steps) == 0 {
			d.errorf(at, "no steps: add a steps: list")
		}
		d.validateSteps(s)
		d.scenario = ""
	}
}

func (d *decoder) validateSteps(s *Scenario) {
	defined := map[string]bool{}
	created := false
	for i, st := range s.Steps {
		d.step = i + 1
		at := &yaml.Node{Line: st.Pos.Line, Column: st.Pos.Column}
		action := st.Action()
		roomRef := func(name string) {
			switch {
			case name != "" && !defined[name]:
				d.errorf(at, "%s: room %q is not created in an earlier step%s", action, name, Suggest(name, slices.Sorted(mapsKeys(defined))))
			case name == "" && !created:
				d.errorf(at, "%s needs a room: add a create_room step before it", action)
			}
		}
		switch action {
		case "create_room":
			c := st.CreateRoom
			if id := c.RoomInfo.RoomId; id != nil && !strings.Contains(*id, "${") && len(*id) > room.MaxRoomIDBytes {
				d.errorf(at, "create_room: RoomInfo.RoomId is %d bytes, at most %d are allowed", len(*id), room.MaxRoomIDBytes)
			}
			if o := c.RoomInfo.OwnerAccount; c.OwnerAsNumber && o != nil && !strings.Contains(*o, "${") && !isDigits(*o) {
				d.errorf(at, "create_room: owner_as_number needs a numeric Owner_Account, got %q", *o)
			}
			d.checkBodyPaths(at, webhook.CommandCreateRoom, &c.Probe)
		case "modify_admin":
			roomRef(st.ModifyAdmin.Room)
			if st.ModifyAdmin.OwnerAsNumber {
				d.errorf(at, "modify_admin: owner_as_number does not apply: this webhook carries no Owner_Account")
			}
			if len(st.ModifyAdmin.Accounts) > room.MaxAdmins {
				d.errorf(at, "modify_admin: %d accounts, but a room has at most %d admins", len(st.ModifyAdmin.Accounts), room.MaxAdmins)
			}
			d.checkBodyPaths(at, webhook.CommandModifyAdmin, &st.ModifyAdmin.Probe)
		case "destroy_room":
			roomRef(st.DestroyRoom.Room)
			d.checkBodyPaths(at, webhook.CommandDestroyRoom, &st.DestroyRoom.Probe)
		case "send":
			if st.Send.Command == "" {
				d.errorf(at, "send: command is missing, e.g. command: %s", webhook.CommandCreateRoom)
			}
			if st.Send.OwnerAsNumber || len(st.Send.Omit) > 0 || len(st.Send.Extra) > 0 {
				d.errorf(at, "send: owner_as_number, omit and extra do not apply: write the body as you want it")
			}
		case "generate":
			if g := st.Generate; g.Rooms < 1 || g.Rooms > maxGenerateRooms {
				d.errorf(at, "generate: rooms is %d: want 1 to %d", g.Rooms, maxGenerateRooms)
			}
		case "check":
			c := st.Check
			if c.URL == "" {
				d.errorf(at, "check: url is missing: the address of your app backend's API to ask")
			}
			if c.Method != "" && !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}, c.Method) {
				d.errorf(at, "check: method %q: want GET, POST, PUT, PATCH, DELETE or HEAD", c.Method)
			}
			if c.Status != 0 && http.StatusText(c.Status) == "" {
				d.errorf(at, "check: status %d is not an HTTP status", c.Status)
			}
		}
		if st.Expect != nil && st.probe() == nil {
			d.errorf(at, "expect applies to webhook steps, not to %s", action)
		}
		if p := st.probe(); p != nil && p.Sign != "" && action == "send" && st.Send.Query != "" {
			d.errorf(at, "send: sign does not apply when query is given: put Sign and RequestTime in the query")
		}
		d.checkTemplates(at, st, defined, created)
		if action == "create_room" {
			created = true
			if as := st.CreateRoom.As; as != "" {
				if strings.ContainsAny(as, ".${} ") {
					d.errorf(at, "create_room: as %q: use a plain name such as room or vip", as)
				}
				defined[as] = true
			}
		}
	}
	d.step = 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (d *decoder) checkBodyPaths(at *yaml.Node, cmd webhook.Command, p *Probe) {
	paths := bodyPaths[cmd]
	for _, o := range p.Omit {
		if !slices.Contains(paths, o) {
			d.errorf(at, "omit: %s has no field %q%s", cmd.Short(), o, Suggest(o, paths))
		}
	}
	for k := range p.Extra {
		if parent, _, ok := cutLast(k, "."); ok && !slices.Contains(paths, parent) {
			d.errorf(at, "extra: %q: %s has no object %q to add it to%s", k, cmd.Short(), parent, Suggest(parent, paths))
		}
		if k == "" || strings.HasSuffix(k, ".") {
			d.errorf(at, "extra: %q is not a field name", k)
		}
	}
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// checkTemplates checks every ${...} in the step's strings.
func (d *decoder) checkTemplates(at *yaml.Node, st *Step, defined map[string]bool, created bool) {
	walkStrings(reflect.ValueOf(st).Elem(), func(s string) {
		for _, m := range templateRef.FindAllStringSubmatch(s, -1) {
			if msg := checkRef(m[1], defined, created); msg != "" {
				d.errorf(at, "%s: %s", m[0], msg)
			}
		}
	})
}

// checkRef returns what is wrong with a reference, or "".
func checkRef(ref string, defined map[string]bool, created bool) string {
	head, field, dotted := strings.Cut(ref, ".")
	switch {
	case ref == "now" || ref == "now_ms" || ref == "seed":
		return ""
	case head == "fake" && dotted:
		if gofakeit.GetFuncLookup(field) == nil {
			return fmt.Sprintf("unknown fake data %q%s (gofakeit's names: username, name, email, uuid, ...)", field, Suggest(field, fakeNames()))
		}
		return ""
	case head == "vars":
		return "" // already replaced, or reported, when the file was read
	case !dotted:
		return fmt.Sprintf("unknown reference: want now, now_ms, seed, vars.NAME, fake.NAME or ROOM.FIELD%s", Suggest(ref, []string{"now", "now_ms", "seed"}))
	case head == "room" && !defined["room"]:
		if !created {
			return "no room is created before this step"
		}
	case !defined[head]:
		names := slices.Sorted(mapsKeys(defined))
		if created {
			names = append(names, "room")
		}
		return fmt.Sprintf("room %q is not created in an earlier step%s", head, Suggest(head, names))
	}
	if !slices.Contains(roomFields, field) {
		return fmt.Sprintf("a room has no field %q%s", field, Suggest(field, roomFields))
	}
	return ""
}

var fakeNames = sync.OnceValue(func() []string {
	return slices.Sorted(mapsKeys(gofakeit.FuncLookups))
})

// walkStrings calls fn with every string reachable from v.
func walkStrings(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), fn)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			walkStrings(it.Value(), fn)
		}
	}
}
