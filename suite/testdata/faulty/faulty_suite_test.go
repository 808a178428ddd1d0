// Package faulty_test is a user's suite whose handler has the defect named by $FAULT; the suite
// package's own specs run it and check which specs fail, and why.
package faulty_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/suite"
	"github.com/livehook/livehook/webhook"
)

const token = "fixture-token"

func TestFaulty(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "faulty handler: "+os.Getenv("FAULT"))
}

func handler(fault string) http.Handler {
	cfg := receiver.Config{SDKAppID: webhook.DefaultSDKAppID, Token: token}
	if fault == "no-sign-check" {
		cfg.Token = ""
	}
	rv, err := receiver.New(cfg)
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		switch fault {
		case "not-found": // a wrong path: everything is refused, valid webhooks too
			http.NotFound(w, r)
			return
		case "foreign-appid": // takes any SdkAppid
			q := r.URL.Query()
			if q.Has("SdkAppid") {
				q.Set("SdkAppid", "1400000001")
				r.URL.RawQuery = q.Encode()
			}
		case "errorcode-string":
			rec := httptest.NewRecorder()
			rv.ServeHTTP(rec, r)
			if rec.Code == 200 {
				_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`)
				return
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		case "owner-string-only":
			var v struct {
				RoomInfo struct{ Owner_Account string }
			}
			if json.Unmarshal(body, &v) != nil {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"bad body","ErrorCode":400}`)
				return
			}
		}
		rv.ServeHTTP(w, r)
	})
}

// config is the suite's: this handler, unless LIVEHOOK_TARGET names another endpoint.
func config() suite.Config {
	cfg, err := suite.FromEnv(suite.Config{Handler: handler(os.Getenv("FAULT")), Path: "/live/webhook", Token: token, Seed: 1, Timeout: time.Second})
	if err != nil {
		panic(err)
	}
	return cfg
}

var _ = suite.Register(config()) // registerLine: the suite's specs expect failures to point here
