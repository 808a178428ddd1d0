package console

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/recording"
	"github.com/livehook/livehook/webhook"
)

// maxAPIBody bounds what the page may POST.
const maxAPIBody = 64 << 10

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("the request is not the JSON wanted: %v", err)})
		return false
	}
	return true
}

// serveLogin checks the token and sets the session cookie, for EventSource, which sends no
// header of its own.
func (g *guard) serveLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if g.token == "" {
		writeJSON(w, http.StatusOK, map[string]string{"status": "the console is open: no token needed"})
		return
	}
	if subtle.ConstantTimeCompare([]byte(req.Token), []byte(g.token)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "wrong token: give the receiver's --token, or its --console-token"})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: g.session, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// resendResult is what became of a send-again.
type resendResult struct {
	URL       string  `json:"url"`
	Signed    bool    `json:"signed"`
	Status    int     `json:"status,omitempty"`
	Body      *string `json:"body,omitempty"`
	BodyCut   bool    `json:"body_cut,omitempty"`
	Error     string  `json:"error,omitempty"`
	TookNS    int64   `json:"took_ns"`
	Verdict   string  `json:"verdict,omitempty"`
	TokenNote string  `json:"token_note,omitempty"`
}

// serveResend sends a kept delivery again, as it came (method, headers, body byte for byte,
// query), to the forward target or the URL given, signed afresh with the receiver's token
// when it has one.
func (c *Console) serveResend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Seq uint64 `json:"seq"`
		URL string `json:"url"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	cfg := c.rv.Config()
	target := strings.TrimSpace(req.URL)
	if target == "" {
		target = cfg.Forward.URL
	}
	if target == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "no URL to send to: type one, or start receive with --forward-to"})
		return
	}
	if u, err := url.Parse(target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("URL %q: want an absolute http:// or https:// URL, e.g. http://127.0.0.1:8000/live/webhook", target)})
		return
	}
	d, ok := c.store.get(req.Seq)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("delivery #%d is no longer kept: the console keeps the newest %d", req.Seq, c.store.maxCount)})
		return
	}
	ep := webhook.Endpoint{URL: target, Token: cfg.Token}
	res := resendResult{URL: ep.QueryURL(webhook.UnsignedQuery(d.Query), webhook.URLOptions{}), Signed: cfg.Token != ""}
	if d.TokenRemoved {
		res.TokenNote = "the receiver's token was cut out of this delivery when it arrived, so what is sent differs from what came"
	}
	out, err := http.NewRequestWithContext(r.Context(), d.Method, res.URL, bytes.NewReader(d.RawBody))
	if err != nil {
		res.Error = fmt.Sprintf("building the request: %v", err)
		writeJSON(w, http.StatusOK, res)
		return
	}
	for k, vs := range d.Header {
		if k != "Content-Length" && k != "Host" {
			out.Header[k] = vs
		}
	}
	start := time.Now()
	resp, err := c.client.Do(out)
	if err != nil {
		res.TookNS = int64(time.Since(start))
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		res.Error = err.Error()
		writeJSON(w, http.StatusOK, res)
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, StreamBodyBytes+1))
	res.TookNS, res.Status = int64(time.Since(start)), resp.StatusCode
	if err != nil {
		res.Error = fmt.Sprintf("reading the answer: %v", err)
	}
	res.Body, _, res.BodyCut = bodyForms(b)
	if res.Body == nil && len(b) > 0 {
		s := fmt.Sprintf("(%d bytes that are not UTF-8)", len(b))
		res.Body = &s
	}
	if a := webhook.CheckResponse(resp.StatusCode, b); a.Refusal() {
		res.Verdict = "refused"
	} else if a.Violation != nil {
		res.Verdict = a.Violation.Message
	} else {
		res.Verdict = "OK/0"
	}
	writeJSON(w, http.StatusOK, res)
}

// serveRecording writes the kept deliveries named by ?seq= (a comma list of numbers and
// ranges such as 1-40) as a recording, for 'livehook generate --from'.
func (c *Console) serveRecording(w http.ResponseWriter, r *http.Request) {
	seqs, err := ParseSeqs(r.URL.Query().Get("seq"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"livehook-%s.jsonl\"", time.Now().UTC().Format("20060102-150405")))
	rec := recording.NewWriter(w)
	for _, rg := range seqs {
		for s := rg[0]; s <= rg[1]; s++ {
			if d, ok := c.store.get(s); ok {
				if rec.Write(recording.FromDelivery(d)) != nil {
					return
				}
			}
			if s == rg[1] { // rg[1] may be the largest uint64
				break
			}
		}
	}
}

// serveBody answers the exact bytes of a kept delivery's body (?seq=N).
func (c *Console) serveBody(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(r.URL.Query().Get("seq"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "seq: want a delivery's number, e.g. ?seq=7"})
		return
	}
	d, ok := c.store.get(seq)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("delivery #%d is no longer kept", seq)})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"delivery-%d.body\"", seq))
	w.Header().Set("Content-Length", strconv.Itoa(len(d.RawBody)))
	_, _ = w.Write(d.RawBody)
}

// MaxSeqs bounds how many deliveries one ?seq= may name.
const MaxSeqs = 1 << 20

// ParseSeqs reads a comma list of delivery numbers and ranges ("3,5-9"), as ranges.
func ParseSeqs(s string) ([][2]uint64, error) {
	if s == "" {
		return nil, errors.New("seq: name the deliveries, e.g. ?seq=1-40,42")
	}
	var out [][2]uint64
	total := uint64(0)
	for i, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seq: item %d %q is not a number or a range such as 1-40", i+1, part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("seq: item %d %q is not a range such as 1-40", i+1, part)
			}
		}
		if b-a >= MaxSeqs || total+(b-a+1) > MaxSeqs {
			return nil, fmt.Errorf("seq: more than %d deliveries named", MaxSeqs)
		}
		total += b - a + 1
		out = append(out, [2]uint64{a, b})
	}
	return out, nil
}
