package graph

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// searchFields is what a search needs back: ids and dates for the UID map,
// and what a client-side filter tests.
const searchFields = stateFields + ",from,internetMessageId"

// cond is one condition Graph can $filter on, with the same test in Go for
// when it has to run beside a $search (Graph refuses the two together).
type cond struct {
	odata string
	match func(*message) bool
}

// compiled is a query split into $filter conditions and KQL clauses.
type compiled struct {
	filter []cond
	kql    []string
	none   bool // nothing can match (is:deleted: Graph has no such state)
}

func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// kqlValue quotes a value for KQL; quotes inside cannot be escaped in
// KQL, so they are dropped.
func kqlValue(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "") + `"`
}

func isAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t*\"'")
}

func compile(q mail.Query) (compiled, error) {
	var c compiled
	if !q.Since.IsZero() {
		since := q.Since
		c.filter = append(c.filter, cond{"receivedDateTime ge " + since.UTC().Format(time.RFC3339), func(m *message) bool { return !m.ReceivedDateTime.Before(since) }})
	}
	if !q.Before.IsZero() {
		before := q.Before
		c.filter = append(c.filter, cond{"receivedDateTime lt " + before.UTC().Format(time.RFC3339), func(m *message) bool { return m.ReceivedDateTime.Before(before) }})
	}
	for _, t := range q.Terms {
		switch t.Field {
		case mail.FieldIs:
			want := true
			var cd cond
			switch t.Value {
			case "unread", "read":
				want = t.Value == "read"
				if t.Not {
					want = !want
				}
				cd = cond{"isRead eq " + strconv.FormatBool(want), func(m *message) bool { return m.IsRead == want }}
			case "flagged", "unflagged":
				want = t.Value == "flagged"
				if t.Not {
					want = !want
				}
				op := "eq"
				if !want {
					op = "ne"
				}
				cd = cond{"flag/flagStatus " + op + " 'flagged'", func(m *message) bool { return m.flagged() == want }}
			case "deleted":
				if !t.Not {
					c.none = true
				}
				continue
			default:
				return c, fmt.Errorf("is:%s is not known", t.Value)
			}
			c.filter = append(c.filter, cd)
		case mail.FieldTag:
			name := mail.DecodeKeyword(t.Value)
			expr := "categories/any(c:c eq " + odataString(name) + ")"
			has := func(m *message) bool {
				for _, cat := range m.Categories {
					if strings.EqualFold(cat, name) {
						return true
					}
				}
				return false
			}
			if t.Not {
				c.filter = append(c.filter, cond{"not(" + expr + ")", func(m *message) bool { return !has(m) }})
			} else {
				c.filter = append(c.filter, cond{expr, has})
			}
		case mail.FieldMessageID:
			id := "<" + trimID(t.Value) + ">"
			op, not := "eq", t.Not
			if not {
				op = "ne"
			}
			c.filter = append(c.filter, cond{"internetMessageId " + op + " " + odataString(id), func(m *message) bool {
				return strings.EqualFold(m.InternetMessageID, id) != not
			}})
		case mail.FieldFrom:
			if isAddress(t.Value) {
				addr, not := t.Value, t.Not
				op := "eq"
				if not {
					op = "ne"
				}
				c.filter = append(c.filter, cond{"from/emailAddress/address " + op + " " + odataString(addr), func(m *message) bool {
					return (m.From != nil && strings.EqualFold(m.From.EmailAddress.Address, addr)) != not
				}})
				continue
			}
			c.kql = append(c.kql, kqlClause("from", t))
		case mail.FieldTo, mail.FieldSubject, mail.FieldBody:
			c.kql = append(c.kql, kqlClause(string(t.Field), t))
		case mail.FieldText:
			c.kql = append(c.kql, kqlClause("", t))
		default:
			return c, fmt.Errorf("unknown search field %q", t.Field)
		}
	}
	return c, nil
}

func kqlClause(field string, t mail.Term) string {
	s := kqlValue(t.Value)
	if field != "" {
		s = field + ":" + s
	}
	if t.Not {
		s = "NOT " + s
	}
	return s
}

// query returns the query string of the search request: $filter alone,
// or $search alone (the filter then runs here, see matches).
func (c compiled) query(pageSize int) string {
	v := url.Values{}
	v.Set("$top", strconv.Itoa(pageSize))
	v.Set("$select", searchFields)
	if len(c.kql) > 0 {
		v.Set("$search", `"`+strings.ReplaceAll(strings.Join(c.kql, " AND "), `"`, `\"`)+`"`)
	} else if len(c.filter) > 0 {
		exprs := make([]string, len(c.filter))
		for i, f := range c.filter {
			exprs[i] = f.odata
		}
		v.Set("$filter", strings.Join(exprs, " and "))
	}
	return v.Encode()
}

// matches applies the filter conditions client-side, for a $search.
func (c compiled) matches(m *message) bool {
	for _, f := range c.filter {
		if !f.match(m) {
			return false
		}
	}
	return true
}

// Search compiles q to $filter and/or KQL $search and returns the UIDs of
// the matches. Graph returns at most 1,000 matches of a $search.
func (m *Mailbox) Search(ctx context.Context, folder string, q mail.Query) (mail.FolderRef, []mail.UID, error) {
	c, err := compile(q)
	if err != nil {
		return mail.FolderRef{}, nil, err
	}
	id, err := m.folderID(ctx, folder)
	if err != nil {
		return mail.FolderRef{}, nil, err
	}
	m.mu.Lock()
	ref := mail.FolderRef{Name: folder, UIDValidity: m.state(id).validity}
	m.mu.Unlock()
	if c.none {
		return ref, nil, nil
	}
	msgs, err := getAll[message](ctx, m, "/mailFolders/"+url.PathEscape(id)+"/messages?"+c.query(m.cfg.PageSize))
	if err != nil {
		return ref, nil, fmt.Errorf("search %q: %w", folder, err)
	}
	if len(c.kql) > 0 && len(c.filter) > 0 {
		kept := msgs[:0]
		for i := range msgs {
			if c.matches(&msgs[i]) {
				kept = append(kept, msgs[i])
			}
		}
		msgs = kept
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.state(id)
	var uids []mail.UID
	err = f.update(func() error { uids = f.assign(msgs); return nil })
	now := time.Now()
	f.pruneSeen(now)
	for _, msg := range msgs {
		if _, ok := f.byID[msg.ID]; ok {
			f.seen[msg.ID] = stateSample{msg: msg, at: now}
		}
	}
	return ref, uids, err
}
