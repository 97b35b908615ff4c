package fortimail

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// greyTab shows the greylist (triplets being deferred) and the
// auto-exempt greylist (triplets let through at once). Their item fields
// were never documented, so the columns are whatever keys the appliance
// sends.
type greyTab struct {
	grey, exempt []bfm.Entry
	cur          cursor
	top          int
	done         bool
	loading      bool
	err          error
	listReq      common.Slot
}

type greyMsg struct {
	ticket       common.Ticket
	grey, exempt []bfm.Entry
	err          error
}

func (t *greyTab) loaded() bool { return t.done }
func (t *greyTab) busy() bool   { return t.loading }
func (t *greyTab) crumbs() string {
	return "Greylist and auto-exempt greylist"
}

func (t *greyTab) summary() string {
	if !t.done {
		return ""
	}
	return fmt.Sprintf("greylist %d · auto-exempt %d", len(t.grey), len(t.exempt))
}

func (t *greyTab) load(m *Model) tea.Cmd {
	t.loading, t.err = true, nil
	return load(m, &t.listReq, "greylists", func(ctx context.Context, c Gateway) (greyMsg, error) {
		grey, err := c.ListGreylist(ctx)
		if err != nil {
			return greyMsg{}, err
		}
		exempt, err := c.ListAutoExemptGreylist(ctx)
		return greyMsg{grey: grey, exempt: exempt}, err
	}, func(tk common.Ticket, v greyMsg, err error) tea.Msg {
		v.ticket, v.err = tk, err
		return v
	})
}

func (t *greyTab) update(m *Model, msg tea.Msg) tea.Cmd {
	g, ok := msg.(greyMsg)
	if !ok || !g.ticket.Current() {
		return nil
	}
	t.loading = false
	if g.err != nil {
		t.err = g.err
		return failed("greylists", g.err)
	}
	t.grey, t.exempt, t.done = g.grey, g.exempt, true
	t.cur.clamp(len(t.grey) + len(t.exempt))
	return nil
}

func (t *greyTab) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	m.navigate(k, &t.cur, len(t.grey)+len(t.exempt))
	return nil
}

// preferred puts the keys an analyst reads first in front.
var preferred = []string{"ip", "sender", "sender_domain", "recipient", "expire"}

// entryColumns are the keys of entries in display order, at most max.
func entryColumns(entries []bfm.Entry, limit int) []string {
	seen := map[string]bool{}
	var others []string
	for _, e := range entries {
		for k := range e.Fields {
			if !seen[k] {
				seen[k] = true
				if !slices.Contains(preferred, k) {
					others = append(others, k)
				}
			}
		}
	}
	sort.Strings(others)
	var out []string
	for _, k := range preferred {
		if seen[k] {
			out = append(out, k)
		}
	}
	out = append(out, others...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func entryValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func (t *greyTab) section(m *Model, title string, entries []bfm.Entry, offset int, lines *[]string, itemLine *[]int) {
	st := m.c.Styles
	*lines = append(*lines, st.Title.Render(fmt.Sprintf(" %s (%d)", title, len(entries))))
	if len(entries) == 0 {
		*lines = append(*lines, st.Muted.Render(" empty"))
		return
	}
	keys := entryColumns(entries, max((m.width-6)/14, 1))
	w := max((m.width-6)/len(keys)-1, 6)
	cols := func(first string, vals []string) []column {
		out := []column{{plain(" "), 1}, {txt(first), 4}}
		for _, v := range vals {
			out = append(out, column{txt(v), w})
		}
		return out
	}
	*lines = append(*lines, m.header(cols("#", keys)))
	for i, e := range entries {
		vals := make([]string, len(keys))
		for j, k := range keys {
			vals[j] = entryValue(e.Fields[k])
		}
		*itemLine = append(*itemLine, len(*lines))
		*lines = append(*lines, m.row(cols(e.Key, vals), offset+i == t.cur.pos))
	}
}

func (t *greyTab) render(m *Model, h int) []string {
	switch {
	case !t.done && t.err != nil:
		return m.errorLines("greylists", t.err)
	case !t.done:
		return []string{m.loadingLine("greylists")}
	}
	var lines []string
	var itemLine []int
	t.section(m, "Greylist: deferred sender/recipient/IP triplets", t.grey, 0, &lines, &itemLine)
	lines = append(lines, "")
	t.section(m, "Auto-exempt greylist: triplets let through at once", t.exempt, len(t.grey), &lines, &itemLine)
	focus := 0
	if t.cur.pos < len(itemLine) {
		focus = itemLine[t.cur.pos]
	}
	return windowAround(lines, focus, h, &t.top)
}

func (t *greyTab) help(m *Model) []key.Binding {
	k := m.keys
	return []key.Binding{k.Down, k.Up, k.NextTab, k.PrevTab, k.Reload}
}
