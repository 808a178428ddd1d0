package scenarios

import (
	"io"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ReplayScenario is a scenario of recorded deliveries, for WriteReplay.
type ReplayScenario struct {
	Name, Description string
	Steps             []ReplayStep
}

// ReplayStep is a recorded delivery to send again, and what to expect of it (nil: acknowledged).
type ReplayStep struct {
	Name   string
	Replay Replay
	Expect *Expect
}

// WriteReplay writes scenarios of recorded deliveries as a scenarios file, one at a time, each
// step's body exactly as recorded. header is written first as comment lines.
func WriteReplay(w io.Writer, header string, scs []ReplayScenario) error {
	var b strings.Builder
	b.WriteString(SchemaComment + "\n")
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	b.WriteString("\nscenarios:\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, sc := range scs {
		steps := &yaml.Node{Kind: yaml.SequenceNode}
		for _, st := range sc.Steps {
			steps.Content = append(steps.Content, replayStep(st))
		}
		n := mapping("name", sc.Name, "description", sc.Description, "tags", flowList("recorded"), "steps", steps)
		n.Style = 0
		out, err := yaml.Marshal(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n}})
		if err != nil {
			return err
		}
		if _, err := w.Write(indent(out)); err != nil {
			return err
		}
	}
	return nil
}

func replayStep(st ReplayStep) *yaml.Node {
	r := st.Replay
	fields := mapping("query", r.Query)
	if r.RecordedAt != "" {
		fields.Content = append(fields.Content, scalar("recorded_at"), scalar(r.RecordedAt))
	}
	if r.Rebase != nil {
		fields.Content = append(fields.Content, scalar("rebase"), value(*r.Rebase))
	}
	if r.SDKAppID != 0 {
		fields.Content = append(fields.Content, scalar("sdkappid"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(r.SDKAppID, 10)})
	}
	if r.Sign != "" {
		fields.Content = append(fields.Content, scalar("sign"), scalar(string(r.Sign)))
	}
	fields.Content = append(fields.Content, scalar("body"), r.Body.node())
	fields.Style = 0
	var n *yaml.Node
	if st.Name != "" {
		n = mapping("name", st.Name, "replay", fields)
	} else {
		n = mapping("replay", fields)
	}
	if e := expectNode(st.Expect); e != nil {
		n.Content = append(n.Content, scalar("expect"), e)
	}
	n.Style = 0
	return n
}

// expectNode is an expectation as the parser reads it: a word, or a map of details.
func expectNode(e *Expect) *yaml.Node {
	if e == nil {
		return nil
	}
	if !e.detailed() && e.Within == 0 {
		return scalar(string(e.Verdict()))
	}
	n := mapping()
	if e.Outcome != "" {
		n.Content = append(n.Content, scalar("outcome"), scalar(string(e.Outcome)))
	}
	if e.Status != nil {
		n.Content = append(n.Content, scalar("status"), value(*e.Status))
	}
	if e.ActionStatus != nil {
		n.Content = append(n.Content, scalar("action_status"), scalar(*e.ActionStatus))
	}
	if e.ErrorCode != nil {
		n.Content = append(n.Content, scalar("error_code"), value(*e.ErrorCode))
	}
	if e.Within != 0 {
		n.Content = append(n.Content, scalar("within"), scalar(time.Duration(e.Within).String()))
	}
	return n
}
