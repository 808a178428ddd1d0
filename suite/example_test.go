package suite_test

import (
	"context"
	"fmt"
	"time"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/suite"
	"github.com/livehook/livehook/webhook"
)

// The matchers judge what became of a webhook, in a Ginkgo spec as here outside one: the
// reference receiver acknowledges a creation for its app and refuses one for a foreign app.
func ExampleBeAcknowledged() {
	rv, err := receiver.NewServer(receiver.Config{SDKAppID: webhook.DefaultSDKAppID, LogSize: -1})
	if err != nil {
		panic(err)
	}
	defer rv.Close()

	ev := &webhook.CreateRoom{OperatorAccount: "host_1", EventTime: 1767988800000, RoomInfo: webhook.RoomInfo{
		RoomId: "live_1", RoomType: webhook.RoomTypeLive, OwnerAccount: webhook.Account{ID: "host_1"}, CreateTime: 1767988800,
		MaxMemberCount: 100, MaxSeatCount: 8, TakeSeatMode: "ApplyToTake", IsSeatEnabled: true, Category: []int{}}}
	meta := webhook.Meta{ClientIP: "10.0.0.1", OptPlatform: "iOS"}
	ours := webhook.Endpoint{URL: rv.URL + "/webhook", SDKAppID: webhook.DefaultSDKAppID}
	foreign := webhook.Endpoint{URL: rv.URL + "/webhook", SDKAppID: 1400999999}

	res := suite.Deliver(context.Background(), ours, ev, meta)
	acknowledged, _ := suite.BeAcknowledged().Match(res)
	inTime, _ := suite.RespondWithin(2 * time.Second).Match(res)
	fmt.Println(res.Outcome, acknowledged, inTime)

	res = suite.Deliver(context.Background(), foreign, ev, meta)
	acknowledged, _ = suite.BeAcknowledged().Match(res)
	rejected, _ := suite.BeRejected().Match(res)
	fmt.Println(res.Answer.Status, acknowledged, rejected)
	// Output:
	// acknowledged true true
	// 403 false true
}
