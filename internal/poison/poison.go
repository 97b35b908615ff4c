// Package poison turns a test server that speaks JSON into a hostile one:
// every string value it answers with carries Payload — terminal escape
// sequences of every kind, C0 and C1 controls, bidi overrides, zero-width
// and TAG characters — so a test can check that none of it reaches a
// screen raw. Requests have the payload taken out again before the server
// sees them, so identifiers a client sends back (an id, a name in a path,
// a page token) still find what they name.
package poison

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
)

// Payload is what every poisoned string starts with: an OSC 8 hyperlink,
// an OSC 52 clipboard write, SGR, queries that make a terminal answer
// (cursor position, window title), a C1 CSI, APC, PM, SOS and DCS strings,
// a bell and DEL, bidi overrides and isolates, zero-width characters and
// TAG characters. Each is a way a view could be made to do something the
// console did not write.
const Payload = "\x1b]8;;https://evil.example/\x07ln\x1b]8;;\x07" +
	"\x1b]52;c;cHduZWQ=\x07" +
	"\x1b[31;1m" + "\x1b[6n\x1b[21t" + "\u009b2J" +
	"\x1b_Gapc\x1b\\" + "\x1b^pm\x1b\\" + "\x1bXsos\x1b\\" + "\x1bPqdcs\x1b\\" +
	"\x07\x7f\x01" +
	"\u202e\u2066\u200b\u200d\ufeff\u180e" +
	"\U000E0041\U000E007F" +
	"\u2028"

// machineValue matches strings a client parses rather than shows (times,
// dates, numbers): poisoning them would only make the answer unreadable,
// not test what is drawn.
var machineValue = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?|[+-]?\d+(\.\d+)?|true|false)$`)

// Handler serves next with every JSON string value in its answers
// poisoned, and Payload taken out of request bodies, paths and queries.
// skip(path) keeps an endpoint (a login, a token exchange) as it is.
func Handler(next http.Handler, skip func(path string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if skip != nil && skip(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		clean(r)
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.Contains(rec.Header().Get("Content-Type"), "json") {
			body = Bytes(body)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// Bytes poisons every string value of a JSON document, and the keys that
// are addresses (the field names stay as they are);
// what is not JSON is returned as it is.
func Bytes(doc []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return doc
	}
	out, err := json.Marshal(walk(v, String))
	if err != nil {
		return doc
	}
	return append(out, '\n')
}

// String poisons one value, unless a client must parse it.
func String(s string) string {
	if machineValue.MatchString(s) {
		return s
	}
	return Payload + s
}

// Strip takes the payload out of s.
func Strip(s string) string { return strings.ReplaceAll(s, Payload, "") }

func walk(v any, f func(string) string) any {
	switch v := v.(type) {
	case string:
		return f(v)
	case []any:
		for i := range v {
			v[i] = walk(v[i], f)
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if strings.Contains(k, "@") {
				// A key that is data, not a field name: an address, as in
				// Mimecast's deliveredMessage (recipient → delivery).
				k = f(k)
			}
			out[k] = walk(e, f)
		}
		return out
	}
	return v
}

// clean takes the payload out of what a client sent back: path
// segments, query values and JSON bodies. A request without the payload
// is left byte for byte as it was.
func clean(r *http.Request) {
	cleanURL(r.URL)
	if r.Body == nil {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) == nil {
		stripped := false
		v = walk(v, func(s string) string {
			if strings.Contains(s, Payload) {
				stripped = true
			}
			return Strip(s)
		})
		if out, err := json.Marshal(v); err == nil && stripped {
			body = out
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
}

func cleanURL(u *url.URL) {
	segs := strings.Split(u.EscapedPath(), "/")
	changed := false
	for i, seg := range segs {
		if raw, err := url.PathUnescape(seg); err == nil && strings.Contains(raw, Payload) {
			segs[i], changed = url.PathEscape(Strip(raw)), true
		}
	}
	if changed {
		if p, err := url.Parse(strings.Join(segs, "/")); err == nil {
			u.Path, u.RawPath = p.Path, p.RawPath
		}
	}
	q := u.Query()
	changed = false
	for _, vs := range q {
		for i, v := range vs {
			if strings.Contains(v, Payload) {
				vs[i], changed = Strip(v), true
			}
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
}
