package mockserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// A subscriber gets each delivery as it ends; one that never reads drops and counts, and the
// REST calls and their webhooks go on.
func TestSubscribeHandsOverDeliveries(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer app.Close()
	live, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: 1400000001, SkipUserSig: true, CallbackURL: app.URL + "/live/webhook"})
	if err != nil {
		t.Fatal(err)
	}
	wrapped := make(chan struct{}, 1)
	live.Wrap(func(h http.Handler) http.Handler {
		wrapped <- struct{}{}
		return h
	})
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	select {
	case <-wrapped:
	default:
		t.Fatal("Start did not serve the wrapped handler")
	}
	reader := live.Subscribe(8)
	defer reader.Close()
	stalled := live.Subscribe(1)
	defer stalled.Close()
	const n = 5
	for i := range n {
		resp, err := http.Post(live.URL+"/v4/live_engine_http_srv/create_room?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json",
			"application/json", strings.NewReader(`{"RoomInfo":{"RoomId":"live_`+string(rune('a'+i))+`","RoomType":"Live"}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		d := <-reader.C()
		if d.Command != string(webhook.CommandCreateRoom) || d.RoomId != "live_"+string(rune('a'+i)) || !d.Acknowledged {
			t.Fatalf("delivery %d: %+v", i, d)
		}
	}
	live.Close() // every delivery has ended, and been handed to every subscriber
	if stalled.Dropped() != n-1 || reader.Dropped() != 0 {
		t.Fatalf("dropped: stalled %d (want %d), reader %d (want 0)", stalled.Dropped(), n-1, reader.Dropped())
	}
}
