//go:build goexperiment.jsonv2

package webhook

import (
	"encoding/json/jsontext"
	"strings"
	"testing"
)

// FuzzStrictJSONAgainstJSONText compares the scanner's JSON rules (syntax, UTF-8, surrogate
// pairs, each key once) with those of encoding/json/jsontext, which holds the same ones by
// default. Run it with GOEXPERIMENT=jsonv2:
//
//	GOEXPERIMENT=jsonv2 go test ./webhook -run x -fuzz FuzzStrictJSONAgainstJSONText
func FuzzStrictJSONAgainstJSONText(f *testing.F) {
	for _, s := range []string{`1`, `"\ud800"`, `"\ud83d\ude00"`, `{"a":1,"\u0061":2}`, "\"\xed\xa0\x80\"", `[1,]`, `01`, `-`, `1e`, `"\u00zz"`, ` {} `, `[[[]]]`, `"a\tb"`, `1,"y":2`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		wrapped := append(append([]byte(`{"x":`), b...), '}')
		p := parsers.Get().(*parser)
		defer p.release()
		err := p.body("", wrapped, nil)
		if err != nil && strings.Contains(err.Error(), "nests deeper") {
			return
		}
		if want := jsontext.Value(wrapped).IsValid(); want != (err == nil) {
			t.Fatalf("scanner says %v, jsontext %v: %q", err, want, wrapped)
		}
	})
}
