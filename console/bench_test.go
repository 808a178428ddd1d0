package console_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// BenchmarkAnswer measures a webhook's answer through the console's handler with no browser,
// with one browser that stopped reading, with 20 reading the live stream, and with both. A
// stalled browser should cost the answers nothing, since the streams are fed without waiting;
// browsers that read cost the CPU their streams take (here the readers run in the same
// process, on the same cores).
//
//	go test -run X -bench Answer -benchtime 5000x ./console/
//	bash bench/console-answer.sh   # rounds, medians and the ratios to the same run's baseline
func BenchmarkAnswer(b *testing.B) {
	for _, bc := range []struct {
		name             string
		readers, stalled int
	}{
		{"no browser", 0, 0},
		{"1 stalled", 0, 1},
		{"20 reading", 20, 0},
		{"20 reading, 1 stalled", 20, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv, _ := serveConsole(b, receiver.Config{SDKAppID: appID}, console.Options{Addr: "127.0.0.1:0"})
			host := strings.TrimPrefix(srv.URL, "http://")
			for range bc.stalled {
				conn := stalledStream(b, host)
				defer conn.Close()
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range bc.readers {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/console/events", nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				wg.Go(func() {
					defer resp.Body.Close()
					sc := bufio.NewScanner(resp.Body)
					sc.Buffer(nil, 1<<20)
					for sc.Scan() {
					}
				})
			}
			defer func() { cancel(); wg.Wait() }()
			url := srv.URL + "/webhook?" + strings.SplitN(webhookTarget("", webhook.URLOptions{}), "?", 2)[1]
			body := createBody("bench", "bench room")
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			// The tail, beside the mean: a browser that stalls would show in it first.
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}
