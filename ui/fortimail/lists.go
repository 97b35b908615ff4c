package fortimail

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
)

// listRef names one sender list: a system or domain block/safe list, or
// one of a session profile's four lists.
type listRef struct {
	session string // session profile; "" for a system or domain list
	scope   string // system or a domain
	kind    bfm.ListKind
	slist   bfm.SessionList
}

func (r listRef) where() string {
	if r.session != "" {
		return "session profile " + r.session
	}
	return r.scope
}

func (r listRef) what() string {
	if r.session != "" {
		return r.slist.String()
	}
	return "sender " + r.kind.String()
}

func (r listRef) String() string { return r.what() + " of " + r.where() }

func (r listRef) entries(ctx context.Context, c senderLists) ([]string, error) {
	if r.session != "" {
		return c.SessionListEntries(ctx, r.session, r.slist)
	}
	return c.SenderList(ctx, r.scope, r.kind)
}

func (r listRef) change(ctx context.Context, c senderLists, entry string, add bool) error {
	switch {
	case r.session != "" && add:
		return c.AddSessionListEntry(ctx, r.session, r.slist, entry)
	case r.session != "":
		return c.RemoveSessionListEntry(ctx, r.session, r.slist, entry)
	case add:
		return c.AddToSenderList(ctx, r.scope, r.kind, entry)
	}
	return c.RemoveFromSenderList(ctx, r.scope, r.kind, entry)
}

// auditAction names the change in the audit log.
func (r listRef) auditAction(add bool) remediate.Action {
	switch {
	case r.session != "" && add:
		return remediate.FortiMailAddToSessionList
	case r.session != "":
		return remediate.FortiMailRemoveFromSessionList
	case add:
		return remediate.FortiMailAddToSenderList
	}
	return remediate.FortiMailRemoveFromSenderList
}

// listsTab lists every sender list; one opens on its entries, which can
// be added and removed.
type listsTab struct {
	refs    []listRef
	cur     cursor
	done    bool
	loading bool
	err     error
	listReq common.Slot

	open     *listRef
	entries  []string
	ecur     cursor
	eDone    bool
	eLoading bool
	eErr     error
	openReq  common.Slot
}

type catalogMsg struct {
	ticket common.Ticket
	refs   []listRef
	err    error
}

type entriesMsg struct {
	ticket  common.Ticket
	entries []string
	err     error
}

type entryChangedMsg struct {
	ref   listRef
	entry string
	add   bool
	err   error
}

func (t *listsTab) loaded() bool { return t.done }
func (t *listsTab) busy() bool   { return t.loading || t.eLoading }

func (t *listsTab) crumbs() string {
	if t.open != nil {
		return "Sender lists › " + t.open.String()
	}
	return "Sender lists"
}

func (t *listsTab) summary() string {
	if t.open != nil && t.eDone {
		return fmt.Sprintf("%s: %d entries", t.open, len(t.entries))
	}
	if t.done {
		return fmt.Sprintf("%d sender lists", len(t.refs))
	}
	return ""
}

// load fetches which lists exist (the system's, each domain's and each
// session profile's), and the open list's entries again.
func (t *listsTab) load(m *Model) tea.Cmd {
	t.loading, t.err = true, nil
	cmd := load(m, &t.listReq, "sender lists", func(ctx context.Context, c Gateway) ([]listRef, error) {
		domains, err := c.ListDomains(ctx)
		if err != nil {
			return nil, err
		}
		profiles, err := c.ListSessionProfiles(ctx)
		if err != nil {
			return nil, err
		}
		refs := []listRef{{scope: bfm.System, kind: bfm.BlockList}, {scope: bfm.System, kind: bfm.SafeList}}
		for _, d := range domains {
			refs = append(refs, listRef{scope: d.Name, kind: bfm.BlockList}, listRef{scope: d.Name, kind: bfm.SafeList})
		}
		for _, p := range profiles {
			for _, l := range []bfm.SessionList{bfm.SessionSenderBlockList, bfm.SessionSenderSafeList, bfm.SessionRecipientBlockList, bfm.SessionRecipientSafeList} {
				refs = append(refs, listRef{session: p.Name, slist: l})
			}
		}
		return refs, nil
	}, func(tk common.Ticket, refs []listRef, err error) tea.Msg {
		return catalogMsg{ticket: tk, refs: refs, err: err}
	})
	if t.open != nil {
		return tea.Batch(cmd, t.loadEntries(m))
	}
	return cmd
}

func (t *listsTab) loadEntries(m *Model) tea.Cmd {
	ref := *t.open
	t.eLoading, t.eErr = true, nil
	entries := func(ctx context.Context, c Gateway) ([]string, error) { return ref.entries(ctx, c) }
	return load(m, &t.openReq, "get "+ref.String(), entries, func(tk common.Ticket, e []string, err error) tea.Msg {
		return entriesMsg{ticket: tk, entries: e, err: err}
	})
}

