package load_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"

	"github.com/livehook/livehook/load"
	"github.com/livehook/livehook/webhook"
)

// A short open-model run against a receiver on loopback, judged by thresholds as --threshold
// does. Latencies vary from run to run, so the example prints only counts and verdicts.
func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	}))
	defer srv.Close()

	rep, err := load.Run(context.Background(), load.Config{
		Endpoint: webhook.Endpoint{URL: srv.URL + "/live/webhook", SDKAppID: webhook.DefaultSDKAppID},
		Rate:     200, Count: 60, Seed: 1,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("sent", rep.Sent, "acknowledged", rep.Outcomes[webhook.Acknowledged])
	var cmds []string
	for c, st := range rep.Commands {
		if c != load.All && st.Sent > 0 {
			cmds = append(cmds, c)
		}
	}
	sort.Strings(cmds)
	fmt.Println(cmds)

	var ts []load.Threshold
	for _, s := range []string{"errors<1%", "p99<30s", "rate>=1000000"} {
		t, err := load.ParseThreshold(s)
		if err != nil {
			panic(err)
		}
		ts = append(ts, t)
	}
	fmt.Println(rep.Check(ts))
	for _, r := range rep.Thresholds {
		fmt.Println(r.Expr, r.OK)
	}
	// Output:
	// sent 60 acknowledged 60
	// [CreateRoom DestroyRoom ModifyAdmin]
	// false
	// errors<1% true
	// p99<30s true
	// rate>=1000000 false
}
