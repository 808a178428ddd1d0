package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const jobPath = "k8s/load-job.yaml"

// readJob decodes a manifest strictly into the real batch/v1 Job type (an unknown or duplicate
// field is an error, as kubectl apply --validate=strict makes it) and checks what a sharded load
// run needs: one pod per shard, all at once, none retried, the report on standard output.
func readJob(data []byte) (*batchv1.Job, error) {
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(data, &job); err != nil {
		return nil, fmt.Errorf("%s: %w", jobPath, err)
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		bad("apiVersion %q kind %q, want batch/v1 Job", job.APIVersion, job.Kind)
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		bad("spec.completionMode must be Indexed: each pod runs the shard of its index")
	}
	if s.Completions == nil || *s.Completions < 1 {
		bad("spec.completions must be the number of shards")
	} else if s.Parallelism == nil || *s.Parallelism != *s.Completions {
		bad("spec.parallelism must equal spec.completions: the shards share one schedule and run at once")
	}
	if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex != 0 {
		bad("spec.backoffLimitPerIndex must be 0: a shard run again later would skew the merged timeline")
	}
	if s.MaxFailedIndexes == nil || *s.MaxFailedIndexes != 0 {
		bad("spec.maxFailedIndexes must be 0: a run with a failed shard is void, so stop the others")
	}
	if s.BackoffLimit != nil {
		bad("spec.backoffLimit is set: with backoffLimitPerIndex it only confuses")
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		bad("the pod's restartPolicy must be Never (backoffLimitPerIndex needs it, and a restarted shard would send its part twice)")
	}
	if len(pod.Volumes) > 0 {
		bad("the pod mounts volumes: the shards' reports go to standard output, so none is needed (pods on different nodes cannot share a ReadWriteOnce volume)")
	}
	if len(pod.Containers) != 1 {
		bad("the pod has %d containers, want 1 (kubectl logs then needs no -c)", len(pod.Containers))
		return &job, errors.Join(errs...)
	}
	c := pod.Containers[0]
	if c.Image == "" {
		bad("the container has no image")
	}
	if len(c.Command) > 0 {
		bad("the container sets command %q: the image's entrypoint is livehook, give only args", c.Command)
	}
	args := map[string]string{}
	for _, a := range c.Args {
		k, v, _ := strings.Cut(a, "=")
		args[k] = v
	}
	if len(c.Args) == 0 || c.Args[0] != "load" {
		bad("args must start with load")
	}
	if args["--json"] != "-" {
		bad("args need --json=-: the report goes to standard output, which kubectl logs collects")
	}
	if _, ok := args["-q"]; !ok {
		bad("args need -q: the text report would go to standard error, which kubectl logs mixes into the report")
	}
	if _, ok := args["--threshold"]; ok {
		bad("args set --threshold: a shard's own figures are not the run's; judge the merged report")
	}
	if _, ok := args["--seed"]; !ok {
		bad("args need --seed: every shard must cut the same schedule")
	}
	if s.Completions != nil {
		if want := fmt.Sprintf("$(JOB_COMPLETION_INDEX)/%d", *s.Completions); args["--shard"] != want {
			bad("args need --shard=%s (the index of the pod, out of spec.completions), have %q", want, args["--shard"])
		}
	}
	return &job, errors.Join(errs...)
}

// expand replaces $(NAME) by env[NAME] as the kubelet does in args ($$ stays a $); a reference to
// a variable the container does not have is an error here, where Kubernetes would leave it as is.
func expand(s string, env map[string]string) (string, error) {
	var missing []string
	out := regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		name := m[2 : len(m)-1]
		v, ok := env[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%q refers to %s, which the container does not define", s, strings.Join(missing, ", "))
	}
	return out, nil
}

