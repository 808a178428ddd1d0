package receiver

import (
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
)

// maxPlainParams bounds the parameters of a query parsed without url.ParseQuery.
const maxPlainParams = 16

// query is a request's query as url.ParseQuery parses it. A query with nothing to unescape and
// no semicolon, as webhooks come, is cut into pairs in place, without a map or a slice per name.
type query struct {
	values url.Values // when url.ParseQuery parsed it
	n      int
	pairs  [maxPlainParams]struct{ name, value string }
}

// parseQueryAllowed is false when a GODEBUG may cap the count of query parameters, which only
// url.ParseQuery knows. It is found out at the first webhook, not at every program's start.
var parseQueryAllowed = sync.OnceValue(func() bool {
	if strings.Contains(os.Getenv("GODEBUG"), "urlmaxqueryparams") {
		return false
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "DefaultGODEBUG" && strings.Contains(s.Value, "urlmaxqueryparams") {
				return false
			}
		}
	}
	return true
})

// parse parses raw; the error is url.ParseQuery's.
func (q *query) parse(raw string) error {
	if !plainQuery(raw) {
		var err error
		q.values, err = url.ParseQuery(raw)
		return err
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		p := &q.pairs[q.n]
		p.name, p.value, _ = strings.Cut(pair, "=")
		q.n++
	}
	return nil
}

// plainQuery reports whether raw has nothing to unescape, no semicolon, and few enough
// parameters for the pairs.
func plainQuery(raw string) bool {
	// IndexByte, unlike ContainsAny, looks at many bytes at a time.
	return parseQueryAllowed() && strings.IndexByte(raw, '%') < 0 && strings.IndexByte(raw, '+') < 0 &&
		strings.IndexByte(raw, ';') < 0 && strings.Count(raw, "&") < maxPlainParams
}

// Get returns the first value of name, "" when there is none.
func (q *query) Get(name string) string {
	if q.values != nil {
		return q.values.Get(name)
	}
	for _, p := range q.pairs[:q.n] {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// Has reports whether name is in the query.
func (q *query) Has(name string) bool {
	if q.values != nil {
		return q.values.Has(name)
	}
	for _, p := range q.pairs[:q.n] {
		if p.name == name {
			return true
		}
	}
	return false
}
