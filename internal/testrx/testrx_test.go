package testrx_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livehook/livehook/internal/testrx"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

const token = "testrx-token"

var client = webhook.Meta{ClientIP: "203.0.113.7", OptPlatform: "Android"}

// delivery is one webhook as sent: the message and how its URL is signed.
type delivery struct {
	msg webhook.Message
	opt webhook.URLOptions
}

func (d delivery) request(t *testing.T) *http.Request {
	t.Helper()
	ep := webhook.Endpoint{URL: "http://127.0.0.1/webhook", SDKAppID: testrx.AppID, Token: token}
	req, err := ep.NewRequest(d.msg, d.opt)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, req.URL, bytes.NewReader(req.Body))
	r.Header.Set("Content-Type", webhook.ContentType)
	return r
}

// answer is what h answers to d, and whether it is an acknowledgement.
func answer(t *testing.T, h http.Handler, d delivery) (string, bool) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, d.request(t))
	return fmt.Sprintf("HTTP %d %s", rec.Code, rec.Body), rec.Code == http.StatusOK && bytes.Equal(rec.Body.Bytes(), webhook.Acknowledgement)
}

// differ says whether one of got and want acknowledges and the other does not, and logs how.
func differ(t *testing.T, got string, gotOK bool, want string, wantOK bool) bool {
	if gotOK == wantOK {
		return false
	}
	t.Logf("answers %s where the reference receiver answers %s", got, want)
	return true
}

