package mockserver

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
)

func (s *Server) serveDeliveries(w http.ResponseWriter, r *http.Request) {
	st, d := s.Deliveries()
	writeJSON(w, map[string]any{"stats": st, "deliveries": d})
}

// inspectedRoom is a room as GET /mock/rooms shows it.
type inspectedRoom struct {
	SDKAppID  uint64   `json:"SdkAppid"`
	RoomInfo  roomInfo `json:"RoomInfo"`
	Admins    []string `json:"Admin_Account"`
	Statistic any      `json:"Statistic"`
	Online    int      `json:"Online"`
}

func (s *Server) serveRooms(w http.ResponseWriter, r *http.Request) {
	out := []inspectedRoom{}
	for _, a := range s.appList() {
		a.mu.Lock()
		for _, id := range slices.Sorted(maps.Keys(a.rooms)) {
			rm := a.rooms[id]
			out = append(out, inspectedRoom{SDKAppID: a.SDKAppID, RoomInfo: infoOf(rm), Admins: append([]string{}, rm.Admins...),
				Statistic: statistic{rm.Statistic(), rm.Messages()}, Online: rm.Online()})
		}
		a.mu.Unlock()
	}
	writeJSON(w, map[string]any{"rooms": out})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
