package suite_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/suite"
	"github.com/livehook/livehook/webhook"
)

// The README's CI route, LIVEHOOK_TARGET=... LIVEHOOK_TOKEN=... go test ./suite, against a
// correct backend: the contract runs against it and passes, and livehook's own tests beside it
// pass too, whatever else the environment sets. The package's tests run again in a child, with
// the environment a CI job would give them.
func TestTheCIRoutePassesAgainstACorrectBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the package's tests again")
	}
	const tok = "ci-route-token"
	rv, err := receiver.NewServer(receiver.Config{SDKAppID: webhook.DefaultSDKAppID, Token: tok, LogSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer rv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^(TestSuite|TestFromEnv.*)$", "-test.count=1", "-ginkgo.no-color")
	cmd.Env = hermetic(
		suite.EnvTarget+"="+rv.URL+"/live/webhook", suite.EnvToken+"="+tok, suite.EnvSDKAppID+"=1400000001", suite.EnvSeed+"=11",
		"LIVEHOOK_VAR_undeclared=1", // a variable no file declares is ignored, as FromEnv says
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go test ./suite with %s set to a correct backend: %v\n%s", suite.EnvTarget, err, out.Bytes())
	}
	if !bytes.Contains(out.Bytes(), []byte("PASS")) {
		t.Fatalf("no PASS in:\n%s", out.Bytes())
	}
}