// lifecycle is the webhooks of a room created with info, given admins, destroyed.
func lifecycle(t *testing.T, info webhook.RoomInfo, admins ...string) []delivery {
	t.Helper()
	at := time.Now()
	info.RoomType = webhook.RoomTypeLive
	info.TakeSeatMode = "FreeToTake"
	info.Category = []int{}
	info.OwnerAccount.ID = "host_1"
	rm, created, err := room.Create(info, "", client, at)
	if err != nil {
		t.Fatal(err)
	}
	out := []delivery{{msg: created}}
	if len(admins) > 0 {
		added, _, err := rm.AddAdmins("", admins, at.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, delivery{msg: added})
	}
	destroyed, err := rm.Destroy(room.Destruction{At: at.Add(2 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	return append(out, delivery{msg: destroyed})
}

func created(t *testing.T, id string) delivery { return lifecycle(t, webhook.RoomInfo{RoomId: id})[0] }

// witnesses are, by broken receiver, webhooks on which it answers otherwise than the reference
// receiver does; together: the last two are sent at once, the last while the first is handled.
var witnesses = map[string]struct {
	deliveries func(t *testing.T) []delivery
	together   bool
}{
	"a RoomId column of 32 bytes":                        {deliveries: func(t *testing.T) []delivery { return []delivery{created(t, strings.Repeat("r", 40))} }},
	"a router that takes only [A-Za-z0-9_-] in a RoomId": {deliveries: func(t *testing.T) []delivery { return []delivery{created(t, "room 1")} }},
	"a MySQL utf8 (three-byte) column for the RoomName": {deliveries: func(t *testing.T) []delivery {
		return lifecycle(t, webhook.RoomInfo{RoomId: "r1", RoomName: "🎸"})
	}},
	"room for three admins": {deliveries: func(t *testing.T) []delivery {
		return lifecycle(t, webhook.RoomInfo{RoomId: "r1"}, "a1", "a2", "a3", "a4")
	}},
	"an OptPlatform ENUM column written before the desktop clients": {deliveries: func(t *testing.T) []delivery {
		d := created(t, "r1")
		d.msg.Meta.OptPlatform = "Windows"
		return []delivery{d}
	}},
	"a tombstone that refuses a RoomId created again": {deliveries: func(t *testing.T) []delivery {
		return append(lifecycle(t, webhook.RoomInfo{RoomId: "r1"}), created(t, "r1"))
	}},
	"a unique key on the RoomId that a destroy never frees": {deliveries: func(t *testing.T) []delivery {
		return append(lifecycle(t, webhook.RoomInfo{RoomId: "r1", RoomName: "first"}), lifecycle(t, webhook.RoomInfo{RoomId: "r1", RoomName: "again"})...)
	}},
	"a unique key on the RoomId in a case-insensitive collation": {deliveries: func(t *testing.T) []delivery {
		return []delivery{created(t, "Room1"), created(t, "room1")}
	}},
	"rooms keyed by strings.ToLower, so one room's changes land on the other": {deliveries: func(t *testing.T) []delivery {
		lower := lifecycle(t, webhook.RoomInfo{RoomId: "room1"})
		return []delivery{lower[0], created(t, "Room1"), lower[1]}
	}},
	"a room lock that answers 409 while held": {together: true, deliveries: func(t *testing.T) []delivery {
		d := created(t, "r1")
		return []delivery{d, d}
	}},
	"an in-progress marker that takes the second delivery for a failure": {together: true, deliveries: func(t *testing.T) []delivery {
		d := created(t, "r1")
		return []delivery{d, d}
	}},
	"a Sign compared by its first 16 digits": {deliveries: func(t *testing.T) []delivery {
		d := created(t, "r1")
		d.opt.Signing = webhook.SignWrongTail
		return []delivery{d}
	}},
	"a Sign checked for its shape, or as upper case": {deliveries: func(t *testing.T) []delivery {
		d := created(t, "r1")
		d.opt.Signing = webhook.SignWrongUpper
		return []delivery{d}
	}},
	"an SdkAppid checked only when there is one": {deliveries: func(t *testing.T) []delivery {
		d := created(t, "r1")
		d.opt.NoSDKAppID = true
		return []delivery{d}
	}},
}

// signalling is a request body that says when it has been read to its end.
type signalling struct {
	*bytes.Reader
	once sync.Once
	read chan struct{}
}

func (s *signalling) Read(p []byte) (int, error) {
	n, err := s.Reader.Read(p)
	if err != nil {
		s.once.Do(func() { close(s.read) })
	}
	return n, err
}

func (s *signalling) Close() error { return nil }

// Each broken receiver answers otherwise than the reference receiver to at least one webhook,
// so that what the suites fail in it is its defect, and each has a witness here.
func TestEachBrokenReceiverDiffersFromTheReference(t *testing.T) {
	reference := func(tok string) http.Handler { return testrx.Reference(t, receiver.Config{Token: tok}) }
	for _, b := range testrx.BrokenReceivers {
		t.Run(b.Name, func(t *testing.T) {
			w, ok := witnesses[b.Name]
			if !ok {
				t.Fatalf("no witness for %q", b.Name)
			}
			ds := w.deliveries(t)
			ref := reference(token)
			if !w.together {
				h := b.New(reference, token)
				for _, d := range ds {
					got, gotOK := answer(t, h, d)
					if want, wantOK := answer(t, ref, d); differ(t, got, gotOK, want, wantOK) {
						return
					}
				}
				t.Fatal("acknowledges what the reference receiver acknowledges, and only that, of every webhook of its witness")
			}
			// The second delivery is sent once the first's body is read, while the first is
			// handled; a few tries, as the goroutines' order is the scheduler's.
			for range 20 {
				h := b.New(reference, token)
				first, second := ds[len(ds)-2], ds[len(ds)-1]
				r := first.request(t)
				body := &signalling{Reader: bytes.NewReader(mustRead(t, r)), read: make(chan struct{})}
				r.Body = body
				done := make(chan struct{})
				go func() {
					defer close(done)
					h.ServeHTTP(httptest.NewRecorder(), r)
				}()
				<-body.read
				got, gotOK := answer(t, h, second)
				<-done
				if want, wantOK := answer(t, ref, second); differ(t, got, gotOK, want, wantOK) {
					return
				}
			}
			t.Fatal("acknowledges as the reference receiver does a delivery while another of its room is handled, 20 times")
		})
	}
	for name := range witnesses {
		found := false
		for _, b := range testrx.BrokenReceivers {
			found = found || b.Name == name
		}
		if !found {
			t.Errorf("a witness for %q, which is not among testrx.BrokenReceivers", name)
		}
	}
}

func mustRead(t *testing.T, r *http.Request) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := b.ReadFrom(r.Body); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
