package mockserver

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Inspection is the mock's state as its console shows it: each app's rooms, in the order
// get_room_list gives them, with what get_room_info, get_admin_list, get_room_metadata and
// get_room_stats would answer, the app's callback configuration, and how webhooks are
// delivered. It reads the state and changes nothing.
type Inspection struct {
	Apps []InspectedApp `json:"apps"`
	// Delivery is how every webhook is delivered: its deadline, retries and conditions.
	Delivery InspectedDelivery `json:"delivery"`
	// Stats counts the webhooks fired so far and what became of them.
	Stats Stats `json:"stats"`
}

// InspectedApp is one app of an Inspection.
type InspectedApp struct {
	SDKAppID uint64 `json:"SdkAppid"`
	// Callback is nil when the app has no callback configuration (set_callback makes one).
	Callback *InspectedCallback `json:"callback"`
	// Rooms are the first of the app's rooms in get_room_list's order (most viewed first,
	// then by RoomId), rooms that are not publicly visible among them, marked; RoomCount is
	// how many the app has in all.
	Rooms     []InspectedRoom `json:"rooms"`
	RoomCount int             `json:"room_count"`
}

// InspectedCallback is an app's callback configuration, as get_callback answers, and whether
// its webhooks are signed. The token itself is never shown.
type InspectedCallback struct {
	URL      string   `json:"Url"`
	Commands []string `json:"CallbackCommandList"`
	// TokenSet reports that set_callback_token (or --token) gave a token; Signed that it is
	// enabled, so that webhooks carry Sign and RequestTime.
	TokenSet bool `json:"token_set"`
	Signed   bool `json:"signed"`
}

// InspectedRoom is one room of an Inspection.
type InspectedRoom struct {
	RoomInfo  roomInfo               `json:"RoomInfo"`
	Admins    []string               `json:"Admin_Account"`
	Metadata  []webhook.MetadataItem `json:"Metadata"`
	Statistic statistic              `json:"Statistic"`
	Online    int                    `json:"Online"`
	// Listed reports that get_room_list lists the room (IsPublicVisible).
	Listed bool `json:"listed"`
}

// InspectedDelivery is the mock's delivery configuration.
type InspectedDelivery struct {
	Timeout      time.Duration `json:"timeout_ns"`
	Retries      int           `json:"retries"`
	RetryBackoff time.Duration `json:"retry_backoff_ns"`
	Conditions   string        `json:"conditions"`
}

// Inspect returns the mock's state with at most maxRooms rooms per app (all when maxRooms <= 0).
func (s *Server) Inspect(maxRooms int) Inspection {
	out := Inspection{Delivery: InspectedDelivery{Timeout: s.cfg.Timeout, Retries: s.cfg.Retries,
		RetryBackoff: s.cfg.RetryBackoff, Conditions: s.cfg.Delivery.String()}}
	for _, a := range s.appList() {
		out.Apps = append(out.Apps, a.inspect(maxRooms))
	}
	s.log.mu.Lock()
	out.Stats = Stats{Fired: s.log.fired, Acknowledged: s.log.acknowledged, Failed: s.log.failed}
	s.log.mu.Unlock()
	out.Stats.Pending = out.Stats.Fired - out.Stats.Acknowledged - out.Stats.Failed
	return out
}

func (a *app) inspect(maxRooms int) InspectedApp {
	a.mu.Lock()
	defer a.mu.Unlock()
	ia := InspectedApp{SDKAppID: a.SDKAppID, RoomCount: len(a.rooms), Rooms: []InspectedRoom{}}
	if a.callback.exists {
		cb := &InspectedCallback{URL: a.callback.url, Commands: []string{}, TokenSet: a.token.exists, Signed: a.token.signingToken() != ""}
		for _, cmd := range webhook.CallbackCommands {
			if a.callback.commands[cmd] {
				cb.Commands = append(cb.Commands, string(cmd))
			}
		}
		ia.Callback = cb
	}
	type keyed struct {
		k listKey
		r *liveRoom
	}
	// get_room_list's order, descending, over every room; only the first maxRooms are kept,
	// found in one pass (n log maxRooms), since this runs under the app's lock that REST calls
	// wait for, however many rooms a load test made.
	before := func(x, y keyed) int {
		if c := cmp.Compare(y.k.views, x.k.views); c != 0 {
			return c
		}
		return strings.Compare(x.k.id, y.k.id)
	}
	var all []keyed
	for _, r := range a.rooms {
		kr := keyed{listKey{r.ViewCount(), r.Info.RoomId}, r}
		if maxRooms <= 0 || len(all) < maxRooms {
			all = append(all, kr)
			if len(all) == maxRooms {
				slices.SortFunc(all, before)
			}
			continue
		}
		if before(kr, all[len(all)-1]) >= 0 {
			continue // after the last kept
		}
		i, _ := slices.BinarySearchFunc(all, kr, before)
		copy(all[i+1:], all[i:len(all)-1])
		all[i] = kr
	}
	if maxRooms <= 0 || len(all) < maxRooms {
		slices.SortFunc(all, before)
	}
	for _, kr := range all {
		r := kr.r
		ia.Rooms = append(ia.Rooms, InspectedRoom{RoomInfo: infoOf(r), Admins: append([]string{}, r.Admins...),
			Metadata: r.GetMetadata(nil), Statistic: statistic{r.Statistic(), r.Messages()}, Online: r.Online(),
			Listed: r.Info.IsPublicVisible})
	}
	return ia
}
