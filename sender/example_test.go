package sender_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

func ExampleClient_Do() {
	rv, _ := receiver.New(receiver.Config{SDKAppID: 1400000001})
	srv := httptest.NewServer(rv)
	defer srv.Close()

	ev := &webhook.ModifyAdmin{RoomId: "live_1", EventTime: 1703589922780, OperatorAccount: "host_1",
		AdminAccount: []string{"mod_1"}, OpType: webhook.OpTypeAdd}
	body, _ := webhook.Encode(ev)
	e := webhook.Endpoint{URL: srv.URL + "/live/webhook", SDKAppID: 1400000001}
	res := sender.NewClient().Do(context.Background(), webhook.Request{
		Command: ev.Command(),
		URL:     e.RequestURL(ev.Command(), webhook.Meta{}, webhook.URLOptions{}),
		Body:    body,
	})
	fmt.Println(res.Outcome, res.Answer.Status, string(res.Body))
	// Output: acknowledged 200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}
}
