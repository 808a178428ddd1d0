package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// RewriteValues returns body with the values fn replaces, every other byte as it was: the
// layout, the escapes, the numbers beyond 2^53. fn is called with each string, number, boolean
// and null as raw JSON, and the keys of the objects that lead to it (an array's elements have
// the array's path); it returns the replacement's raw JSON, or nil to keep the value. path is
// only valid during the call. A body that is not JSON is an error.
func RewriteValues(body []byte, fn func(path []string, raw []byte) []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	type frame struct {
		object    bool
		expectKey bool
		keys      int // len(path) inside this frame's members
	}
	var (
		out   bytes.Buffer
		done  int64 // body[:done] is in out
		stack []frame
		path  []string
	)
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
			path = path[:stack[n-1].keys-1]
		}
	}
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) && len(stack) == 0 && start > 0 {
				break
			}
			return body, fmt.Errorf("rewrite: %w", err)
		}
		end := d.InputOffset()
		if delim, ok := tok.(json.Delim); ok {
			switch delim {
			case '{':
				stack = append(stack, frame{object: true, expectKey: true, keys: len(path) + 1})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			stack[n-1].expectKey = false
			path = append(path[:stack[n-1].keys-1], tok.(string))
			continue
		}
		raw := body[start:end]
		raw = raw[bytes.IndexAny(raw, "\"-0123456789tfn"):]
		if repl := fn(path, raw); repl != nil {
			out.Write(body[done : end-int64(len(raw))])
			out.Write(repl)
			done = end
		}
		valueDone()
	}
	if done == 0 {
		return body, nil
	}
	out.Write(body[done:])
	return out.Bytes(), nil
}
