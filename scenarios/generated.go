package scenarios

import (
	"fmt"
	"io"
	"math"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/internal/yamlnode"
	"github.com/livehook/livehook/webhook"
)

// GeneratedSummary counts what WriteGenerated wrote.
type GeneratedSummary struct {
	Rooms, Events int
	// Waited sums the waits written: how long the file takes with its scenarios one at a time.
	Waited time.Duration
}

// GeneratedOptions vary what WriteGenerated writes.
type GeneratedOptions struct {
	// Speedup divides the simulated time between a room's events into the waits written between
	// its steps, so that the file replays as the evening it simulates rather than as a burst: 1
	// is real time, generator.DefaultSpeedup an hour in a minute; 0 writes no waits. A wait shorter than a
	// millisecond is left out; one longer than a wait step takes is written as several.
	Speedup float64
}

// WriteGenerated writes the rooms of a stream as a scenarios file, one scenario per room with its
// events in order, each written out in full so that the file replays the same rooms without the
// generator. Scenarios come in the order the rooms close; a room is held in memory only while
// it is open. header is written first as a comment.
func WriteGenerated(w io.Writer, s *generator.Stream, header string, opt GeneratedOptions) (GeneratedSummary, error) {
	var sum GeneratedSummary
	if opt.Speedup < 0 || math.IsNaN(opt.Speedup) || math.IsInf(opt.Speedup, 0) {
		return sum, fmt.Errorf("speed-up is %v: want a positive number, or 0 for no waits", opt.Speedup)
	}
	const order = "Scenarios come in the order their rooms close; \"room N\" is the Nth room to open."
	if _, err := fmt.Fprintf(w, "%s\n# %s\n# %s\n\nscenarios:\n", SchemaComment, header, order); err != nil {
		return sum, err
	}
	open := map[string]*yaml.Node{} // RoomId → its steps, while the room is open
	index := map[string]int{}
	last := map[string]time.Time{} // RoomId → the instant of its latest event, while it is open
	pause := func(id string, at time.Time) {
		if opt.Speedup == 0 {
			return
		}
		d := time.Duration(float64(at.Sub(last[id])) / opt.Speedup).Round(time.Millisecond)
		last[id] = at
		sum.Waited += d
		for d > 0 {
			part := min(d, maxWait)
			n := mapping("wait", part.String())
			n.Style = 0
			open[id].Content = append(open[id].Content, n)
			d -= part
		}
	}
	for ev, ok := s.Next(); ok; ev, ok = s.Next() {
		sum.Events++
		id := ev.Event.Room()
		switch e := ev.Event.(type) {
		case *webhook.CreateRoom:
			sum.Rooms++
			index[id] = sum.Rooms
			open[id] = &yaml.Node{Kind: yaml.SequenceNode}
			open[id].Content = append(open[id].Content, step("create_room", createFields(e, ev.Meta)))
			last[id] = ev.At
		case *webhook.ModifyAdmin:
			fields := mapping("room", "room", "op", e.OpType, "accounts", list(e.AdminAccount), "operator", e.OperatorAccount)
			pause(id, ev.At)
			open[id].Content = append(open[id].Content, step("modify_admin", fields))
		case *webhook.DestroyRoom:
			pause(id, ev.At)
			steps := open[id]
			steps.Content = append(steps.Content, step("destroy_room", destroyFields(e, ev.Meta)))
			delete(open, id)
			sc := mapping("name", fmt.Sprintf("room %d %s", index[id], id), "tags", flowList("generated"), "steps", steps)
			sc.Style = 0
			out, err := yaml.Marshal(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{sc}})
			if err != nil {
				return sum, err
			}
			if _, err := w.Write(indent(out)); err != nil {
				return sum, err
			}
			delete(index, id)
			delete(last, id)
		}
	}
	if sum.Rooms == 0 {
		return sum, fmt.Errorf("the traffic model made no room: raise the rooms, the duration or the rate")
	}
	return sum, nil
}

func createFields(e *webhook.CreateRoom, m webhook.Meta) *yaml.Node {
	r := e.RoomInfo
	info := mapping("RoomId", r.RoomId, "RoomName", r.RoomName, "Owner_Account", r.OwnerAccount.ID,
		"MaxMemberCount", r.MaxMemberCount, "IsMessageDisabled", r.IsMessageDisabled, "CustomInfo", r.CustomInfo,
		"IsSeatEnabled", r.IsSeatEnabled, "TakeSeatMode", r.TakeSeatMode, "MaxSeatCount", r.MaxSeatCount,
		"IsPublicVisible", r.IsPublicVisible, "CoverURL", r.CoverURL, "Category", intList(r.Category))
	return mapping("as", "room", "operator", e.OperatorAccount, "client_ip", m.ClientIP, "platform", m.OptPlatform, "RoomInfo", info)
}

func destroyFields(e *webhook.DestroyRoom, m webhook.Meta) *yaml.Node {
	if e.EventType == webhook.DestroyBySystem {
		return mapping("room", "room", "by", "system", "platform", m.OptPlatform) // a system destroy has no client address
	}
	st := e.Statistic
	stat := mapping("TotalViewers", st.TotalViewers, "TotalGiftsSent", st.TotalGiftsSent, "TotalGiftCoins", st.TotalGiftCoins,
		"TotalUniqueGiftSenders", st.TotalUniqueGiftSenders, "TotalLikesReceived", st.TotalLikesReceived)
	return mapping("room", "room", "by", "user", "operator", e.OperatorAccount, "client_ip", m.ClientIP, "platform", m.OptPlatform, "Statistic", stat)
}

func step(action string, fields *yaml.Node) *yaml.Node {
	n := mapping(action, fields)
	n.Style = 0
	return n
}

// The nodes of the file: package yamlnode's, named as this file uses them.
var (
	mapping = yamlnode.Map
	scalar  = yamlnode.Str
	list    = yamlnode.Strings
	intList = yamlnode.Ints
	value   = yamlnode.Value
)

func flowList(items ...string) *yaml.Node { return list(items) }

// indent shifts a YAML list under the scenarios: key.
func indent(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/20)
	start := true
	for _, c := range b {
		if start {
			out = append(out, ' ', ' ')
		}
		out = append(out, c)
		start = c == '\n'
	}
	return out
}
