package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/scenarios/report"
)

// Check makes an HTTP request to the app backend's own API and checks its answer, to see that a
// webhook's data really arrived.
type Check struct {
	// Method is GET unless set.
	Method  string            `yaml:"method" json:"method,omitempty"`
	URL     string            `yaml:"url" json:"url"`
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	Body    string            `yaml:"body" json:"body,omitempty"`
	// Status is the HTTP status wanted (200 unless set). Redirects are not followed: a 3xx is
	// the answer.
	Status int `yaml:"status" json:"status,omitempty"`
	// JSON maps dotted paths in the answer's JSON body to the values wanted there, e.g.
	// {"room.RoomId": "${room.RoomId}", "rooms.0.Owner_Account": "host_1"}.
	JSON map[string]any `yaml:"json" json:"json,omitempty"`
	// Within bounds the time to answer (the run's timeout unless set).
	Within Duration `yaml:"within" json:"within,omitempty"`
}

// maxCheckWithin bounds a check's deadline.
const maxCheckWithin = 5 * time.Minute

// maxCheckAnswer bounds how much of a check's answer is read.
const maxCheckAnswer = 1 << 20

func (c *Check) validate(v *stepCheck) {
	if c.URL == "" {
		v.errorf("check: url is missing: the address of your app backend's API to ask")
	}
	if c.Method != "" && !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}, c.Method) {
		v.errorf("check: method %q: want GET, POST, PUT, PATCH, DELETE or HEAD", c.Method)
	}
	if c.Status != 0 && http.StatusText(c.Status) == "" {
		v.errorf("check: status %d is not an HTTP status", c.Status)
	}
	if time.Duration(c.Within) > maxCheckWithin {
		v.errorf("check: within %v is longer than %v", time.Duration(c.Within), maxCheckWithin)
	}
}

// run asks the app backend's own API and compares its answer. Every request made is counted,
// answered or not.
func (c *Check) run(ctx context.Context, x *execution, _ *Step, sr *report.StepResult) {
	x.flush(ctx)
	method := orDefault(c.Method, http.MethodGet)
	timeout := x.cfg.Timeout
	if c.Within > 0 {
		timeout = time.Duration(c.Within)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
	}
	ex := report.Exchange{Method: method, URL: c.URL, RequestBody: c.Body}
	fail := func(format string, args ...any) {
		fail(sr, "check %s %s: "+format, append([]any{method, c.URL}, args...)...)
		keep(sr, ex)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL, body)
	if err != nil {
		fail("%v", err)
		return
	}
	for k, v := range c.Headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	sr.Sent++
	resp, err := x.cfg.HTTPClient.Do(req)
	if err != nil {
		ex.Latency, ex.Error = time.Since(start), err.Error()
		sr.Latency = ex.Latency
		if ctx.Err() != nil {
			fail("no answer within %v", timeout)
		} else {
			fail("%v", err)
		}
		x.observe(sr, ex)
		return
	}
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxCheckAnswer))
	resp.Body.Close()
	ex.Latency, ex.Status, ex.ResponseBody = time.Since(start), resp.StatusCode, string(rb)
	sr.Latency = ex.Latency
	x.observe(sr, ex)
	if err != nil {
		fail("reading the answer: %v", err)
		return
	}
	if want := orDefault(c.Status, http.StatusOK); resp.StatusCode != want {
		extra := ""
		if loc := resp.Header.Get("Location"); loc != "" {
			extra = " (a redirect to " + strconv.Quote(loc) + ": redirects are not followed)"
		}
		fail("expected HTTP status %d, got %d%s", want, resp.StatusCode, extra)
		return
	}
	if len(c.JSON) > 0 {
		var doc any
		d := json.NewDecoder(bytes.NewReader(rb))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			fail("the answer is not JSON: %v", err)
			return
		}
		for _, path := range slices.Sorted(maps.Keys(c.JSON)) {
			if msg := matchPath(doc, path, c.JSON[path]); msg != "" {
				fail("%s", msg)
				return
			}
		}
	}
	keep(sr, ex)
}

// matchPath compares the value at a dotted path (list items by index) with want.
func matchPath(doc any, path string, want any) string {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return path + ": no field " + strconv.Quote(part) + " in the answer"
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return path + ": no item " + strconv.Quote(part) + " in a list of " + strconv.Itoa(len(v))
			}
			cur = v[i]
		default:
			return path + ": " + strconv.Quote(part) + " is not inside an object or a list"
		}
	}
	gotJSON, _ := json.Marshal(cur)
	wantJSON, _ := json.Marshal(want)
	if sameJSON(gotJSON, wantJSON) {
		return ""
	}
	// A number written in YAML as text (e.g. from a template) matches the number.
	if s, ok := want.(string); ok && string(gotJSON) == s {
		return ""
	}
	return path + " is " + string(gotJSON) + ", expected " + string(wantJSON)
}

func sameJSON(a, b []byte) bool {
	var x, y any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	if nx, ok := x.(json.Number); ok {
		if ny, ok := y.(json.Number); ok {
			if nx == ny {
				return true
			}
			fx, ex := nx.Float64()
			fy, ey := ny.Float64()
			return ex == nil && ey == nil && fx == fy
		}
	}
	return reflect.DeepEqual(x, y)
}
