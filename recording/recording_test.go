package recording_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/recording"
)

func seed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../webhook/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func entry(seq uint64, body []byte) recording.Entry {
	return recording.Entry{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Seq: seq, Method: http.MethodPost, Path: "/live/webhook",
		Query:   "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterDestroyRoom&contenttype=json&ClientIP=203.0.113.9&OptPlatform=iOS&Sign=abc&RequestTime=1700000000",
		Header:  http.Header{"Content-Type": {"application/json; charset=utf-8"}, "User-Agent": {"live"}},
		Body:    body,
		Command: "Live.CallbackAfterDestroyRoom", Room: "tandy-test-rest",
		Verdict: recording.Verdict{Accepted: true, Status: 200},
		Answer:  recording.Answer{From: receiver.FromApp, Status: 200, ContentType: "application/json", Body: []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)},
		App:     &receiver.AppResult{Status: 200, Verdict: "OK/0", Latency: 1500 * time.Microsecond},
	}
}

func readAll(t *testing.T, b []byte) ([]recording.Entry, []recording.Skip, int) {
	t.Helper()
	sc := recording.NewScanner(bytes.NewReader(b))
	var es []recording.Entry
	for sc.Scan() {
		es = append(es, sc.Entry())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	skips, n := sc.Skipped()
	return es, skips, n
}

func TestEntriesRoundTripByteForByte(t *testing.T) {
	g := NewWithT(t)
	bodies := [][]byte{
		seed(t, "destroy_room.json"), // pretty-printed, Owner_Account beyond 2^53
		[]byte(`{"RoomId":"r\u00e9 <&>","Big":123456789012345678901234567890.5e-3}`),
		[]byte("\xff\xfe not UTF-8 \x00"),
		{},
		nil,
	}
	var buf bytes.Buffer
	w := recording.NewWriter(&buf)
	for i, b := range bodies {
		g.Expect(w.Write(entry(uint64(i+1), b))).To(Succeed())
	}
	g.Expect(w.Close()).To(Succeed())
	g.Expect(strings.Count(buf.String(), "\n")).To(Equal(len(bodies)), "one line per entry")
	g.Expect(buf.String()).To(ContainSubstring(`"body":"{\n\"CallbackCommand\"`), "a UTF-8 body reads as text")
	g.Expect(buf.String()).To(ContainSubstring(`"body_base64":"//4gbm90IFVURi04IAA="`))

	es, skips, _ := readAll(t, buf.Bytes())
	g.Expect(skips).To(BeEmpty())
	g.Expect(es).To(HaveLen(len(bodies)))
	for i, e := range es {
		want := entry(uint64(i+1), bodies[i])
		g.Expect(e.Body).To(Equal(want.Body), "entry %d", i)
		if len(bodies[i]) == 0 {
			g.Expect(len(e.Body)).To(BeZero())
			want.Body = e.Body
		}
		g.Expect(e).To(Equal(want))
	}
}

func TestATornLastLineIsReportedAndSkipped(t *testing.T) {
	g := NewWithT(t)
	var buf bytes.Buffer
	w := recording.NewWriter(&buf)
	for i := range 3 {
		g.Expect(w.Write(entry(uint64(i+1), seed(t, "modify_admin.json")))).To(Succeed())
	}
	full := buf.Bytes()
	lastStart := bytes.LastIndexByte(full[:len(full)-1], '\n') + 1
	for cut := lastStart + 1; cut < len(full)-1; cut += 37 {
		es, skips, n := readAll(t, full[:cut])
		g.Expect(es).To(HaveLen(2), "cut at %d", cut)
		g.Expect(n).To(Equal(1))
		g.Expect(skips[0].Line).To(Equal(3))
		g.Expect(skips[0].Reason).To(HavePrefix("torn: the last line ends after"))
	}
	// Only the newline missing: the entry is whole, and read.
	es, _, n := readAll(t, full[:len(full)-1])
	g.Expect(es).To(HaveLen(3))
	g.Expect(n).To(BeZero())
}

func TestAppendingAfterATornLineKeepsItALineOfItsOwn(t *testing.T) {
	g := NewWithT(t)
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := recording.Create(path)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(w.Write(entry(1, seed(t, "modify_admin.json")))).To(Succeed())
	g.Expect(w.Write(entry(2, seed(t, "modify_admin.json")))).To(Succeed())
	g.Expect(w.Close()).To(Succeed())
	g.Expect(w.Close()).To(Succeed(), "Close is idempotent")
	g.Expect(w.Write(entry(3, nil))).To(MatchError(ContainSubstring("closed")))
	b, err := os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(os.WriteFile(path, b[:len(b)-20], 0o600)).To(Succeed()) // killed while writing entry 2

	w, err = recording.Create(path)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(w.Write(entry(3, seed(t, "create_room.json")))).To(Succeed())
	g.Expect(w.Close()).To(Succeed())
	b, err = os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred())
	es, skips, _ := readAll(t, b)
	g.Expect(es).To(HaveLen(2))
	g.Expect([]uint64{es[0].Seq, es[1].Seq}).To(Equal([]uint64{1, 3}))
	g.Expect(skips).To(HaveLen(1))
	g.Expect(skips[0].String()).To(HavePrefix("line 2: not an entry: "))

	st, err := os.Stat(path)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)), "a recording holds what users sent")
}

