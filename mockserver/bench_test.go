package mockserver_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/livehook/livehook/internal/http1"
	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/usersig"
)

// benchCreateDestroy measures create_room + destroy_room pairs per second through the REST API,
// with every webhook delivered to the reference receiver in-process, and the delivery delay's p99.
func benchCreateDestroy(b *testing.B, skipSig bool) {
	// As livehook serve runs: collecting garbage at 5x the live heap (see tuneGC in main).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, LogSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	app := httptest.NewServer(rv)
	defer app.Close()
	s, err := mockserver.NewServer(mockserver.Config{SDKAppID: appID, SecretKey: key, SkipUserSig: skipSig, CallbackURL: app.URL + "/cb", LogSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	// The app's side is livehook's lean transport, so that the figure is the mock's, not the client's.
	client := &http.Client{Transport: http1.New(nil, 256, "")}
	q := url.Values{"sdkappid": {fmt.Sprint(appID)}, "identifier": {admin}, "usersig": {sigFor(b)}, "random": {"1"}, "contenttype": {"json"}}.Encode()
	post := func(api, body string) {
		resp, err := client.Post(s.URL+api+"?"+q, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var buf [256]byte
		m, _ := io.ReadFull(resp.Body, buf[:])
		resp.Body.Close()
		if !bytes.Contains(buf[:m], []byte(`"ErrorCode":0,`)) {
			b.Fatalf("%s: %s", api, buf[:m])
		}
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("bench_%d", n.Add(1))
			post(create, `{"RoomInfo":{"RoomId":"`+id+`","RoomType":"Live"}}`)
			post(destroy, `{"RoomId":"`+id+`"}`)
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ds, err := s.Await(ctx, 2*b.N)
	if err != nil {
		b.Fatal(err)
	}
	s.Close()
	h := hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3)
	for _, d := range ds {
		if !d.Acknowledged {
			b.Fatalf("delivery failed: %+v", d)
		}
		_ = h.RecordValue(max(int64(d.Delay/time.Microsecond), 1))
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pairs/s")
	b.ReportMetric(float64(h.ValueAtQuantile(50))/1000, "delay-p50-ms")
	b.ReportMetric(float64(h.ValueAtQuantile(99))/1000, "delay-p99-ms")
}

func sigFor(b *testing.B) string {
	s, err := usersigGen()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkCreateDestroy(b *testing.B)               { benchCreateDestroy(b, false) }
func BenchmarkCreateDestroyWithoutUserSig(b *testing.B) { benchCreateDestroy(b, true) }

func usersigGen() (string, error) { return usersig.Gen(key, appID, admin, time.Hour, time.Now()) }

// BenchmarkBaselineFourExchanges is the machine's ceiling for a create+destroy pair: the four
// bare HTTP exchanges a pair costs (two REST calls, two webhooks), between a Go client and a Go
// server that do nothing else. Compare pairs/s with it in the same run.
func BenchmarkBaselineFourExchanges(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`))
	}))
	defer srv.Close()
	client := &http.Client{Transport: http1.New(nil, 256, "")}
	body := `{"RoomInfo":{"RoomId":"bench","RoomType":"Live"}}`
	b.SetParallelism(8)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for range 4 {
				resp, err := client.Post(srv.URL+"/x", "application/json", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pairs/s")
}