func TestJobManifest(t *testing.T) {
	data, err := os.ReadFile(jobPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readJob(data); err != nil {
		t.Fatal(err)
	}
}

func TestReadJobRefusesWhatWouldSkewTheMerge(t *testing.T) {
	good, err := os.ReadFile(jobPath)
	if err != nil {
		t.Fatal(err)
	}
	refusesEach(t, good, []mutation{
		{"a misspelt field", "backoffLimitPerIndex: 0", "backofLimitPerIndex: 0", `unknown field "backofLimitPerIndex"`},
		{"a wrong type", "completions: 4", "completions: four", `cannot unmarshal`},
		{"retries", "backoffLimitPerIndex: 0", "backoffLimitPerIndex: 2", `backoffLimitPerIndex must be 0`},
		{"no retry limit per index", "  backoffLimitPerIndex: 0     # a failed shard is not run again: a late rerun would skew the merge\n", "", `backoffLimitPerIndex must be 0`},
		{"a shard count unlike completions", "--shard=$(JOB_COMPLETION_INDEX)/4", "--shard=$(JOB_COMPLETION_INDEX)/3", `--shard=$(JOB_COMPLETION_INDEX)/4`},
		{"a report in a file", "--json=-", "--json=/reports/shard.json", `--json=-`},
		{"the text report in the log", "            - -q\n", "", `need -q`},
		{"shards one after another", "parallelism: 4", "parallelism: 1", `parallelism must equal`},
		{"restarts", "restartPolicy: Never", "restartPolicy: OnFailure", `restartPolicy must be Never`},
		{"a shared volume", "      restartPolicy: Never\n", "      restartPolicy: Never\n      volumes: [{name: reports, persistentVolumeClaim: {claimName: r}}]\n", `mounts volumes`},
		{"thresholds per shard", "            - -q\n", "            - -q\n            - --threshold=p99<300ms\n", `set --threshold`},
		{"a duplicate key", "  parallelism: 4", "  parallelism: 4\n  parallelism: 4", `key "parallelism" already set`},
	}, func(b []byte) error { _, err := readJob(b); return err })
	// Correct in an unusual way: flow style, quoted numbers where strings go, other names.
	odd := `{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"}, "spec": {"completionMode": "Indexed",
  "completions": 2, "parallelism": 2, "backoffLimitPerIndex": 0, "maxFailedIndexes": 0, "template": {"spec": {
  "restartPolicy": "Never", "containers": [{"name": "l", "image": "l:1",
  "args": ["load", "--seed=1", "--target=$(T)", "--shard=$(JOB_COMPLETION_INDEX)/2", "-q", "--json=-"],
  "env": [{"name": "T", "value": "http://x"}]}]}}}}`
	if _, err := readJob([]byte(odd)); err != nil {
		t.Fatal(err)
	}
}

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "1", "JOB_COMPLETION_INDEX": "3"}
	for in, want := range map[string]string{"--shard=$(JOB_COMPLETION_INDEX)/4": "--shard=3/4", "$$(A)": "$(A)", "x$(A)y$(A)": "x1y1", "$A": "$A"} {
		if got, err := expand(in, env); err != nil || got != want {
			t.Errorf("expand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := expand("$(NOPE)", env); err == nil {
		t.Error("expand of an undefined variable passed")
	}
}

// TestJobRunsAsWritten runs every shard of the Job with the binary the Dockerfile builds, with the
// arguments as the kubelet expands them (the target a loopback receiver, --count added so that the
// run is short), keeps each shard's standard output and error as kubectl logs would give them, and
// merges those files as docs/load.md says.
func TestJobRunsAsWritten(t *testing.T) {
	data, err := os.ReadFile(jobPath)
	if err != nil {
		t.Fatal(err)
	}
	job, err := readJob(data)
	if err != nil {
		t.Fatal(err)
	}
	bin := imageBinary(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	}))
	defer srv.Close()

	c := job.Spec.Template.Spec.Containers[0]
	n := int(*job.Spec.Completions)
	dir := t.TempDir()
	var logs []string
	var sent int64
	for i := range n {
		env := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}
		for _, e := range c.Env {
			switch {
			case e.Name == "TARGET":
				env[e.Name] = srv.URL + "/live/webhook"
			case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
				env[e.Name] = "secret-" + e.ValueFrom.SecretKeyRef.Key
			default:
				env[e.Name] = e.Value
			}
		}
		var args []string
		for _, a := range c.Args {
			x, err := expand(a, env)
			if err != nil {
				t.Fatal(err)
			}
			args = append(args, x)
		}
		args = append(args, "--count=400")
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.WaitDelay = 10 * time.Second
		if err := cmd.Run(); err != nil {
			t.Fatalf("shard %d: livehook %s: %v\n%s", i, strings.Join(args, " "), err, stderr.Bytes())
		}
		if stderr.Len() > 0 {
			t.Fatalf("shard %d wrote to standard error, which kubectl logs would mix into its report:\n%s", i, stderr.Bytes())
		}
		var rep struct{ Sent int64 }
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("shard %d: its log is not a JSON report: %v", i, err)
		}
		sent += rep.Sent
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		if err := os.WriteFile(p, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		logs = append(logs, p)
	}
	out, err := exec.Command(bin, append([]string{"report", "merge", "--threshold", "errors<1%"}, logs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("livehook report merge: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("Sent %d requests", sent); !strings.Contains(string(out), want) || sent != 400 {
		t.Fatalf("the merge of %d requests (want 400) says:\n%s", sent, out)
	}
	if strings.Contains(string(out), "missing") {
		t.Fatalf("the merge misses shards:\n%s", out)
	}
}
