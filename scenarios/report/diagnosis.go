package report

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Diagnosis names the one cause that explains a failed run, with how to fix it, when there is
// such a cause; "" otherwise. WriteText leads with it, before the scenarios' details. It finds:
//   - nothing answered at the target (a dead port, a wrong host), or it took the connections and
//     answered none in full, or its TLS certificate is not trusted: no request got an HTTP answer
//     (see sender.NoAnswerHint);
//   - a backend that checks Sign, run without a token: no webhook was acknowledged, and every
//     webhook refused where an acknowledgement was due was refused with 401 or an ErrorInfo that
//     names Sign or RequestTime;
//   - a target that refused every webhook, the control's included (a wrong path answers 404 to
//     all of them): its refusals of foreign SdkAppids and bad Signs show nothing, and the
//     scenarios that passed on them fail (see Control);
//   - a receiver that slows down as it runs (see Trend): its failures under concurrency may be
//     that, not concurrency.
func (r *Report) Diagnosis() string {
	if r.Failed == 0 {
		return ""
	}
	var refused, refusedForSign, acknowledged int
	var firstRefusal string
	for _, s := range r.Scenarios {
		for _, st := range s.Steps {
			acknowledged += st.Acknowledged
			for _, x := range st.Exchanges {
				if x.Command == "" {
					continue // a check step's request to the app's own API
				}
				switch {
				case x.Status == 0 || st.Status != StatusFailed || st.Discredited:
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
		return r.noAnswerHint()
	case !r.Token && acknowledged == 0 && refusedForSign > 0 && refusedForSign == refused:
		return fmt.Sprintf("the app backend seems to check Sign, and this run had no token: every webhook due an acknowledgement was refused (%s). "+
			"Give the callback token set in the console: livehook run --target %s --token \"$CALLBACK_TOKEN\"", firstRefusal, r.Target)
	}
	if statuses, all := r.refusedEverything(); all {
		summary, hint := refusalSummary(statuses, r.Token)
		return fmt.Sprintf("the target refused every webhook (%s): %s A refusal counts only beside an acknowledgement, "+
			"so the scenarios that passed on refusals fail too", summary, hint)
	}
	if d := r.acknowledgedRefusals(); d != "" {
		return d
	}
	if r.Trend.Rising() {
		return trendText(r.Trend)
	}
	return ""
}

// noAnswerHint explains a run in which no request got an HTTP answer.
func (r *Report) noAnswerHint() string {
	outcomes := map[webhook.Outcome]int64{}
	var errs []string
	for _, s := range r.Scenarios {
		for _, st := range s.Steps {
			for _, x := range st.Exchanges {
				if x.Outcome != nil {
					outcomes[*x.Outcome]++
					errs = append(errs, x.Error)
				}
			}
		}
	}
	return sender.NoAnswerHint(r.Target, outcomes, errs)
}

// mentionsSign reports whether an answer's body talks of the signature.
func mentionsSign(body string) bool {
	b := strings.ToLower(body)
	return strings.Contains(b, "sign") || strings.Contains(b, "requesttime")
}

// acknowledgedRefusals explains a run whose every failure is a webhook acknowledged where a
// refusal was due: a receiver that checks neither its SdkAppid nor the Sign, or only part of them.
func (r *Report) acknowledgedRefusals() string {
	var appID, sign, other []string
	for _, s := range r.Scenarios {
		if s.Status != StatusFailed {
			continue
		}
		for _, st := range s.Steps {
			if st.Status != StatusFailed {
				continue
			}
			if !st.Unrefused {
				return "" // another cause among the failures
			}
		}
		switch {
		case slices.Contains(s.Tags, "sign") || slices.Contains(s.Tags, "skew"):
			sign = append(sign, s.Name)
		case strings.Contains(s.Name, "SdkAppid"):
			appID = append(appID, s.Name)
		default:
			other = append(other, s.Name)
		}
	}
	var fixes []string
	if len(appID) > 0 {
		fixes = append(fixes, "refuse a webhook whose SdkAppid (or SdkAppId) is not your app's, or names none")
	}
	if len(sign) > 0 {
		fixes = append(fixes, "recompute Sign as the lower-case hex of SHA-256(token + RequestTime), compare all 64 digits, and refuse a RequestTime more than 60 s from your clock either way")
	}
	if len(fixes) == 0 {
		return ""
	}
	names := append(append(appID, sign...), other...)
	return fmt.Sprintf("the target acknowledged webhooks it must refuse, in %s (%s%s). To fix it: %s",
		plural.Of(len(names), "scenario"), strings.Join(names[:min(3, len(names))], "; "), ellipsis(len(names), 3), strings.Join(fixes, "; and "))
}

func ellipsis(n, shown int) string {
	if n > shown {
		return fmt.Sprintf("; and %d more", n-shown)
	}
	return ""
}
