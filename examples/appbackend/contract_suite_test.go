package main

import (
	"net/http/httptest"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/suite"
	"github.com/livehook/livehook/webhook"
)

// This is what a team adds to its own app backend's tests: the Live webhook contract as Ginkgo
// specs against its own handler, plus a spec of its own for the REST → webhook loop.
func TestContract(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "app backend: Live webhook contract")
}

var _ = suite.Register(suite.Config{
	Handler:  NewApp(Config{SDKAppID: webhook.DefaultSDKAppID, Token: "example-token"}).Handler(),
	Path:     "/live/webhook",
	SDKAppID: webhook.DefaultSDKAppID,
	Token:    "example-token",
	Timeout:  contractDeadline,
})

var _ = Describe("rooms created through the Live REST API", func() {
	It("reach the app through the webhooks", func(ctx SpecContext) {
		live := suite.StartMock(mockserver.Config{SecretKey: "example-key"})
		app := NewApp(Config{SDKAppID: webhook.DefaultSDKAppID, SecretKey: "example-key", Admin: "administrator", LiveAPI: live.URL})
		srv := serve(app)
		Expect(app.RegisterCallback(ctx, srv+"/live/webhook")).To(Succeed())

		_, err := app.Call(ctx, "live_engine_http_srv/create_room", map[string]any{"RoomInfo": map[string]any{"RoomId": "live_42", "RoomType": "Live"}})
		Expect(err).NotTo(HaveOccurred())
		ds, err := live.Await(ctx, 1)
		Expect(err).NotTo(HaveOccurred())
		Expect(ds[0]).To(suite.BeAcknowledged())
		_, ok := app.Room("live_42")
		Expect(ok).To(BeTrue())
	})
})

func serve(app *App) string {
	srv := httptest.NewServer(app.Handler())
	DeferCleanup(srv.Close)
	return srv.URL
}
