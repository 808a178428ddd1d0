package mockserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// callInternal makes one REST call through the handler and returns its Response.
func callInternal(t *testing.T, s *Server, api, body string) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, api+"?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json", strings.NewReader(body)))
	var env struct {
		ActionStatus string
		ErrorInfo    string
		Response     map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.ActionStatus != "OK" {
		t.Fatalf("%s %s: %s (%v)", api, body, rec.Body, err)
	}
	return env.Response
}

// Inspect lists every room in get_room_list's order (the listed ones exactly as get_room_list
// pages them), marks the rooms get_room_list leaves out, bounds the rooms it returns, shows
// metadata, admins and statistics, and the callback configuration without its token.
func TestInspectIsWhatTheAPIsAnswer(t *testing.T) {
	g := NewWithT(t)
	s, err := NewUnstartedServer(Config{SDKAppID: 1400000001, SkipUserSig: true, ActivityRate: 40, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Listener.Close()
	for i := range 12 {
		callInternal(t, s, EnginePrefix+"create_room", fmt.Sprintf(`{"RoomInfo":{"RoomId":"r%02d","RoomType":"Live","IsPublicVisible":%v}}`, i, i != 5))
	}
	s.simulate(context.Background(), time.Second)
	callInternal(t, s, EnginePrefix+"set_room_metadata", `{"RoomId":"r03","Metadata":[{"Key":"topic","Value":"<b>music</b>"}]}`)
	callInternal(t, s, EnginePrefix+"modify_admin", `{"RoomId":"r03","OpType":"add","Admin_Account":["mod_1"]}`)

	in := s.Inspect(0)
	g.Expect(in.Apps).To(HaveLen(1))
	a := in.Apps[0]
	g.Expect(a.RoomCount).To(Equal(12))
	g.Expect(a.Rooms).To(HaveLen(12))
	g.Expect(a.Callback).To(BeNil())

	views := map[int]bool{}
	for i := 1; i < len(a.Rooms); i++ {
		p, r := a.Rooms[i-1].RoomInfo, a.Rooms[i].RoomInfo
		views[r.ViewCount] = true
		g.Expect(p.ViewCount > r.ViewCount || p.ViewCount == r.ViewCount && p.RoomId < r.RoomId).To(BeTrue(),
			"%s (%d views) before %s (%d views)", p.RoomId, p.ViewCount, r.RoomId, r.ViewCount)
	}
	g.Expect(len(views)).To(BeNumerically(">", 2), "the activity gave the rooms too few different view counts for the order to mean anything")

	var listed []string
	for _, r := range a.Rooms {
		g.Expect(r.Listed).To(Equal(r.RoomInfo.RoomId != "r05"), r.RoomInfo.RoomId)
		if r.Listed {
			listed = append(listed, r.RoomInfo.RoomId)
		}
	}
	var paged []string
	for next := "0"; ; {
		resp := callInternal(t, s, EnginePrefix+"get_room_list", fmt.Sprintf(`{"Next":%q,"Count":4}`, next))
		for _, r := range resp["RoomList"].([]any) {
			paged = append(paged, r.(map[string]any)["RoomId"].(string))
		}
		if next = resp["Next"].(string); next == "" {
			break
		}
	}
	g.Expect(listed).To(Equal(paged), "Inspect's order of the listed rooms is not get_room_list's")

	i := slices.IndexFunc(a.Rooms, func(r InspectedRoom) bool { return r.RoomInfo.RoomId == "r03" })
	r03 := a.Rooms[i]
	g.Expect(r03.Admins).To(Equal([]string{"mod_1"}))
	g.Expect(r03.Metadata).To(HaveLen(1))
	g.Expect(r03.Metadata[0].Value).To(Equal("<b>music</b>"))
	stats := callInternal(t, s, EnginePrefix+"get_room_stats", `{"RoomId":"r03"}`)
	g.Expect(float64(r03.Statistic.TotalViewers)).To(Equal(stats["TotalViewers"]))
	g.Expect(float64(r03.Statistic.TotalLikesReceived)).To(Equal(stats["TotalLikesReceived"]))
	g.Expect(r03.Statistic.TotalViewers).To(BeNumerically(">", 0))

	for k := 1; k <= 13; k++ {
		g.Expect(s.Inspect(k).Apps[0].Rooms).To(Equal(a.Rooms[:min(k, 12)]), "the bound %d keeps the first rooms in order", k)
	}
	g.Expect(s.Inspect(5).Apps[0].RoomCount).To(Equal(12))
	g.Expect(s.Inspect(0)).To(Equal(in), "inspecting changed the state")

	callInternal(t, s, ConfigPrefix+"set_callback", `{"Url":"http://127.0.0.1:9/hook","CallbackCommandList":["Live.CallbackAfterDestroyRoom","Live.CallbackAfterCreateRoom"]}`)
	callInternal(t, s, ConfigPrefix+"set_callback_token", `{"Token":"secret-token-xyz","IsTokenEnable":true}`)
	cb := s.Inspect(1).Apps[0].Callback
	g.Expect(cb).NotTo(BeNil())
	g.Expect(cb.URL).To(Equal("http://127.0.0.1:9/hook"))
	g.Expect(cb.Commands).To(Equal([]string{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"}))
	g.Expect(cb.Signed && cb.TokenSet).To(BeTrue())
	b, _ := json.Marshal(s.Inspect(0))
	g.Expect(string(b)).NotTo(ContainSubstring("secret-token-xyz"), "the token is shown")
	callInternal(t, s, ConfigPrefix+"set_callback_token", `{"IsTokenEnable":false}`)
	cb = s.Inspect(1).Apps[0].Callback
	g.Expect(cb.Signed).To(BeFalse())
	g.Expect(cb.TokenSet).To(BeTrue())
}

// BenchmarkInspect is what an open serve console costs each second, under the app's lock that
// REST calls wait for: the first 200 of 100,000 rooms.
//
//	go test -run X -bench Inspect ./mockserver/
func BenchmarkInspect(b *testing.B) {
	s, err := NewUnstartedServer(Config{SDKAppID: 1400000001, SkipUserSig: true, ActivityRate: 5})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Listener.Close()
	h := s.Handler()
	for i := range 100_000 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, EnginePrefix+"create_room?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json",
			strings.NewReader(fmt.Sprintf(`{"RoomInfo":{"RoomId":"r%d","RoomType":"Live"}}`, i))))
	}
	s.simulate(context.Background(), time.Second)
	b.ResetTimer()
	for range b.N {
		if in := s.Inspect(200); len(in.Apps[0].Rooms) != 200 {
			b.Fatal(len(in.Apps[0].Rooms))
		}
	}
}
