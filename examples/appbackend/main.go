// Command appbackend is an example app backend for the Live webhooks: it creates rooms through the
// Live REST API, lists them with get_room_list, renames and mutes them with update_room_info, and
// keeps its own copy of them from the webhooks. Run it against the mock backend:
//
//	livehook serve --secret-key example-key &
//	go run ./examples/appbackend --live http://127.0.0.1:9090 --secret-key example-key
//	curl -X POST localhost:8000/rooms -d '{"id":"live_1","name":"evening","owner":"host_1"}'
//	curl -X PATCH localhost:8000/rooms/live_1 -d '{"name":"late show","mute":true}'
//	curl localhost:8000/rooms/live_1
//	curl localhost:8000/rooms
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"

	"github.com/livehook/livehook/webhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to listen on")
	live := flag.String("live", "http://127.0.0.1:9090", "base URL of the Live backend's REST API")
	appID := flag.Uint64("sdkappid", webhook.DefaultSDKAppID, "the app's SDKAppID")
	key := flag.String("secret-key", "livehook-secret-key", "the app's secret key for UserSigs")
	token := flag.String("token", "", "callback token")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	app := NewApp(Config{SDKAppID: *appID, SecretKey: *key, Admin: "administrator", LiveAPI: *live, Token: *token})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler()}
	go func() { _ = srv.Serve(ln) }()
	callback := fmt.Sprintf("http://%s/live/webhook", ln.Addr())
	if err := app.RegisterCallback(ctx, callback); err != nil {
		log.Fatalf("registering the callback with the Live backend: %v", err)
	}
	log.Printf("app backend on http://%s, webhooks at %s", ln.Addr(), callback)
	<-ctx.Done()
	_ = srv.Shutdown(context.Background())
}
