package explore

import (
	"fmt"
	"io"
	"strings"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/scenarios"
)

// WriteFile writes the findings' reproducers as a scenarios file, one scenario each, which
// `livehook run FILE --target URL` runs. With no findings it writes nothing and returns nil.
func (r *Result) WriteFile(w io.Writer) error {
	if len(r.Findings) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(scenarios.SchemaComment + "\n")
	fmt.Fprintf(&b, "# What livehook explore found at %s (seed %d): %s, each shrunk to a minimal case.\n", r.Target, r.Seed, plural(len(r.Findings), "finding"))
	fmt.Fprintf(&b, "# Run them again with: livehook run THIS-FILE --target %s%s\n", r.Target, tokenHint(r.Token))
	b.WriteString("# Each RoomId starts with a tag of its own run; a receiver that remembers RoomIds sees them again.\n\nscenarios:\n")
	for _, f := range r.Findings {
		b.WriteString(indent(f.Scenario))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func tokenHint(token bool) string {
	if token {
		return " --token \"$TOKEN\""
	}
	return ""
}

// indent shifts a YAML list item under the scenarios: key.
func indent(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if strings.TrimSpace(line) != "" {
			b.WriteString("  ")
		}
		b.WriteString(line)
	}
	return b.String()
}

// WriteText writes the report: each finding with what failed, its reproducer and a curl
// command per webhook, then a summary. file names where the reproducers were written ("" for
// none).
func (r *Result) WriteText(w io.Writer, file string) error {
	ew := &text.Writer{W: w}
	auth := "no token: near-miss authentication is not drawn; give --token to draw it"
	if r.Token {
		auth = "signed with the token, near-miss authentication drawn"
	}
	ew.Printf("livehook explore: %s (SdkAppid %d, %s), seed %d, budget %d requests\n\n", r.Target, r.SDKAppID, auth, r.Seed, r.Budget)
	if r.Diagnosis != "" {
		ew.Printf("%s\n\n", strings.TrimSpace(r.Diagnosis))
	}
	for i, f := range r.Findings {
		ew.Printf("FINDING %d  %s\n", i+1, firstLine(f.Failure))
		ew.Printf("  found in case %d", f.Case)
		if f.Seen > 0 {
			ew.Printf(" (and %d more cases failed alike)", f.Seen)
		}
		ew.Printf(", shrunk from %d steps to %d (%s) in %s; reproduced %d of %d times with other RoomIds\n",
			f.Original, f.Steps, plural(f.Webhooks, "webhook"), plural(f.ShrinkRuns, "run"), f.Reproduced, f.Verified)
		if ex := strings.TrimRight(f.Explain, "\n"); ex != "" {
			ew.Printf("%s\n", ex)
		}
		ew.Printf("  reproducer:\n%s", prefixLines(f.Scenario, "    "))
		if len(f.Curl) > 0 {
			ew.Printf("  the same by hand (Sign and RequestTime are good for 60 s from when they were sent; a reproducer run signs afresh):\n")
			for _, c := range f.Curl {
				ew.Printf("    %s\n", c)
			}
		}
		ew.Printf("\n")
	}
	why := map[string]string{
		"budget": "the budget was spent", "duration": "--duration ran out", "findings": "enough distinct findings",
		"interrupted": "interrupted",
	}[r.Stopped]
	ew.Printf("%s, %d requests exploring and %d shrinking in %s (%s), seed %d (repeat with --seed %d)\n",
		plural(r.Cases, "case"), r.Requests, r.ShrinkRequests, r.Duration.Round(1e6), why, r.Seed, r.Seed)
	switch {
	case len(r.Findings) == 0:
		ew.Printf("nothing found\n")
	case file != "":
		ew.Printf("%s, reproducers written to %s: livehook run %s --target %s%s\n", plural(len(r.Findings), "finding"), file, file, r.Target, tokenHint(r.Token))
	default:
		ew.Printf("%s; -o FILE writes the reproducers as a scenarios file\n", plural(len(r.Findings), "finding"))
	}
	return ew.Err
}

func prefixLines(s, p string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString(p + line)
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
