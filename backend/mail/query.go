package mail

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Query is a parsed search, in the query language of the design notes:
// from: to: subject: body: text: since:YYYY-MM-DD before:YYYY-MM-DD
// is:unread is:read is:flagged is:unflagged is:deleted tag:NAME
// message-id:ID in:all and
// bare words (= text:). Values with spaces are quoted ("..."); a leading
// '-' negates a term. All terms must match.
type Query struct {
	Terms []Term
	// Since and Before bound the arrival date (calendar days, as IMAP
	// compares them); zero means unbounded.
	Since, Before time.Time
	// AllFolders is in:all: search every folder and merge.
	AllFolders bool
}

// Field is what a Term matches.
type Field string

// Term fields.
const (
	FieldFrom    Field = "from"
	FieldTo      Field = "to"
	FieldSubject Field = "subject"
	FieldBody    Field = "body"
	FieldText    Field = "text"
	FieldTag     Field = "tag"
	FieldIs      Field = "is" // Value is unread, read, flagged, unflagged or deleted
	// FieldMessageID matches the Message-ID header (with or without <>).
	FieldMessageID Field = "message-id"
)

// Term is one condition of a Query.
type Term struct {
	Field Field
	Value string
	Not   bool
}

var isValues = map[string]bool{"unread": true, "read": true, "flagged": true, "unflagged": true, "deleted": true}

// ParseQuery parses the search language. Unknown "key:" prefixes are taken
// as plain words, so that a pasted URL searches as text.
func ParseQuery(s string) (Query, error) {
	var q Query
	toks, err := tokenize(s)
	if err != nil {
		return q, err
	}
	for _, tok := range toks {
		if err := q.add(tok); err != nil {
			return Query{}, err
		}
	}
	if q.Empty() {
		return q, fmt.Errorf("empty search")
	}
	return q, nil
}

func (q *Query) add(tok token) error {
	key, val, hasKey := strings.Cut(tok.text, ":")
	if !hasKey || tok.quotedKey {
		if tok.text == "" {
			return nil // "" searches for nothing
		}
		q.Terms = append(q.Terms, Term{Field: FieldText, Value: tok.text, Not: tok.not})
		return nil
	}
	key = strings.ToLower(key)
	switch Field(key) {
	case FieldFrom, FieldTo, FieldSubject, FieldBody, FieldText, FieldTag, FieldMessageID:
		if val == "" {
			return fmt.Errorf("%s: needs a value", key)
		}
		q.Terms = append(q.Terms, Term{Field: Field(key), Value: val, Not: tok.not})
		return nil
	case FieldIs:
		val = strings.ToLower(val)
		if !isValues[val] {
			return fmt.Errorf("is:%s: use is:unread, is:read, is:flagged, is:unflagged or is:deleted", val)
		}
		q.Terms = append(q.Terms, Term{Field: FieldIs, Value: val, Not: tok.not})
		return nil
	}
	switch key {
	case "since", "before":
		d, err := time.ParseInLocation("2006-01-02", val, time.UTC)
		if err != nil {
			return fmt.Errorf("%s:%s: dates are YYYY-MM-DD", key, val)
		}
		if key == "since" {
			q.Since = d
		} else {
			q.Before = d
		}
		return nil
	case "in":
		if strings.ToLower(val) != "all" {
			return fmt.Errorf("in:%s: only in:all is known (open the folder to search it)", val)
		}
		q.AllFolders = true
		return nil
	}
	q.Terms = append(q.Terms, Term{Field: FieldText, Value: tok.text, Not: tok.not})
	return nil
}

// Empty reports a query with no condition at all.
func (q Query) Empty() bool {
	return len(q.Terms) == 0 && q.Since.IsZero() && q.Before.IsZero()
}

// String writes the query back in canonical form.
func (q Query) String() string {
	var parts []string
	for _, t := range q.Terms {
		p := string(t.Field) + ":" + quoteValue(t.Value)
		if t.Not {
			p = "-" + p
		}
		parts = append(parts, p)
	}
	if !q.Since.IsZero() {
		parts = append(parts, "since:"+q.Since.Format("2006-01-02"))
	}
	if !q.Before.IsZero() {
		parts = append(parts, "before:"+q.Before.Format("2006-01-02"))
	}
	if q.AllFolders {
		parts = append(parts, "in:all")
	}
	return strings.Join(parts, " ")
}

func quoteValue(v string) string {
	if v != "" && !strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '"' }) {
		return v
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

type token struct {
	text      string
	not       bool
	quotedKey bool // the colon was inside quotes: "a:b" is a word
}

// tokenize splits on spaces outside double quotes; key:"quoted value"
// keeps the key. Inside quotes, backslash escapes a quote or a backslash.
func tokenize(s string) ([]token, error) {
	var out []token
	var cur strings.Builder
	var tok token
	inQuote, started, quotedAt := false, false, -1
	flush := func() {
		if started {
			tok.text = cur.String()
			tok.quotedKey = quotedAt >= 0 && quotedAt <= strings.Index(tok.text, ":")
			out = append(out, tok)
		}
		cur.Reset()
		tok, started, quotedAt = token{}, false, -1
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case inQuote && r == '\\' && i+1 < len(rs) && (rs[i+1] == '"' || rs[i+1] == '\\'):
			cur.WriteRune(rs[i+1])
			i++
		case r == '"':
			if !inQuote && quotedAt < 0 {
				quotedAt = cur.Len()
			}
			inQuote = !inQuote
			started = true
		case !inQuote && unicode.IsSpace(r):
			flush()
		case !inQuote && r == '-' && !started:
			tok.not = true
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unclosed quote")
	}
	flush()
	return out, nil
}
