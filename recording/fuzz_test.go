package recording_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/livehook/livehook/recording"
)

func FuzzScanner(f *testing.F) {
	var buf bytes.Buffer
	w := recording.NewWriter(&buf)
	_ = w.Write(entry(1, []byte(`{"a":1}`)))
	_ = w.Write(entry(2, []byte("\xff")))
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-9])
	f.Add([]byte("{\"v\":1,\"method\":\"POST\",\"body\":\"x\",\"body_base64\":\"eA==\"}\n\n{"))
	f.Fuzz(func(t *testing.T, in []byte) {
		sc := recording.NewScanner(bytes.NewReader(in))
		for n := 0; sc.Scan(); n++ {
			if n > len(in) {
				t.Fatal("more entries than bytes")
			}
			e := sc.Entry()
			var out bytes.Buffer
			if err := recording.NewWriter(&out).Write(e); err != nil {
				t.Fatalf("an entry read does not write: %v", err)
			}
			back := recording.NewScanner(&out)
			if !back.Scan() || !bytes.Equal(back.Entry().Body, e.Body) || back.Entry().Query != e.Query {
				t.Fatalf("an entry changed on its way back: %q", out.String())
			}
		}
		if sc.Err() != nil {
			t.Fatal(sc.Err())
		}
	})
}

func FuzzRedactor(f *testing.F) {
	f.Add(seed(f, "destroy_room.json"))
	f.Add(seed(f, "modify_admin.json"))
	f.Add([]byte(`{"A_Account":[1,{"B_Account":"x"}],"RoomName":{"RoomName":"y"}} {"CoverURL":"z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := entry(1, body)
		recording.NewRedactor([]byte("k")).Entry(&e)
		if json.Valid(body) && !json.Valid(e.Body) {
			t.Fatalf("redaction broke the JSON:\n%s\n%s", body, e.Body)
		}
	})
}
