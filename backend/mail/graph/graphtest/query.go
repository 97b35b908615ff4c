package graphtest

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// splitTop splits s on sep outside quotes and parentheses.
func splitTop(s, sep string) []string {
	var out []string
	depth, inQ, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			inQ = !inQ
		case inQ:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], sep):
			out = append(out, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, s[start:])
}

var anyCategory = regexp.MustCompile(`^categories/any\((\w+):(\w+) eq '((?:[^']|'')*)'\)$`)

func unquote(v string) (string, error) {
	if len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
		return "", fmt.Errorf("%s is not a string literal", v)
	}
	return strings.ReplaceAll(v[1:len(v)-1], "''", "'"), nil
}

// parseFilter understands the $filter subset the graph backend sends:
// clauses joined with "and", each optionally under not(…).
func parseFilter(expr string) (func(*msg) bool, error) {
	var preds []func(*msg) bool
	for _, clause := range splitTop(expr, " and ") {
		p, err := parseClause(strings.TrimSpace(clause))
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return func(m *msg) bool {
		for _, p := range preds {
			if !p(m) {
				return false
			}
		}
		return true
	}, nil
}

func parseClause(c string) (func(*msg) bool, error) {
	if inner, ok := strings.CutPrefix(c, "not("); ok && strings.HasSuffix(inner, ")") {
		p, err := parseClause(inner[:len(inner)-1])
		if err != nil {
			return nil, err
		}
		return func(m *msg) bool { return !p(m) }, nil
	}
	if g := anyCategory.FindStringSubmatch(c); g != nil {
		if g[1] != g[2] {
			return nil, fmt.Errorf("lambda variable %s is not %s", g[2], g[1])
		}
		name := strings.ReplaceAll(g[3], "''", "'")
		return func(m *msg) bool {
			for _, cat := range m.categories {
				if strings.EqualFold(cat, name) {
					return true
				}
			}
			return false
		}, nil
	}
	field, rest, _ := strings.Cut(c, " ")
	op, val, ok := strings.Cut(rest, " ")
	if !ok {
		return nil, fmt.Errorf("cannot read %q", c)
	}
	cmpStr := func(get func(*msg) string) (func(*msg) bool, error) {
		s, err := unquote(val)
		if err != nil {
			return nil, err
		}
		switch op {
		case "eq":
			return func(m *msg) bool { return strings.EqualFold(get(m), s) }, nil
		case "ne":
			return func(m *msg) bool { return !strings.EqualFold(get(m), s) }, nil
		}
		return nil, fmt.Errorf("operator %s is not supported on %s", op, field)
	}
	switch field {
	case "isRead":
		if op != "eq" || val != "true" && val != "false" {
			return nil, fmt.Errorf("isRead takes eq true|false")
		}
		want := val == "true"
		return func(m *msg) bool { return m.isRead == want }, nil
	case "flag/flagStatus":
		return cmpStr(func(m *msg) string { return cmpOr(m.flag, "notFlagged") })
	case "from/emailAddress/address":
		return cmpStr(func(m *msg) string {
			if m.from == nil {
				return ""
			}
			return m.from.Addr
		})
	case "internetMessageId":
		return cmpStr(func(m *msg) string { return m.messageID })
	case "receivedDateTime":
		t, err := time.Parse(time.RFC3339, val)
		if err != nil {
			return nil, fmt.Errorf("%s is not a DateTimeOffset", val)
		}
		switch op {
		case "ge":
			return func(m *msg) bool { return !m.received.Before(t) }, nil
		case "gt":
			return func(m *msg) bool { return m.received.After(t) }, nil
		case "lt":
			return func(m *msg) bool { return m.received.Before(t) }, nil
		case "le":
			return func(m *msg) bool { return !m.received.After(t) }, nil
		}
		return nil, fmt.Errorf("operator %s is not supported on receivedDateTime", op)
	}
	return nil, fmt.Errorf("property %s is not filterable in the emulator", field)
}

// parseSearch understands the KQL subset the backend sends: the whole
// query in double quotes (inner quotes escaped \"), clauses joined with
// AND, each field:value, field:"value" or a bare value, optionally NOT.
func parseSearch(raw string) (func(*msg) bool, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, fmt.Errorf("the search value must be in double quotes")
	}
	s := strings.ReplaceAll(raw[1:len(raw)-1], `\"`, `"`)
	var toks []string
	var cur strings.Builder
	inQ := false
	for _, r := range s {
		switch {
		case r == '"':
			inQ = !inQ
		case r == ' ' && !inQ:
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if inQ {
		return nil, fmt.Errorf("unclosed quote")
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	var preds []func(*msg) bool
	not := false
	for _, t := range toks {
		switch t {
		case "AND":
			continue
		case "NOT":
			not = true
			continue
		case "OR":
			return nil, fmt.Errorf("OR is not supported by the emulator")
		}
		field, val, ok := strings.Cut(t, ":")
		if !ok {
			field, val = "", t
		}
		get, err := searchField(field)
		if err != nil {
			return nil, err
		}
		val = strings.ToLower(val)
		neg := not
		preds = append(preds, func(m *msg) bool { return strings.Contains(strings.ToLower(get(m)), val) != neg })
		not = false
	}
	return func(m *msg) bool {
		for _, p := range preds {
			if !p(m) {
				return false
			}
		}
		return true
	}, nil
}

func addrText(as ...address) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString(a.Name + " <" + a.Addr + "> ")
	}
	return b.String()
}

func searchField(field string) (func(*msg) string, error) {
	from := func(m *msg) string {
		if m.from == nil {
			return ""
		}
		return addrText(*m.from)
	}
	switch strings.ToLower(field) {
	case "from":
		return from, nil
	case "to":
		return func(m *msg) string { return addrText(m.to...) + addrText(m.cc...) }, nil
	case "subject":
		return func(m *msg) string { return m.subject }, nil
	case "body":
		return func(m *msg) string { return m.body }, nil
	case "":
		return func(m *msg) string { return from(m) + " " + m.subject + " " + m.body }, nil
	}
	return nil, fmt.Errorf("property %s is not searchable in the emulator", field)
}
