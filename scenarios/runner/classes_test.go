package runner_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

// The classes of defect the contract once missed: values at the protocol's limits, a room's
// identity over time, deliveries of one room in flight together, and authentication that is
// nearly right. Each receiver below breaks one class the way production receivers do; the
// default run (the built-in contract) must fail it in that class's scenarios, and only there.

// failsIn runs the contract against h and checks that the scenarios that failed include every
// one of want and are all among allowed (want, if nil).
func failsIn(t *testing.T, h http.Handler, tok string, want []string, allowed ...string) *report.Report {
	t.Helper()
	g := NewWithT(t)
	rep := run(t, contract(t), start(t, h), tok)
	got := failedNames(rep)
	g.Expect(got).To(ContainElements(want), "the class's scenarios fail")
	g.Expect(got).To(HaveEach(BeElementOf(append(append([]string{}, want...), allowed...))), "and nothing else")
	return rep
}

// roomIDOf is the RoomId of a webhook's body (top level or RoomInfo's).
func roomIDOf(body []byte) string {
	ev, err := webhook.Decode(body)
	if err != nil {
		return ""
	}
	return ev.Room()
}

// refusing refuses a webhook when refuse says why, as an app's database or router would, and
// passes the rest to the reference receiver.
func refusing(t *testing.T, tok string, refuse func(r *http.Request, body []byte) string) http.Handler {
	rv := reference(t, receiver.Config{Token: tok})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if why := refuse(r, body); why != "" {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":`+strconv.Quote(why)+`,"ErrorCode":1}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rv.ServeHTTP(w, r)
	})
}

func TestContractCatchesReceiversBrokenAtTheLimits(t *testing.T) {
	t.Run("a RoomId column of 32 bytes", func(t *testing.T) {
		h := refusing(t, token, func(_ *http.Request, body []byte) string {
			if len(roomIDOf(body)) > 32 {
				return "Data too long for column 'room_id'"
			}
			return ""
		})
		failsIn(t, h, token, []string{"a RoomId of 48 bytes, the longest allowed, is accepted", "the largest body the documented fields make is accepted"},
			"a RoomId of punctuation and spaces, all allowed, is accepted")
	})
	t.Run("a router that takes only [A-Za-z0-9_-] in a RoomId", func(t *testing.T) {
		plain := regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
		h := refusing(t, token, func(_ *http.Request, body []byte) string {
			if !plain.MatchString(roomIDOf(body)) {
				return "no route"
			}
			return ""
		})
		failsIn(t, h, token, []string{"a RoomId of punctuation and spaces, all allowed, is accepted", "the largest body the documented fields make is accepted"})
	})
	t.Run("a MySQL utf8 (three-byte) column for the RoomName", func(t *testing.T) {
		h := refusing(t, token, func(_ *http.Request, body []byte) string {
			var longest int
			for _, r := range string(body) {
				longest = max(longest, utf8.RuneLen(r))
			}
			if longest == 4 && bytes.Contains(body, []byte(`"RoomName"`)) && bytes.Contains(body, []byte("🎸")) {
				return "Incorrect string value: '\\xF0\\x9F\\x8E\\xB8' for column 'room_name'"
			}
			return ""
		})
		failsIn(t, h, token, []string{"a RoomName of 100 bytes of 4-byte UTF-8 is accepted", "the largest body the documented fields make is accepted"})
	})
	t.Run("room for three admins", func(t *testing.T) {
		var mu sync.Mutex
		admins := map[string]map[string]bool{} // an idempotent set per room, with three places
		h := refusing(t, token, func(_ *http.Request, body []byte) string {
			ev, err := webhook.Decode(body)
			if err != nil {
				return ""
			}
			mu.Lock()
			defer mu.Unlock()
			if d, ok := ev.(*webhook.DestroyRoom); ok {
				delete(admins, d.Room())
			}
			m, ok := ev.(*webhook.ModifyAdmin)
			if !ok {
				return ""
			}
			set := admins[m.RoomId]
			if set == nil {
				set = map[string]bool{}
				admins[m.RoomId] = set
			}
			for _, a := range m.AdminAccount {
				if m.OpType == "add" {
					set[a] = true
				} else {
					delete(set, a)
				}
			}
			if len(set) > 3 {
				for _, a := range m.AdminAccount {
					delete(set, a)
				}
				return "admins table full"
			}
			return ""
		})
		failsIn(t, h, token, []string{"the most admins a room may have, with the longest user IDs, are accepted", "the largest body the documented fields make is accepted"},
			// the lifecycles and the generated rooms reach four or five admins too
			"full lifecycle with repeated admin changes", "many generated rooms live and close", "generated lifecycles at once, again and out of order are acknowledged", "webhooks for many rooms at once are each acknowledged",
			"generated lifecycles with overlapping retries are acknowledged")
	})
}

