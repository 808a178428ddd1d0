package webhook_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/livehook/livehook/webhook"
)

func FuzzCheckResponse(f *testing.F) {
	for _, s := range []string{
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`,
		`{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":1}`,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1e0}`,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":-0}`,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":99999999999999999999}`,
		`[]`, `null`, ``, `{`, "\xff", `"\ud800"`,
	} {
		f.Add(200, []byte(s))
	}
	f.Add(500, []byte(`{}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		a := webhook.CheckResponse(status, body)
		if a.Violation == nil {
			if status != http.StatusOK || !a.IsJSON || a.Response.ActionStatus != "OK" || a.Response.ErrorCode != 0 {
				t.Fatalf("accepted %d %q as %+v", status, body, a)
			}
			var r map[string]any
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatalf("accepted a body that is not JSON: %q", body)
			}
		} else if a.Violation.Message == "" {
			t.Fatalf("violation without a message for %d %q", status, body)
		}
	})
}

func FuzzDecodeValidate(f *testing.F) {
	for _, name := range []string{"create_room.json", "modify_admin.json", "destroy_room.json", "destroy_by_system.json",
		"update_room_info.json", "change_owner.json", "set_metadata.json", "del_metadata.json",
		"room_threshold.json", "member_state_changed.json", "seat_info_changed.json", "create_battle.json",
		"start_battle.json", "end_battle.json", "before_send_gift.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":{"Owner_Account":-0}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, cmd := range webhook.EventCommands {
			_ = webhook.ValidateBody(cmd, body)
		}
		_, _ = webhook.CheckOtherBody("Live.CallbackAfterSomethingNew", body)
		ev, err := webhook.Decode(body)
		if err != nil {
			return
		}
		out, err := json.Marshal(ev)
		if err != nil {
			return // e.g. an Extra field holding invalid JSON cannot come from a decode; values can
		}
		back, err := webhook.Decode(out)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v\n%s", err, out)
		}
		if back.Command() != ev.Command() || back.Room() != ev.Room() || back.Time() != ev.Time() {
			t.Fatalf("round trip changed the event: %s", out)
		}
	})
}
