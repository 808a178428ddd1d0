package main

import (
	"github.com/livehook/livehook/suite"
	"github.com/livehook/livehook/webhook"
)

// livehook explore as a spec: a fixed seed and budget, drawn from the whole value space and
// every delivery condition, against the app's own handler, with and without a token. The app
// passes: it acknowledges every valid webhook, whatever the RoomId, name, order or repetition.
var _ = suite.Explore(suite.Config{
	Handler:  NewApp(Config{SDKAppID: webhook.DefaultSDKAppID, Token: "example-token"}).Handler(),
	Path:     "/live/webhook",
	SDKAppID: webhook.DefaultSDKAppID,
	Token:    "example-token",
	Seed:     18,
	Timeout:  contractDeadline,
	Text:     "app backend: explored, signed",
}, 150)

var _ = suite.Explore(suite.Config{
	Handler:  NewApp(Config{SDKAppID: webhook.DefaultSDKAppID}).Handler(),
	Path:     "/live/webhook",
	SDKAppID: webhook.DefaultSDKAppID,
	Seed:     19,
	Timeout:  contractDeadline,
	Text:     "app backend: explored, unsigned",
}, 150)
