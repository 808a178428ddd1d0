package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/livehook/livehook/mockserver"
)

func FuzzREST(f *testing.F) {
	f.Add("create_room", "sdkappid=1400000001&identifier=admin", []byte(`{"RoomInfo":{"RoomId":"r","RoomType":"Live"}}`))
	f.Add("modify_admin", "sdkappid=1400000001&identifier=admin", []byte(`{"RoomId":"r","Admin_Account":["a"],"OpType":"add"}`))
	f.Add("destroy_room", "sdkappid=1400000001&identifier=admin&random=99", []byte(`{"RoomId":"r"}`))
	f.Add("set_callback", "sdkappid=1400000001&identifier=admin", []byte(`{"Url":"http://127.0.0.1:1/x"}`))
	f.Add("get_room_info", "sdkappid=1&usersig=eJw", []byte(`{`))
	s, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	f.Fuzz(func(t *testing.T, api, query string, body []byte) {
		prefix := mockserver.EnginePrefix
		if api == "set_callback" || api == "set_callback_token" {
			return // a fuzzed callback URL would send webhooks off this machine
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.URL.Path = prefix + api
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var env mockserver.Envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("answer is not the envelope: %q", rec.Body)
		}
		if env.ActionStatus == "FAIL" && (env.ErrorCode == 0 || env.ErrorInfo == "") {
			t.Fatalf("a FAIL without a code or a reason: %q", rec.Body)
		}
		if env.ActionStatus != "OK" && env.ActionStatus != "FAIL" {
			t.Fatalf("ActionStatus %q", env.ActionStatus)
		}
	})
}
