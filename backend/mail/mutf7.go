package mail

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Folder names travel in modified UTF-7 (RFC 3501 section 5.1.3). A name
// a server sends that is not valid mUTF-7 must not make the whole folder
// list fail: it is shown with its undecodable parts as markers and stays
// openable by its raw bytes (see the imap backend's tolerant transport).

var mutf7Base64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

// DecodeFolderName decodes raw, a folder name as a server sent it. exact
// says raw was valid modified UTF-7 (raw UTF-8 accepted, as IMAP clients
// do) and name is its decoding. Otherwise name shows every part that does
// not decode as a marker: ⟨&Jjo⟩ for a broken shift sequence, ⟨0xFF⟩ for
// a byte that is not UTF-8, ⟨0x01⟩ for a control character.
func DecodeFolderName(raw string) (name string, exact bool) {
	var b strings.Builder
	exact = utf8.ValidString(raw)
	afterShift := false // a shift sequence just ended: another may not follow at once
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&':
			end := strings.IndexByte(raw[i+1:], '-')
			if end < 0 { // unterminated: to the end
				b.WriteString(markSeq(raw[i:]))
				return b.String(), false
			}
			seq := raw[i+1 : i+1+end]
			i += end + 2
			if seq == "" {
				b.WriteByte('&')
				afterShift = false
				continue
			}
			text, ok := decodeShift(seq)
			if !ok || afterShift {
				b.WriteString(markSeq("&" + seq + "-"))
				exact = false
				afterShift = false
				continue
			}
			b.WriteString(text)
			afterShift = true
		case c >= 0x20 && c <= 0x7E:
			b.WriteByte(c)
			i++
			afterShift = false
		case c < utf8.RuneSelf: // controls: not allowed raw
			fmt.Fprintf(&b, "⟨0x%02X⟩", c)
			exact = false
			i++
			afterShift = false
		default:
			r, size := utf8.DecodeRuneInString(raw[i:])
			if r == utf8.RuneError && size == 1 {
				fmt.Fprintf(&b, "⟨0x%02X⟩", c)
				exact = false
			} else {
				b.WriteString(raw[i : i+size])
			}
			i += size
			afterShift = false
		}
	}
	return b.String(), exact
}

// markSeq shows a shift sequence that does not decode: printable ASCII as
// it is, anything else as its byte value.
func markSeq(seq string) string {
	var b strings.Builder
	b.WriteString("⟨")
	for i := 0; i < len(seq); i++ {
		if c := seq[i]; c >= 0x20 && c <= 0x7E && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02X", c)
		}
	}
	b.WriteString("⟩")
	return b.String()
}

// decodeShift decodes the base64 between '&' and '-': UTF-16BE without
// padding, which must not encode printable ASCII (that stands for itself)
// and must pair its surrogates.
func decodeShift(seq string) (string, bool) {
	if strings.ContainsAny(seq, "=\r\n") {
		return "", false
	}
	data, err := mutf7Base64.DecodeString(seq)
	if err != nil || len(data)%2 == 1 || len(data) == 0 {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(data); i += 2 {
		r := rune(data[i])<<8 | rune(data[i+1])
		switch {
		case utf16.IsSurrogate(r):
			if i += 2; i >= len(data) {
				return "", false
			}
			r = utf16.DecodeRune(r, rune(data[i])<<8|rune(data[i+1]))
			if r == utf8.RuneError {
				return "", false
			}
		case r >= 0x20 && r <= 0x7E:
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// RawFolderName undoes DecodeFolderName for a name it marked: it returns
// the raw name that is shown as shown, or false if shown has no markers
// of DecodeFolderName's. (A listed folder's raw name is known exactly;
// this serves a name given before any listing, as on the command line.)
func RawFolderName(shown string) (string, bool) {
	if !strings.Contains(shown, "⟨") {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(shown); {
		if !strings.HasPrefix(shown[i:], "⟨") {
			b.WriteByte(shown[i])
			i++
			continue
		}
		end := strings.Index(shown[i:], "⟩")
		if end < 0 {
			return "", false
		}
		inner := shown[i+len("⟨") : i+end]
		i += end + len("⟩")
		switch {
		case len(inner) == 4 && strings.HasPrefix(inner, "0x"):
			c, err := strconv.ParseUint(inner[2:], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(c))
		case strings.HasPrefix(inner, "&"):
			for j := 0; j < len(inner); j++ {
				if strings.HasPrefix(inner[j:], "\\x") && j+4 <= len(inner) {
					c, err := strconv.ParseUint(inner[j+2:j+4], 16, 8)
					if err != nil {
						return "", false
					}
					b.WriteByte(byte(c))
					j += 3
					continue
				}
				b.WriteByte(inner[j])
			}
		default:
			return "", false
		}
	}
	raw := b.String()
	if again, exact := DecodeFolderName(raw); exact || again != shown {
		return "", false
	}
	return raw, true
}

// EncodeFolderName encodes name in modified UTF-7, as IMAP clients send it.
func EncodeFolderName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); {
		c := name[i]
		if c >= 0x20 && c <= 0x7E {
			b.WriteByte(c)
			if c == '&' {
				b.WriteByte('-')
			}
			i++
			continue
		}
		start := i
		for i < len(name) && (name[i] < 0x20 || name[i] > 0x7E) {
			i++
		}
		var units []byte
		for _, r := range name[start:i] { // invalid bytes become U+FFFD
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				units = append(units, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			} else {
				units = append(units, byte(r>>8), byte(r))
			}
		}
		b.WriteByte('&')
		b.WriteString(mutf7Base64.EncodeToString(units))
		b.WriteByte('-')
	}
	return b.String()
}
