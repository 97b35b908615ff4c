package reported

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/mailtriage/mailtriage/backend/analysis"
	mtmail "github.com/mailtriage/mailtriage/backend/mail"
)

// maxKeyBody bounds the body text hashed for a case key.
const maxKeyBody = 1 << 20

// CaseKey names the case an original belongs to: "mid:" and its
// Message-ID without brackets (as written: ids are case-sensitive), else
// BodyKey of it.
func CaseKey(raw []byte) string {
	return caseKeyOf(mtmail.ParseMessage(raw))
}

func caseKeyOf(p *mtmail.Parsed) string {
	if id := messageID(p); id != "" {
		return "mid:" + id
	}
	return BodyKey(p.Text, p.HTML)
}

func messageID(p *mtmail.Parsed) string {
	id := strings.TrimSpace(headerValue(p.Header, "Message-ID"))
	id = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">"))
	if strings.ContainsAny(id, " \t<>") || len(id) > 998 {
		return "" // not an id: a hostile or broken field is no case key
	}
	return id
}

// BodyKey is "body:" and the first 32 hex digits of the SHA-256 of the
// normalised body: the text part, else the HTML part as text. The
// normalisation makes the copies that reach different reporters — and
// the quoted copy in an inline forward — hash alike:
//
//   - at most the first MiB of the body is read;
//   - quote markers (">" with the spaces around them) at the start of a
//     line are removed;
//   - invisible format characters (zero-width, bidi controls, soft hyphen:
//     Unicode category Cf) are dropped;
//   - letters are lower-cased;
//   - every run of white space (including no-break spaces and line
//     breaks) becomes one space, and leading and trailing space goes.
func BodyKey(text, html string) string {
	body := text
	if strings.TrimSpace(body) == "" {
		body = analysis.HTMLToText(html, maxKeyBody)
	}
	sum := sha256.Sum256([]byte(normaliseBody(body)))
	return "body:" + hex.EncodeToString(sum[:16])
}

func normaliseBody(body string) string {
	if len(body) > maxKeyBody {
		body = body[:maxKeyBody]
	}
	var b strings.Builder
	space := false
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimLeft(line, " \t")
		for strings.HasPrefix(line, ">") {
			line = strings.TrimLeft(line[1:], " \t")
		}
		for _, r := range line + "\n" {
			switch {
			case unicode.Is(unicode.Cf, r):
			case unicode.IsSpace(r):
				space = true
			default:
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

// comment is the reporter's text: the text part, else the HTML part as
// text, trimmed and cut to max bytes.
func comment(text, html string, max int) string {
	if strings.TrimSpace(text) == "" {
		text = analysis.HTMLToText(html, max*4)
	}
	return capText(strings.TrimSpace(text), max)
}
