package sender

import (
	"errors"
	"fmt"
	"strings"

	"github.com/livehook/livehook/internal/http1"
	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/webhook"
)

// ErrUntrustedCertificate is in the error of a delivery to an https receiver whose certificate
// is not trusted: self-signed, expired, or for another name.
var ErrUntrustedCertificate = errors.New("the receiver's TLS certificate is not trusted")

// NoAnswerHint says why no request got an HTTP answer at target, and what to do, from how the
// requests ended (outcome → count) and their error messages, as a clause to be capitalized
// where it starts a sentence. It is "" when some request was answered, or when none failed for
// want of an answer (all canceled, say). It tells apart an untrusted certificate (--insecure),
// a receiver that takes connections but stalls or drops them, and nothing listening.
func NoAnswerHint(target string, outcomes map[webhook.Outcome]int64, errs []string) string {
	var answered, refused, stalled, other int64
	for o, n := range outcomes {
		switch o {
		case webhook.ConnRefused:
			refused += n
		case webhook.Timeout, webhook.ConnReset, webhook.CutOff:
			// A request cut off by the end of a load run took its connection and got no
			// answer in the whole run: a stall like a timeout.
			stalled += n
		case webhook.ConnError:
			other += n
		case webhook.Canceled:
		default:
			answered += n
		}
	}
	if answered > 0 || refused+stalled+other == 0 {
		return ""
	}
	for _, e := range errs {
		if strings.Contains(e, ErrUntrustedCertificate.Error()) {
			return fmt.Sprintf("the TLS certificate of %s is not trusted: for a test deployment with a self-signed "+
				"certificate, add --insecure (sender.WithInsecureTLS in Go); otherwise give the server a certificate "+
				"from a trusted authority, for the name in the URL.", target)
		}
	}
	for _, e := range errs {
		if _, what, ok := strings.Cut(e, http1.ErrMalformed.Error()+": "); ok {
			// It answered, in a shape HTTP/1.1 cannot read: the fix is in its HTTP layer.
			return fmt.Sprintf("%s answers, but not in valid HTTP/1.1 (%s): look at the app backend's HTTP server, "+
				"or a proxy in front of it, for how it frames its answers.", target, what)
		}
	}
	if refused == 0 && other == 0 {
		return fmt.Sprintf("no complete answer came from %s: it took the connections, but %s timed out or %s cut off. "+
			"The app backend stalls or drops them: a handler that blocks, a crash, a proxy in between?", target, plural.Of(stalled, "webhook"), plural.Verb(stalled))
	}
	cause := ""
	for _, e := range errs {
		if e != "" {
			cause = fmt.Sprintf(" (%s)", lastClause(e))
			break
		}
	}
	return fmt.Sprintf("nothing answered at %s%s: is the app backend running there, and is it the callback URL? Start it, or point --target at it.", target, cause)
}

// lastClause shortens a Go network error to its cause: "dial tcp 127.0.0.1:1: connect:
// connection refused" becomes "connection refused".
func lastClause(err string) string {
	if i := strings.LastIndex(err, ": "); i >= 0 {
		return err[i+2:]
	}
	return err
}
