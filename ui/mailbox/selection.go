package mailbox

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// The selection is a set of UIDs of the open folder (or search result).
// Actions apply to the selection when there is one, otherwise to the
// message under the cursor.

// targets are the UIDs an action applies to, ascending.
func (m *Model) targets() ([]mail.UID, error) {
	f := m.open
	if f == nil || !f.loaded || len(f.uids) == 0 {
		return nil, errors.New("no message selected")
	}
	if len(f.marked) > 0 {
		out := make([]mail.UID, 0, len(f.marked))
		for _, uid := range f.uids {
			if f.marked[uid] {
				out = append(out, uid)
			}
		}
		return out, nil
	}
	return []mail.UID{f.uidAt(f.cursor)}, nil
}

// Selected is how many messages are selected.
func (m *Model) Selected() int {
	if m.open == nil {
		return 0
	}
	return len(m.open.marked)
}

func (m *Model) toggleMark() tea.Cmd {
	f := m.open
	uid := f.uidAt(f.cursor)
	if f.marked[uid] {
		delete(f.marked, uid)
	} else {
		f.marked[uid] = true
	}
	f.anchor = f.cursor
	return m.moveCursor(1)
}

// markRange selects every row between the last toggled row and the
// cursor.
func (m *Model) markRange() {
	f := m.open
	lo, hi := min(f.anchor, f.cursor), max(f.anchor, f.cursor)
	for row := lo; row <= hi && row < len(f.uids); row++ {
		f.marked[f.uidAt(row)] = true
	}
}

// markAll selects everything listed: the whole folder, or every match of
// the current search.
func (m *Model) markAll() tea.Cmd {
	f := m.open
	for _, uid := range f.uids {
		f.marked[uid] = true
	}
	what := "in " + f.name
	if f.query != "" {
		what = "matching " + f.query
	}
	return common.Info(fmt.Sprintf("selected all %d %s", len(f.uids), what))
}

// clear drops the selection first, then the search.
func (m *Model) clear() tea.Cmd {
	f := m.open
	if f == nil {
		return nil
	}
	if len(f.marked) > 0 {
		f.marked = map[mail.UID]bool{}
		return nil
	}
	if f.query != "" {
		return m.clearSearch()
	}
	return nil
}

type likeKind int

const (
	likeSender likeKind = iota
	likeDomain
	likeSubject
)

// selectLike selects every message of the list that shares the current
// message's sender, sender domain or subject. The server finds them, so
// this covers rows whose envelopes were never loaded.
func (m *Model) selectLike(kind likeKind) tea.Cmd {
	e, err := m.current()
	if err != nil {
		return common.Error(err)
	}
	q, label, err := likeQuery(e, kind)
	if err != nil {
		return common.Error(err)
	}
	f, acct := m.open, m.acct
	return common.RequestIn(m.c.Common, &m.req.finds, jobs.Spec{Name: "find " + label + " in " + f.name, Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) ([]mail.UID, error) {
			ref, uids, err := acct.Mailbox.Search(ctx, f.name, q)
			if err == nil && ref.UIDValidity != f.ref.UIDValidity {
				err = mail.ErrUIDValidityChanged
			}
			return uids, err
		},
		func(t common.Ticket, uids []mail.UID, err error) tea.Msg {
			return likeFoundMsg{account: acct.Name, ticket: t, label: label, uids: uids, err: err}
		})
}

// likeFoundMsg carries messages to add to the selection.
type likeFoundMsg struct {
	account string
	ticket  common.Ticket
	label   string
	uids    []mail.UID
	err     error
}

func (m *Model) likeFound(msg likeFoundMsg) tea.Cmd {
	f := m.open
	if !msg.ticket.Current() || f == nil {
		return nil
	}
	if msg.err != nil {
		return common.Error(msg.err)
	}
	n := 0
	for _, uid := range msg.uids {
		if _, ok := searchUID(f.uids, uid); ok && !f.marked[uid] {
			f.marked[uid] = true
			n++
		}
	}
	return common.Info(fmt.Sprintf("selected %d more (%s); %d selected", n, msg.label, len(f.marked)))
}

var subjectPrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg|sv|vs)\s*(\[\d+\])?\s*:\s*|\[external\]\s*)+`)

// likeQuery builds the server search for "same sender / domain / subject".
func likeQuery(e *mail.Envelope, kind likeKind) (mail.Query, string, error) {
	var t mail.Term
	switch kind {
	case likeSender, likeDomain:
		if len(e.From) == 0 || e.From[0].Addr == "" {
			return mail.Query{}, "", errors.New("this message has no sender address")
		}
		addr := strings.ToLower(e.From[0].Addr)
		t = mail.Term{Field: mail.FieldFrom, Value: addr}
		if kind == likeDomain {
			_, domain, ok := strings.Cut(addr, "@")
			if !ok || domain == "" {
				return mail.Query{}, "", fmt.Errorf("sender %q has no domain", addr)
			}
			t.Value = "@" + domain
		}
	case likeSubject:
		subj := strings.TrimSpace(subjectPrefix.ReplaceAllString(e.Subject, ""))
		if subj == "" {
			return mail.Query{}, "", errors.New("this message has no subject")
		}
		t = mail.Term{Field: mail.FieldSubject, Value: subj}
	}
	q := mail.Query{Terms: []mail.Term{t}}
	return q, q.String(), nil
}
