package scenarios

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/webhook"
)

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
			panic(err) // the protocol's own types always encode
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

// checkBodyPaths checks that omit and extra name fields, and objects, the command's body has.
func (c *stepCheck) checkBodyPaths(cmd webhook.Command, p *Probe) {
	paths := bodyPaths[cmd]
	for _, o := range p.Omit {
		if !slices.Contains(paths, o) {
			c.errorf("omit: %s has no field %q%s", cmd.Short(), o, text.Suggest(o, paths))
		}
	}
	for k := range p.Extra {
		if parent, _, ok := cutLast(k, "."); ok && !slices.Contains(paths, parent) {
			c.errorf("extra: %q: %s has no object %q to add it to%s", k, cmd.Short(), parent, text.Suggest(parent, paths))
		}
		if k == "" || strings.HasSuffix(k, ".") {
			c.errorf("extra: %q is not a field name", k)
		}
	}
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
