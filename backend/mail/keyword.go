package mail

import (
	"fmt"
	"strconv"
	"strings"
)

// Categories are IMAP keywords. A keyword must be an atom: printable
// ASCII without space and without ( ) { % * " \ ], and must not start with
// a backslash. Category names analysts use ("Phish – confirmed") are not,
// so they are encoded reversibly under a prefix, and the encoding survives
// servers that lower-case keywords (imapmemserver does): only lower-case
// letters, digits, '-' and '.' stand for themselves, everything else is
// "_" and two hex digits of its UTF-8 bytes.
const keywordPrefix = "$mt_"

// MaxKeywordLength is Dovecot's default mail_max_keyword_length; longer
// keywords are refused rather than cut.
const MaxKeywordLength = 50

// EncodeKeyword turns a category name into the keyword stored on the
// server. Names that are valid atoms already are stored as they are.
func EncodeKeyword(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty category name")
	}
	kw := name
	if !IsAtom(name) || strings.HasPrefix(strings.ToLower(name), keywordPrefix) || name[0] == '\\' {
		kw = encodeName(name)
	}
	if len(kw) > MaxKeywordLength {
		return "", fmt.Errorf("category %q is too long for an IMAP keyword (%d of %d characters once encoded)", name, len(kw), MaxKeywordLength)
	}
	return kw, nil
}

func encodeName(name string) string {
	var b strings.Builder
	b.WriteString(keywordPrefix)
	for _, c := range []byte(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}

// MalformedKeyword stands in for a keyword a server sent that is not an
// IMAP atom (a quoted string, a ']' or a control byte in it): an atom
// that decodes to "⟨malformed keyword⟩" and the raw text, so the message
// still lists and the analyst sees (sanitized) what was there.
func MalformedKeyword(raw string) string { return encodeName("⟨malformed keyword⟩" + raw) }

// DecodeKeyword returns the category name a keyword stands for. Keywords
// that are not ours are returned as they are; so is anything malformed.
func DecodeKeyword(kw string) string {
	if len(kw) < len(keywordPrefix) || !strings.EqualFold(kw[:len(keywordPrefix)], keywordPrefix) {
		return kw
	}
	rest := kw[len(keywordPrefix):]
	out := make([]byte, 0, len(rest))
	for i := 0; i < len(rest); i++ {
		if rest[i] != '_' {
			out = append(out, rest[i])
			continue
		}
		if i+2 >= len(rest) {
			return kw
		}
		c, err := strconv.ParseUint(rest[i+1:i+3], 16, 8)
		if err != nil {
			return kw
		}
		out = append(out, byte(c))
		i += 2
	}
	return string(out)
}

// IsAtom reports whether s may be sent as an IMAP keyword as it is.
func IsAtom(s string) bool {
	if s == "" || s[0] == '\\' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// SameKeyword compares keywords as IMAP does: case-insensitively.
func SameKeyword(a, b string) bool { return strings.EqualFold(a, b) }
