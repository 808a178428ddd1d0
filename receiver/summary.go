package receiver

import (
	"github.com/livehook/livehook/internal/text"

	"fmt"
	"strconv"
	"strings"
	"time"
)

// Summary is the delivery on one line, for people watching: number, command, room, the
// receiver's verdict, and what the app answered and how fast when it was forwarded. Every value
// that came from the wire is quoted or escaped, so a sender can neither forge lines nor send
// terminal escapes:
//
//	#3 "Live.CallbackAfterCreateRoom" room "live_7": OK; app 200 OK/0 in 1.2ms
func (d *Delivery) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d ", d.Seq)
	if d.Command == "" {
		b.WriteString("-")
	} else {
		b.WriteString(strconv.QuoteToGraphic(d.Command))
	}
	if d.Room != "" {
		fmt.Fprintf(&b, " room %s", strconv.QuoteToGraphic(d.Room))
	}
	switch {
	case d.Accepted && d.Note != "":
		fmt.Fprintf(&b, ": OK (%s)", text.Printable(d.Note))
	case d.Accepted:
		b.WriteString(": OK")
	default:
		fmt.Fprintf(&b, ": FAIL %d %s", d.Status, text.Printable(d.Reason))
	}
	switch app := d.App; {
	case app == nil:
	case app.Answered():
		fmt.Fprintf(&b, "; app %d %s in %v", app.Status, text.Printable(app.Verdict), app.Latency.Round(10*time.Microsecond))
	default:
		fmt.Fprintf(&b, "; app did not answer (%s), answered %d FAIL itself", text.Printable(app.Error), d.Answer.Status)
		if d.Accepted {
			b.WriteString(", for the sender to send it again")
		}
	}
	if d.App != nil && d.App.Retried {
		b.WriteString(" (sent again on a new connection: the app had closed the kept-alive one)")
	}
	if d.NotRecorded != "" {
		fmt.Fprintf(&b, "; NOT RECORDED (%s): answered %d FAIL instead, so that the sender sends it again", text.Printable(d.NotRecorded), d.Answer.Status)
	}
	return b.String()
}
