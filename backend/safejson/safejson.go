// Package safejson writes JSON for machine output (pull, watch, folders,
// act, the audit log) that stays data on a terminal too: Go's
// encoding/json leaves DEL, C1 controls, bidi controls and invisible
// characters raw inside strings, where a terminal acts on them or a
// reader misses them. Here every character analysis.Hidden names is
// written as a \u escape; the JSON decodes to exactly the same values.
package safejson

import (
	"encoding/json"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/mailtriage/mailtriage/backend/analysis"
)

// Marshal is json.Marshal with hidden characters escaped.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Escape(b), nil
}

// MarshalIndent is json.MarshalIndent with hidden characters escaped.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := json.MarshalIndent(v, prefix, indent)
	if err != nil {
		return nil, err
	}
	return Escape(b), nil
}

// Encoder writes values as JSON text, one a line, as json.Encoder does,
// with hidden characters escaped.
type Encoder struct {
	w              io.Writer
	prefix, indent string
}

// NewEncoder writes to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// SetIndent indents as json.Encoder.SetIndent does.
func (e *Encoder) SetIndent(prefix, indent string) { e.prefix, e.indent = prefix, indent }

// Encode writes v and a newline in one Write, so that an interrupted
// writer never leaves half a value.
func (e *Encoder) Encode(v any) error {
	var b []byte
	var err error
	if e.indent == "" && e.prefix == "" {
		b, err = Marshal(v)
	} else {
		b, err = MarshalIndent(v, e.prefix, e.indent)
	}
	if err != nil {
		return err
	}
	_, err = e.w.Write(append(b, '\n'))
	return err
}

// Escape rewrites valid JSON text so that every hidden character inside
// its strings is a \u escape (a surrogate pair beyond U+FFFF). Outside
// strings JSON holds only ASCII, which is left alone.
func Escape(src []byte) []byte {
	if !needsEscape(src) {
		return src
	}
	out := make([]byte, 0, len(src)+len(src)/8)
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if c == 0x7F {
				out = appendEscape(out, rune(c))
			} else {
				out = append(out, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r != utf8.RuneError || size > 1 {
			if analysis.Hidden(r) {
				out = appendEscape(out, r)
				i += size
				continue
			}
		}
		out = append(out, src[i:i+size]...)
		i += size
	}
	return out
}

// needsEscape is the fast path: most records hold nothing to escape.
func needsEscape(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == 0x7F {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if analysis.Hidden(r) {
			return true
		}
		i += size
	}
	return false
}

const hexDigits = "0123456789abcdef"

func appendEscape(out []byte, r rune) []byte {
	if r > 0xFFFF {
		hi, lo := utf16.EncodeRune(r)
		return appendEscape(appendEscape(out, hi), lo)
	}
	return append(out, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

// Clean reports whether b, machine output, holds no control character
// but line breaks and tabs, and no other hidden character: what the tests
// of every machine output check.
func Clean(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\n' && c != '\t' {
			return false
		}
	}
	return !needsEscape(b)
}