func TestContractCatchesReceiversThatForgetNothing(t *testing.T) {
	again := "a RoomId created again after its destroy is acknowledged"
	t.Run("a tombstone that refuses a RoomId created again", func(t *testing.T) {
		var mu sync.Mutex
		destroyed := map[string]bool{}
		h := refusing(t, token, func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			switch webhook.Command(r.URL.Query().Get("CallbackCommand")) {
			case webhook.CommandDestroyRoom:
				destroyed[id] = true
			case webhook.CommandCreateRoom:
				if destroyed[id] {
					return "room " + id + " was destroyed"
				}
			}
			return ""
		})
		failsIn(t, h, token, []string{again},
			// held-back creations after their destroy are refused too: that is this receiver's defect as well
			"an admin change and a destroy that arrive before their room's creation are acknowledged",
			"generated lifecycles at once, again and out of order are acknowledged")
	})
	t.Run("a unique key on the RoomId that a destroy never frees", func(t *testing.T) {
		var mu sync.Mutex
		rooms := map[string]string{} // RoomId → the body that created it
		h := refusing(t, token, func(r *http.Request, body []byte) string {
			if webhook.Command(r.URL.Query().Get("CallbackCommand")) != webhook.CommandCreateRoom {
				return ""
			}
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			if first, ok := rooms[id]; ok && first != string(body) {
				return "Duplicate entry '" + id + "' for key 'room_id'" // a redelivery of the same creation is an upsert
			}
			rooms[id] = string(body)
			return ""
		})
		failsIn(t, h, token, []string{again})
	})
}

// RoomIds are case-sensitive: receivers that fold case in a RoomId, as a column in a
// case-insensitive collation or a map keyed by strings.ToLower does, mistake one room for another.
func TestContractCatchesReceiversThatFoldCase(t *testing.T) {
	folded := "RoomIds differing only in case are different rooms"
	t.Run("a unique key on the RoomId in a case-insensitive collation", func(t *testing.T) {
		var mu sync.Mutex
		live := map[string]string{} // strings.ToLower(RoomId) → the RoomId of the live row
		h := refusing(t, token, func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			key := strings.ToLower(id)
			switch webhook.Command(r.URL.Query().Get("CallbackCommand")) {
			case webhook.CommandCreateRoom:
				if held, ok := live[key]; ok && held != id {
					return "Duplicate entry '" + id + "' for key 'rooms.room_id'" // a redelivery is an upsert
				}
				live[key] = id
			case webhook.CommandDestroyRoom:
				delete(live, key) // WHERE room_id = ? matches the other case's row too
			}
			return ""
		})
		failsIn(t, h, token, []string{folded})
	})
	t.Run("rooms keyed by strings.ToLower, so one room's changes land on the other", func(t *testing.T) {
		var mu sync.Mutex
		rows := map[string]string{} // strings.ToLower(RoomId) → the RoomId of the row
		h := refusing(t, token, func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			key := strings.ToLower(id)
			switch webhook.Command(r.URL.Query().Get("CallbackCommand")) {
			case webhook.CommandCreateRoom:
				rows[key] = id // an upsert: the other case's row is taken over
			case webhook.CommandModifyAdmin, webhook.CommandDestroyRoom:
				if row, ok := rows[key]; ok && row != id {
					return "room " + id + ": the row found is room " + row
				}
				if webhook.Command(r.URL.Query().Get("CallbackCommand")) == webhook.CommandDestroyRoom {
					delete(rows, key)
				}
			}
			return ""
		})
		failsIn(t, h, token, []string{folded})
	})
	t.Run("the reference receiver, which compares RoomIds byte for byte", func(t *testing.T) {
		g := NewWithT(t)
		rep := run(t, contract(t), start(t, reference(t, receiver.Config{Token: token})), token)
		g.Expect(failedNames(rep)).To(BeEmpty())
		g.Expect(passedNames(rep)).To(ContainElement(folded))
	})
}

