package scenarios

import (
	"encoding/base64"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/livehook/livehook/webhook"
)

// Replay sends a recorded delivery again ('livehook generate --from' writes them): its query
// and body exactly as recorded, its times re-based to the replay's clock, signed with the run's
// token.
type Replay struct {
	// Query is the recorded query string, without Sign and RequestTime: the run signs with its own
	// token. Its SdkAppid (or SdkAppId) becomes the run's, or the step's sdkappid. Required.
	Query string `yaml:"query" json:"query"`
	// Body is sent byte for byte: nothing in it is replaced, not even ${...}.
	Body RawBody `yaml:"body" json:"body"`
	// RecordedAt is when the delivery was recorded, in RFC 3339. Unless rebase is false, the
	// body's EventTime and RoomInfo.CreateTime move by as much as the replay's clock is past it,
	// so every event keeps its age at delivery and a recording from last month is not stale.
	RecordedAt string `yaml:"recorded_at" json:"recorded_at,omitempty"`
	// Rebase moves the body's times to the replay's clock (true unless set false).
	Rebase *bool `yaml:"rebase" json:"rebase,omitempty"`
	Probe  `yaml:",inline" json:",inline"`
}

func (r *Replay) probe() *Probe { return &r.Probe }

func (r *Replay) validate(v *stepCheck) {
	q, err := url.ParseQuery(r.Query)
	switch {
	case r.Query == "":
		v.errorf("replay: query is missing: the recorded query string, e.g. SdkAppid=1400000001&CallbackCommand=%s&contenttype=json", webhook.CommandModifyAdmin)
	case err != nil:
		v.errorf("replay: query does not parse: %v", err)
	case q.Has(webhook.ParamSign) || q.Has(webhook.ParamRequestTime):
		v.errorf("replay: the query holds Sign or RequestTime: remove them, the run signs with its own token (sign: chooses how)")
	}
	if r.OwnerAsNumber || len(r.Omit) > 0 || len(r.Extra) > 0 || r.NewParamNames || r.NoSDKAppID || r.ClientIP != "" || r.Platform != "" {
		v.errorf("replay: only sdkappid and sign apply: the query and body go as recorded")
	}
	if r.RecordedAt != "" {
		if _, err := time.Parse(time.RFC3339Nano, r.RecordedAt); err != nil {
			v.errorf("replay: recorded_at is %q: want an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", r.RecordedAt)
		}
	} else if r.Rebases() {
		v.errorf("replay: rebase needs recorded_at: add it, or rebase: false to send the times as recorded")
	}
}

// Rebases reports whether the body's times move to the replay's clock (true unless rebase: false).
func (r *Replay) Rebases() bool { return r.Rebase == nil || *r.Rebase }

// RawBody is a body sent byte for byte. In YAML it is a string, taken literally (no ${...} is
// replaced in it), or !!binary (base64) for bytes that are not UTF-8.
type RawBody []byte

func (b *RawBody) decodeNode(d *decoder, n *yaml.Node) {
	switch {
	case n.Kind != yaml.ScalarNode || n.Tag == "!!null":
		d.errorf(n, "want the body as a string (\"\" for none), got %s", describe(n))
	case n.Tag == "!!binary":
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			d.errorf(n, "the !!binary body is not base64: %v", err)
			return
		}
		*b = raw
	default:
		*b = RawBody(n.Value)
	}
}

// node is the body as YAML: a string when it is UTF-8 and YAML keeps it exactly, else !!binary.
func (b RawBody) node() *yaml.Node {
	if utf8.Valid(b) {
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(b)}
		if strings.Contains(n.Value, "\n") {
			n.Style = yaml.LiteralStyle
		}
		if keepsExactly(n) {
			return n
		}
		n.Style = yaml.DoubleQuotedStyle
		if keepsExactly(n) {
			return n
		}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!binary", Value: base64.StdEncoding.EncodeToString(b)}
}

// keepsExactly reports whether the scalar reads back as the same string.
func keepsExactly(n *yaml.Node) bool {
	out, err := yaml.Marshal(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("body"), n}})
	if err != nil {
		return false
	}
	var back struct{ Body string }
	return yaml.Unmarshal(out, &back) == nil && back.Body == n.Value
}
