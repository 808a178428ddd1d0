package explore_test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

func TestSmoke(t *testing.T) {
	rv, _ := receiver.New(receiver.Config{SDKAppID: 1400000001, Token: "tok"})
	srv := httptest.NewServer(rv)
	defer srv.Close()
	res, err := explore.Explore(context.Background(), explore.Config{Endpoint: webhook.Endpoint{URL: srv.URL + "/webhook", SDKAppID: 1400000001, Token: "tok"}, Seed: 1, Budget: 300})
	if err != nil {
		t.Fatal(err)
	}
	res.WriteText(os.Stdout, "")
}
