package mail

import (
	"bytes"
	"fmt"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

// maxFieldBytes bounds one unfolded header field of a part while the shape
// is walked. A Content-Type field longer than that is itself a cap: its
// boundary could not be read as the parser would read it.
const maxFieldBytes = 16 << 10

// mimeShape walks the raw message line by line, following the multipart
// boundaries declared in part headers as the parser does, and returns the
// offset of the first line past the limits (len(raw) when none is
// exceeded) and why. It costs one pass and O(depth) per line, so it runs
// before the parser, whose cost doubles with each level of unterminated
// nesting and which has no limits of its own.
//
// Where the walk and the parser could disagree, the walk errs towards
// deeper nesting: a boundary is taken from any Content-Type field, in any
// spelling the parser reads (RFC 2231 continuations, spaces around '=',
// any case), and a delimiter anywhere on a line opens a part, while only
// a terminator at the start of a line closes one.
func mimeShape(raw []byte, maxDepth, maxParts int) (cut int, why string) {
	w := shapeWalk{maxDepth: maxDepth, maxParts: maxParts, inHeader: true}
	for off := 0; off < len(raw); {
		next := len(raw)
		if end := bytes.IndexByte(raw[off:], '\n'); end >= 0 {
			next = off + end + 1
		}
		if why := w.line(bytes.TrimRight(raw[off:next], "\r\n")); why != "" {
			return off, why
		}
		off = next
	}
	return len(raw), ""
}

type shapeWalk struct {
	maxDepth, maxParts int
	stack              [][]byte // open boundaries, innermost last
	inHeader           bool
	field              []byte // the header field being gathered, unfolded
	long               bool   // field was longer than maxFieldBytes
	boundary           []byte // of the part whose header is being read
	parts              int
}

// line takes one line (without its line break) and returns why the walk
// must stop there, or "".
func (w *shapeWalk) line(line []byte) string {
	if w.inHeader {
		return w.headerLine(line)
	}
	if len(w.stack) > 0 && bytes.Contains(line, []byte("--")) {
		return w.bodyLine(line)
	}
	return ""
}

func (w *shapeWalk) headerLine(line []byte) string {
	switch {
	case len(line) == 0:
		if why := w.endField(); why != "" {
			return why
		}
		w.inHeader = false
		if w.boundary != nil {
			if len(w.stack) >= w.maxDepth {
				return fmt.Sprintf("MIME nesting deeper than %d levels", w.maxDepth)
			}
			w.stack = append(w.stack, w.boundary)
			w.boundary = nil
		}
	case line[0] == ' ' || line[0] == '\t':
		w.add(line)
	default:
		if why := w.endField(); why != "" {
			return why
		}
		w.add(line)
	}
	return ""
}

func (w *shapeWalk) add(line []byte) {
	if room := maxFieldBytes - len(w.field); room < len(line) {
		line, w.long = line[:max(room, 0)], true
	}
	w.field = append(w.field, line...)
}

// endField looks at the field just gathered for a boundary.
func (w *shapeWalk) endField() string {
	defer func() { w.field, w.long = w.field[:0], false }()
	name, value, ok := bytes.Cut(w.field, []byte(":"))
	if !ok || !bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Type")) {
		return ""
	}
	if w.long {
		return fmt.Sprintf("a Content-Type field longer than %d bytes", maxFieldBytes)
	}
	if w.boundary == nil {
		w.boundary = boundaryParam(string(value))
	}
	return ""
}

// bodyLine matches line against the open boundaries, innermost first.
func (w *shapeWalk) bodyLine(line []byte) string {
	for i := len(w.stack) - 1; i >= 0; i-- {
		b := w.stack[i]
		if terminates(line, b) {
			w.stack = w.stack[:i]
			return ""
		}
		if delimits(line, b) {
			if w.parts++; w.parts > w.maxParts {
				return fmt.Sprintf("more than %d MIME parts", w.maxParts)
			}
			w.stack = w.stack[:i+1]
			w.inHeader, w.boundary = true, nil
			return ""
		}
	}
	return ""
}

// terminates reports whether line is "--boundary--" (trailing space allowed).
func terminates(line, b []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("--"))
	if !ok {
		return false
	}
	rest, ok = bytes.CutPrefix(rest, b)
	return ok && bytes.HasPrefix(rest, []byte("--"))
}

// delimits reports whether line holds "--boundary" followed by white space
// or the line's end, anywhere: the parser accepts the first delimiter of a
// multipart after any preamble on its line.
func delimits(line, b []byte) bool {
	for s := line; ; {
		i := bytes.Index(s, []byte("--"))
		if i < 0 {
			return false
		}
		s = s[i+2:]
		if rest, ok := bytes.CutPrefix(s, b); ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t') {
			return true
		}
	}
}

// boundaryParam returns the boundary a Content-Type value declares, read
// with the parser's own media type reader (which joins RFC 2231
// continuations and tolerates odd spacing), or nil. Any media type counts:
// the parser treats a part with a boundary as multipart unless it is
// text/plain or text/html.
func boundaryParam(value string) []byte {
	_, params, _, err := mediatype.Parse(value)
	if err != nil || params["boundary"] == "" {
		return nil
	}
	return []byte(params["boundary"])
}
