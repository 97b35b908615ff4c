package analysis

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLiveURL bounds a URL copied live: no honest link is longer, and a
// longer one cannot be checked by eye before it is pasted.
const maxLiveURL = 2048

// shellMeta are characters a shell acts on. A URL that holds one raw
// (not percent-encoded) is refused: pasted into a terminal it could run a
// command, and an honest link has them encoded.
const shellMeta = ";$`()|&<>\\'\"{}!*"

// LiveCopyURL checks raw, a link's target, before it goes live to the
// clipboard and returns what would be copied, or why it may not be. Only
// an absolute http or https URL with a host is allowed, that parses
// cleanly, and holds no white space, control, bidi, invisible or other
// hidden character and no raw shell metacharacter. javascript:, data:
// and every other scheme never go live: copy them defanged.
func LiveCopyURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("no URL")
	}
	if len(raw) > maxLiveURL {
		return "", fmt.Errorf("longer than %d bytes", maxLiveURL)
	}
	if why := liveChars(raw); why != "" {
		return "", errors.New(why)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("does not parse as a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "", errors.New("not an absolute URL")
	default:
		return "", fmt.Errorf("%s: URLs are never copied live", SanitizeLine(strings.ToLower(u.Scheme)))
	}
	if u.Host == "" || u.Opaque != "" {
		return "", errors.New("no host")
	}
	if u.User != nil {
		return "", errors.New("holds a user name before the host (user@host)")
	}
	return raw, nil
}

// liveChars says what in s keeps it from being copied live, or "".
func liveChars(s string) string {
	if !utf8.ValidString(s) {
		return "holds bytes that are not UTF-8"
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			return "holds white space"
		case Hidden(r):
			return "holds a hidden character " + SanitizeLine(string(r)).String()
		case strings.ContainsRune(shellMeta, r):
			return fmt.Sprintf("holds %q, which a shell acts on (an honest link has it percent-encoded)", r)
		}
	}
	return ""
}
