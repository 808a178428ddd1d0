package webhook

import (
	"github.com/livehook/livehook/internal/text"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Response is the answer a receiver gives to a webhook.
type Response struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorInfo    string `json:"ErrorInfo"`
	ErrorCode    int    `json:"ErrorCode"`
}

// Acknowledgement is the only answer the contract accepts, byte for byte as the vendor writes it.
var Acknowledgement = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)

// Violation says how an answer breaks the response contract.
type Violation struct {
	// Field is the JSON field at fault, or "" for the status or the body as a whole.
	Field string
	// Message is a sentence saying what was found and what was wanted.
	Message string
}

func (v *Violation) Error() string { return v.Message }

// Answer is a receiver's answer, parsed as far as it could be.
type Answer struct {
	// Status is the HTTP status code.
	Status int
	// Response holds the fields that were present with the right types.
	Response Response
	// IsJSON reports whether the body was a JSON object.
	IsJSON bool
	// Violation is nil when the answer is an acknowledgement.
	Violation *Violation
}

// Refusal reports whether the answer is a well-formed refusal: a status other than 200, or a
// JSON object whose ActionStatus is "FAIL" or whose ErrorCode is a non-zero integer.
func (a Answer) Refusal() bool {
	if a.Status != http.StatusOK {
		return true
	}
	return a.IsJSON && a.Violation != nil && (a.Response.ActionStatus == "FAIL" || a.Response.ErrorCode != 0)
}

// CheckResponse checks a receiver's answer against the contract, strictly: HTTP 200, a JSON
// object, ActionStatus exactly "OK", ErrorCode a JSON integer equal to 0, and ErrorInfo present
// and a string. The first violation found is reported.
func CheckResponse(status int, body []byte) Answer {
	a := Answer{Status: status}
	if status == http.StatusOK && bytes.Equal(body, Acknowledgement) {
		a.IsJSON, a.Response.ActionStatus = true, "OK"
		return a
	}
	fields, perr := parseObject(body)
	a.IsJSON = perr == nil
	if a.IsJSON {
		a.Response = readResponse(fields)
	}
	switch {
	case status != http.StatusOK:
		a.Violation = &Violation{Message: fmt.Sprintf("HTTP status is %d %s, want 200 OK", status, http.StatusText(status))}
	case perr != nil:
		a.Violation = &Violation{Message: perr.Error()}
	default:
		a.Violation = checkFields(fields)
	}
	return a
}

// ErrNotJSONObject is matched (errors.Is) by the errors about a body that is empty, not JSON, or
// JSON but not an object, as opposed to an object whose fields are wrong.
var ErrNotJSONObject = errors.New("not a JSON object")

// notObjectError says how a body fails to be a JSON object; it matches ErrNotJSONObject.
type notObjectError struct{ msg string }

func (e *notObjectError) Error() string        { return e.msg }
func (e *notObjectError) Is(target error) bool { return target == ErrNotJSONObject }

// jsonObject returns the body without surrounding space when it is a JSON object.
func jsonObject(body []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return nil, &notObjectError{"body is empty, want a JSON object"}
	case !json.Valid(trimmed):
		return nil, &notObjectError{"body is not JSON: " + text.Excerpt(body, 80)}
	case trimmed[0] != '{':
		return nil, &notObjectError{fmt.Sprintf("body is %s, want a JSON object", kindOf(trimmed))}
	}
	return trimmed, nil
}

func parseObject(body []byte) (map[string]json.RawMessage, error) {
	trimmed, err := jsonObject(body)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %v", err)
	}
	return fields, nil
}

// readResponse takes from fields those values that have the right types.
func readResponse(fields map[string]json.RawMessage) Response {
	var r Response
	_ = json.Unmarshal(fields["ActionStatus"], &r.ActionStatus)
	_ = json.Unmarshal(fields["ErrorInfo"], &r.ErrorInfo)
	if raw := fields["ErrorCode"]; isIntegerLiteral(raw) {
		if n, err := strconv.Atoi(string(raw)); err == nil {
			r.ErrorCode = n
		}
	}
	return r
}

func checkFields(fields map[string]json.RawMessage) *Violation {
	raw, ok := fields["ActionStatus"]
	if !ok {
		return &Violation{"ActionStatus", `ActionStatus is missing, want "OK"`}
	}
	var status string
	if raw[0] != '"' || json.Unmarshal(raw, &status) != nil {
		return &Violation{"ActionStatus", fmt.Sprintf(`ActionStatus is %s, want the string "OK"`, kindOf(raw))}
	}
	if status != "OK" {
		return &Violation{"ActionStatus", fmt.Sprintf(`ActionStatus is %q, want "OK"`, status)}
	}
	raw, ok = fields["ErrorCode"]
	if !ok {
		return &Violation{"ErrorCode", "ErrorCode is missing, want the integer 0"}
	}
	if !isIntegerLiteral(raw) {
		return &Violation{"ErrorCode", fmt.Sprintf("ErrorCode is %s, want the integer 0", kindOf(raw))}
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err != nil || n != 0 {
		return &Violation{"ErrorCode", fmt.Sprintf("ErrorCode is %s, want 0", raw)}
	}
	raw, ok = fields["ErrorInfo"]
	if !ok {
		return &Violation{"ErrorInfo", "ErrorInfo is missing, want a string (empty is fine)"}
	}
	if raw[0] != '"' {
		return &Violation{"ErrorInfo", fmt.Sprintf("ErrorInfo is %s, want a string", kindOf(raw))}
	}
	return nil
}

// kindOf describes a raw JSON value for a message, e.g. `the string "0"` or `the number 0.0`.
func kindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch c := raw[0]; {
	case c == '"':
		return "the string " + text.Excerpt(raw, 40)
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 'n':
		return "null"
	case c == 't' || c == 'f':
		return "the boolean " + string(raw)
	default:
		if len(raw) > 40 {
			return "the number " + string(raw[:40]) + "..."
		}
		return "the number " + string(raw)
	}
}
