package analysis

import (
	"encoding/base64"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// SanitizeHeader decodes a raw header field value and makes it safe to
// display. Decoding comes first so that an encoded word cannot hide control
// characters from the sanitizer.
func SanitizeHeader(s string) Text {
	return SanitizeLine(DecodeHeader(s))
}

// DecodeHeader unfolds a raw header field value and decodes its RFC 2047
// encoded words (=?charset?B|Q?text?=). The result is NOT safe to display.
//
// Any charset known to golang.org/x/text/encoding/htmlindex or ianaindex is
// accepted; UTF-8 and US-ASCII pass through byte for byte, so invalid bytes
// survive to be marked by the sanitizer. A word with an unknown charset or a
// malformed payload is left as is. Whitespace between adjacent encoded words
// is dropped, as RFC 2047 requires, and adjacent words in the same charset
// are decoded together, so a character split across two words (a common
// sender bug) comes out whole. Words are recognised even when not delimited
// by whitespace, as most mail clients do.
func DecodeHeader(s string) string {
	s = unfold(s)
	if !strings.Contains(s, "=?") {
		return s
	}
	d := headerDecoder{src: s}
	for pos := 0; pos < len(s); {
		i := strings.Index(s[pos:], "=?")
		if i < 0 {
			break
		}
		start := pos + i
		w, n, ok := parseWord(s[start:])
		if n == 0 {
			break // no "?=" anywhere further on: no more words to find
		}
		if ok {
			d.word(start, start+n, w)
		} else {
			d.literal(start + n)
		}
		pos = start + n
	}
	return d.finish()
}

// unfold removes the line breaks of folded header lines (CRLF or LF followed
// by a space or tab). A line break not followed by whitespace is left in
// place to be marked: in a parsed header it can only be an injection.
func unfold(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\r' && (strings.HasPrefix(s[i+1:], "\n ") || strings.HasPrefix(s[i+1:], "\n\t")):
			i++
		case s[i] == '\n' && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t'):
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// encodedWord is a decoded RFC 2047 word, still in its charset.
type encodedWord struct {
	charset string
	data    []byte
	enc     encoding.Encoding // nil for UTF-8 and US-ASCII
}

// parseWord parses the encoded word at the start of s, which begins with
// "=?". It returns the number of bytes the word spans, or, if the word is
// malformed, how many bytes to skip; n is 0 if no word can follow at all.
func parseWord(s string) (w encodedWord, n int, ok bool) {
	charset, rest, found := strings.Cut(s[2:], "?")
	if !found || charset == "" || len(rest) < 2 || rest[1] != '?' {
		return w, 2, false
	}
	code := rest[0]
	text, _, found := strings.Cut(rest[2:], "?=")
	if !found {
		// Later words would need a "?=" too: rest[2:] holds every later
		// "=?" of s, so give up on the whole remainder.
		return w, 0, false
	}
	n = 2 + len(charset) + 3 + len(text) + 2
	if i := strings.IndexByte(charset, '*'); i >= 0 {
		charset = charset[:i] // RFC 2231 language suffix
	}
	w.charset = strings.ToLower(charset)
	var known bool
	if w.enc, known = lookupCharset(w.charset); !known {
		return w, n, false
	}
	switch code {
	case 'B', 'b':
		w.data, ok = decodeB(text)
	case 'Q', 'q':
		w.data, ok = decodeQ(text)
	}
	return w, n, ok
}

// lookupCharset finds a decoder for charset; enc is nil if the bytes may
// be used as they are.
func lookupCharset(charset string) (enc encoding.Encoding, ok bool) {
	switch charset {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return nil, true
	}
	if e, err := htmlindex.Get(charset); err == nil {
		return e, true
	}
	if e, err := ianaindex.MIME.Encoding(charset); err == nil && e != nil {
		return e, true
	}
	return nil, false
}

func decodeB(text string) ([]byte, bool) {
	if b, err := base64.StdEncoding.DecodeString(text); err == nil {
		return b, true
	}
	// Tolerate missing or broken padding.
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "="))
	return b, err == nil
}

func decodeQ(text string) ([]byte, bool) {
	b := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '_':
			b = append(b, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			b = append(b, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		case c == '=':
			return nil, false
		default:
			b = append(b, c)
		}
	}
	return b, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// headerDecoder assembles the decoded form of src. Adjacent encoded words
// in one charset are held back in pending and converted together.
type headerDecoder struct {
	src     string
	out     strings.Builder
	done    int // src[:done] has been written or is pending
	pending encodedWord
	raw     int  // where the source text of the pending words starts
	open    bool // whether pending holds anything
}

// literal copies src[d.done:end] as it is.
func (d *headerDecoder) literal(end int) {
	d.flush()
	d.out.WriteString(d.src[d.done:end])
	d.done = end
}

// word adds w, which spans src[start:end]; src[d.done:start] is the literal
// text before it.
func (d *headerDecoder) word(start, end int, w encodedWord) {
	adjacent := d.open && strings.Trim(d.src[d.done:start], " \t") == ""
	switch {
	case adjacent && w.charset == d.pending.charset:
		d.pending.data = append(d.pending.data, w.data...)
		d.done = end
		return
	case adjacent:
		d.flush() // the whitespace between the words is dropped
	default:
		d.literal(start)
	}
	d.pending, d.raw, d.open, d.done = w, start, true, end
}

// flush converts the pending words. If conversion fails, their source
// text is kept instead.
func (d *headerDecoder) flush() {
	if !d.open {
		return
	}
	d.open = false
	data := d.pending.data
	if d.pending.enc != nil {
		var err error
		if data, err = d.pending.enc.NewDecoder().Bytes(data); err != nil {
			d.out.WriteString(d.src[d.raw:d.done])
			return
		}
	}
	d.out.Write(data)
}

func (d *headerDecoder) finish() string {
	d.literal(len(d.src))
	return d.out.String()
}