func TestLinesThatAreNotEntriesAreSkipped(t *testing.T) {
	g := NewWithT(t)
	var buf bytes.Buffer
	g.Expect(recording.NewWriter(&buf).Write(entry(1, nil))).To(Succeed())
	good := buf.String()
	in := good + "\n  \n" + `{"v":2,"method":"POST"}` + "\n" + `{"v":1}` + "\n" + `[1,2]` + "\n" + strings.Repeat("x", recording.MaxLineBytes+10) + "\n" + good
	es, skips, n := readAll(t, []byte(in))
	g.Expect(es).To(HaveLen(2))
	g.Expect(n).To(Equal(4))
	g.Expect(skips[0].String()).To(Equal("line 4: not an entry: format version 2, want 1: written by another livehook version"))
	g.Expect(skips[1].String()).To(Equal("line 5: not an entry: no method: not a delivery"))
	g.Expect(skips[3].String()).To(Equal(fmt.Sprintf("line 7: over %d bytes", recording.MaxLineBytes)))
	g.Expect(es[1].Seq).To(Equal(uint64(1)))
}

func TestConcurrentWritesStayWholeLines(t *testing.T) {
	g := NewWithT(t)
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := recording.Create(path)
	g.Expect(err).NotTo(HaveOccurred())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				_ = w.Write(entry(uint64(i*50+j+1), bytes.Repeat([]byte(`{"a":"b"}`), 1000*(j%3))))
			}
		})
	}
	wg.Wait()
	g.Expect(w.Close()).To(Succeed())
	b, err := os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred())
	es, skips, _ := readAll(t, b)
	g.Expect(skips).To(BeEmpty())
	g.Expect(es).To(HaveLen(400))
}

func TestCreateSaysWhatIsWrong(t *testing.T) {
	_, err := recording.Create(filepath.Join(t.TempDir(), "no", "such", "dir", "rec.jsonl"))
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring("no such file or directory")))
}

func TestEntryFromADelivery(t *testing.T) {
	g := NewWithT(t)
	d := receiver.Delivery{Seq: 4, Method: "POST", Query: "a=b", RawBody: []byte("{}"), Header: http.Header{"Authorization": {"Basic x"}, "Cookie": {"c"}, "Content-Length": {"2"}, "X-Trace": {"t"}},
		Verdict: receiver.Verdict{Accepted: false, Status: 401, ErrorCode: 5, Reason: "Sign does not match"}, Answer: receiver.Answer{From: "receiver", Status: 401, Body: []byte(`{}`)}}
	e := recording.FromDelivery(d)
	g.Expect(e.Header).To(Equal(http.Header{"X-Trace": {"t"}}), "credentials and Content-Length are not recorded")
	g.Expect(e.Verdict).To(Equal(recording.Verdict{Status: 401, ErrorCode: 5, Reason: "Sign does not match"}))
	line, err := json.Marshal(&e)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(line)).NotTo(ContainSubstring("Basic"))
}

type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// A failed write is said once, by Write and by Close alike, and stops the recording.
func TestWriterFailureSaidOnce(t *testing.T) {
	g := NewWithT(t)
	w := recording.NewWriter(fullDisk{})
	err := w.Write(recording.Entry{Seq: 1, Method: "POST"})
	g.Expect(err).To(MatchError("recording: no space left on device"))
	g.Expect(errors.Is(err, syscall.ENOSPC)).To(BeTrue())
	g.Expect(w.Write(recording.Entry{Seq: 2, Method: "POST"})).To(MatchError(err.Error()), "a recording with a hole is not continued")
	g.Expect(w.Close()).To(MatchError("recording: no space left on device"))
}
