package scenarios

import (
	"fmt"
	"net/http"
	"strings"
)

// Diagnosis names the one cause that explains a failed run, with how to fix it, when there is
// such a cause; "" otherwise. WriteText leads with it, before the scenarios' details. It finds:
//   - nothing answered at the target (a dead port, a wrong host): no request got an HTTP answer;
//   - a backend that checks Sign, run without a token: no webhook was acknowledged, and every
//     webhook refused where an acknowledgement was due was refused with 401 or an ErrorInfo that
//     names Sign or RequestTime.
func (r *Report) Diagnosis() string {
	if r.Failed == 0 {
		return ""
	}
	var refused, refusedForSign, acknowledged int
	var firstError, firstRefusal string
	for _, s := range r.Scenarios {
		for _, st := range s.Steps {
			for _, x := range st.Exchanges {
				if x.Status == 0 && firstError == "" {
					firstError = x.Error
				}
				if x.Command == "" {
					continue // a check step's request to the app's own API
				}
				switch {
				case x.Outcome == "acknowledged":
					acknowledged++
				case x.Status == 0 || st.Status != StatusFailed:
					// no answer, or a refusal where one was due (a foreign SdkAppid, say)
				case x.Status == http.StatusUnauthorized || mentionsSign(x.ResponseBody):
					refusedForSign++
					if firstRefusal == "" {
						firstRefusal = fmt.Sprintf("%d %s", x.Status, clip(strings.TrimSpace(x.ResponseBody), 200))
					}
					fallthrough
				default:
					refused++
				}
			}
		}
	}
	switch {
	case !r.answered():
		cause := ""
		if firstError != "" {
			cause = fmt.Sprintf(" (%s)", lastClause(firstError))
		}
		return fmt.Sprintf("nothing answered at %s%s: is the app backend running there, and is it the callback URL? Start it, or point --target at it.", r.Target, cause)
	case !r.Token && acknowledged == 0 && refusedForSign > 0 && refusedForSign == refused:
		return fmt.Sprintf("the app backend seems to check Sign, and this run had no token: every webhook due an acknowledgement was refused (%s). "+
			"Give the callback token set in the console: livehook run --target %s --token \"$CALLBACK_TOKEN\"", firstRefusal, r.Target)
	}
	return ""
}

// mentionsSign reports whether an answer's body talks of the signature.
func mentionsSign(body string) bool {
	b := strings.ToLower(body)
	return strings.Contains(b, "sign") || strings.Contains(b, "requesttime")
}

// lastClause shortens a Go network error to its cause: "dial tcp 127.0.0.1:1: connect:
// connection refused" becomes "connection refused".
func lastClause(err string) string {
	if i := strings.LastIndex(err, ": "); i >= 0 {
		return err[i+2:]
	}
	return err
}