func TestContractCatchesReceiversThatRefuseOverlappingDeliveries(t *testing.T) {
	overlap := []string{"a redelivery that overlaps its first delivery is acknowledged", "generated lifecycles with overlapping retries are acknowledged"}
	// Both lock a room while a webhook of it is handled; a second webhook of the same room meanwhile is a conflict.
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter)
	}{
		{"a room lock that answers 409 while held", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"room is being updated","ErrorCode":409}`)
		}},
		{"an in-progress marker that takes the second delivery for a failure", func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"event in progress","ErrorCode":1}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rv := reference(t, receiver.Config{Token: token})
			var mu sync.Mutex
			busy := map[string]bool{}
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				id := roomIDOf(body)
				mu.Lock()
				held := busy[id]
				busy[id] = true
				mu.Unlock()
				if held {
					tc.answer(w)
					return
				}
				defer func() { mu.Lock(); delete(busy, id); mu.Unlock() }()
				// The work that holds the lock: long enough for a second delivery to arrive.
				tm := time.NewTimer(20 * time.Millisecond)
				<-tm.C
				r.Body = io.NopCloser(bytes.NewReader(body))
				rv.ServeHTTP(w, r)
			})
			failsIn(t, h, token, overlap,
				// a duplicate sent after the first was answered meets no lock, but one held back may
				"generated lifecycles at once, again and out of order are acknowledged")
		})
	}
}

func TestContractCatchesNearlyRightAuthentication(t *testing.T) {
	sign := func(tok, t string) string { s := sha256.Sum256([]byte(tok + t)); return hex.EncodeToString(s[:]) }
	// checking wraps the reference receiver, which checks no Sign, with the app's own check.
	checking := func(t *testing.T, ok func(q map[string][]string) bool) http.Handler {
		rv := reference(t, receiver.Config{})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !ok(r.URL.Query()) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"bad Sign","ErrorCode":401}`)
				return
			}
			rv.ServeHTTP(w, r)
		})
	}
	fresh := func(q map[string][]string) bool {
		t, err := strconv.ParseInt(first(q["RequestTime"]), 10, 64)
		return err == nil && time.Since(time.Unix(t, 0)).Abs() <= 60*time.Second
	}
	t.Run("a Sign compared by its first 16 digits", func(t *testing.T) {
		h := checking(t, func(q map[string][]string) bool {
			got := first(q["Sign"])
			return fresh(q) && len(got) >= 16 && got[:16] == sign(token, first(q["RequestTime"]))[:16]
		})
		failsIn(t, h, token, []string{"a Sign wrong only in its last digit is refused", "a truncated Sign is refused"})
	})
	t.Run("a Sign checked for its shape only", func(t *testing.T) {
		hex64 := regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
		h := checking(t, func(q map[string][]string) bool {
			got := first(q["Sign"])
			return fresh(q) && hex64.MatchString(got) && (got == sign(token, first(q["RequestTime"])) || strings.ToUpper(got) == got)
		})
		failsIn(t, h, token, []string{"a wrong Sign of the right length in upper-case hex is refused"})
	})
	t.Run("an SdkAppid checked only when there is one", func(t *testing.T) {
		rv := reference(t, receiver.Config{Token: token})
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if !q.Has("SdkAppid") && !q.Has("SdkAppId") {
				q.Set("SdkAppid", strconv.Itoa(appID)) // "no app named: must be ours"
				r.URL.RawQuery = q.Encode()
			}
			rv.ServeHTTP(w, r)
		})
		failsIn(t, h, token, []string{"a webhook without any SdkAppid is refused"})
	})
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