func (t *listsTab) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case catalogMsg:
		if !msg.ticket.Current() {
			return nil
		}
		t.loading = false
		if msg.err != nil {
			t.err = msg.err
			return failed("sender lists", msg.err)
		}
		t.refs, t.done = msg.refs, true
		t.cur.clamp(len(t.refs))
	case entriesMsg:
		if !msg.ticket.Current() {
			return nil
		}
		t.eLoading = false
		if msg.err != nil {
			t.eErr = msg.err
			return failed(t.open.String(), msg.err)
		}
		t.entries, t.eDone = msg.entries, true
		t.ecur.clamp(len(t.entries))
	case entryChangedMsg:
		verb, done, prep := "add", "added", "to"
		if !msg.add {
			verb, done, prep = "remove", "removed", "from"
		}
		if msg.err != nil {
			return failed(fmt.Sprintf("%s %q %s %s", verb, msg.entry, prep, msg.ref), msg.err)
		}
		info := common.Info(fmt.Sprintf("%s %q %s %s", done, msg.entry, prep, msg.ref))
		if t.open != nil && *t.open == msg.ref {
			return tea.Batch(info, t.loadEntries(m))
		}
		return info
	}
	return nil
}

// target is the list a or d acts on: the open one, else the one under
// the cursor.
func (t *listsTab) target() (listRef, bool) {
	if t.open != nil {
		return *t.open, true
	}
	if t.cur.pos < len(t.refs) {
		return t.refs[t.cur.pos], true
	}
	return listRef{}, false
}

func (t *listsTab) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	if key.Matches(k, km.Add) {
		if ref, ok := t.target(); ok {
			t.askAdd(m, ref)
		}
		return nil
	}
	if t.open != nil {
		if m.navigate(k, &t.ecur, len(t.entries)) {
			return nil
		}
		switch {
		case key.Matches(k, km.Back):
			t.openReq.Cancel() // the list is closed: its entries are not wanted
			t.open, t.entries, t.eDone, t.eLoading = nil, nil, false, false
		case key.Matches(k, km.Delete) && t.eDone && t.ecur.pos < len(t.entries):
			t.askRemove(m, *t.open, t.entries[t.ecur.pos])
		}
		return nil
	}
	if m.navigate(k, &t.cur, len(t.refs)) {
		return nil
	}
	if key.Matches(k, km.Open) {
		if ref, ok := t.target(); ok {
			t.open, t.eDone, t.ecur = &ref, false, cursor{}
			return t.loadEntries(m)
		}
	}
	return nil
}

func (t *listsTab) askAdd(m *Model, ref listRef) {
	m.overlay = newInput(m.c.Styles, "Add to "+ref.String()+":", "address, *@domain or IP/netmask", checkEntry, func(entry string) tea.Cmd {
		return change(m, ref.auditAction(true), fmt.Sprintf("add %q to %s", entry, ref), fmt.Sprintf("%q to %s", entry, ref),
			func(ctx context.Context, c Gateway) (struct{}, error) {
				return struct{}{}, ref.change(ctx, c, entry, true)
			},
			func(_ struct{}, err error) tea.Msg {
				return entryChangedMsg{ref: ref, entry: entry, add: true, err: err}
			})
	})
}

func (t *listsTab) askRemove(m *Model, ref listRef, entry string) {
	m.overlay = &confirm{
		title:  fmt.Sprintf("Remove %q from %s?", entry, ref),
		danger: true,
		onYes: func() tea.Cmd {
			return change(m, ref.auditAction(false), fmt.Sprintf("remove %q from %s", entry, ref), fmt.Sprintf("%q from %s", entry, ref),
				func(ctx context.Context, c Gateway) (struct{}, error) {
					return struct{}{}, ref.change(ctx, c, entry, false)
				},
				func(_ struct{}, err error) tea.Msg { return entryChangedMsg{ref: ref, entry: entry, err: err} })
		},
	}
}

func (t *listsTab) render(m *Model, h int) []string {
	if t.open != nil {
		switch {
		case !t.eDone && t.eErr != nil:
			return m.errorLines(t.open.String(), t.eErr)
		case !t.eDone:
			return []string{m.loadingLine("entries")}
		}
		out := []string{m.header([]column{{plain(" "), 1}, {plain(fmt.Sprintf("Entries (%d)", len(t.entries))), 0}})}
		return append(out, m.table(h-1, &t.ecur, len(t.entries), "the list is empty ("+m.keys.Add.Help().Key+" adds)", func(i int, sel bool) string {
			return m.row([]column{{plain(" "), 1}, {txt(t.entries[i]), 0}}, sel)
		})...)
	}
	switch {
	case !t.done && t.err != nil:
		return m.errorLines("sender lists", t.err)
	case !t.done:
		return []string{m.loadingLine("sender lists")}
	}
	cols := func(where, what string) []column {
		return []column{{plain(" "), 1}, {txt(where), 40}, {txt(what), 0}}
	}
	out := []string{m.header(cols("Where", "List"))}
	return append(out, m.table(h-1, &t.cur, len(t.refs), "", func(i int, sel bool) string {
		r := t.refs[i]
		return m.row(cols(r.where(), r.what()), sel)
	})...)
}

func (t *listsTab) help(m *Model) []key.Binding {
	k := m.keys
	if t.open != nil {
		return []key.Binding{k.Add, k.Delete, k.Back, k.Reload, k.NextTab}
	}
	return []key.Binding{k.Open, k.Add, k.NextTab, k.PrevTab, k.Reload}
}
