package mailbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// Search runs a query (the design's search language) on the server: in
// the open folder, or with in:all in every folder.
func (m *Model) Search(text string) tea.Cmd {
	q, err := mail.ParseQuery(text)
	if err != nil {
		return common.Error(fmt.Errorf("search: %w", err))
	}
	if q.AllFolders {
		return m.searchAll(q)
	}
	if m.open == nil {
		return common.Error(fmt.Errorf("search: no folder is open"))
	}
	return m.runSearch(q.String(), false)
}

// runSearch searches the open folder; the list then shows the matches.
func (m *Model) runSearch(query string, quiet bool) tea.Cmd {
	q, err := mail.ParseQuery(query)
	if err != nil {
		return common.Error(err)
	}
	acct, name := m.acct, m.open.name
	m.open.searching = query
	return common.Request(m.c.Common, &m.req.search, jobs.Spec{Name: "search " + name + ": " + query, Account: acct.Name, Quiet: quiet},
		func(ctx context.Context, _ *jobs.Progress) (searchResult, error) {
			ref, uids, err := acct.Mailbox.Search(ctx, name, q)
			return searchResult{ref: ref, uids: uids}, err
		},
		func(t common.Ticket, r searchResult, err error) tea.Msg {
			return searchDoneMsg{account: acct.Name, ticket: t, query: query, result: r, err: err, quiet: quiet}
		})
}

type searchResult struct {
	ref  mail.FolderRef
	uids []mail.UID
}

type searchDoneMsg struct {
	account string
	ticket  common.Ticket
	query   string
	result  searchResult
	err     error
	quiet   bool
}

func (m *Model) searchDone(msg searchDoneMsg) tea.Cmd {
	f := m.open
	if !msg.ticket.Current() || f == nil {
		return nil
	}
	f.searching = ""
	if msg.err != nil {
		return common.Error(msg.err)
	}
	if f.ref.UIDValidity != 0 && msg.result.ref.UIDValidity != f.ref.UIDValidity {
		f.env = map[mail.UID]*mail.Envelope{}
	}
	keepUID, keepRow := m.cursorAnchor()
	fresh := f.query != msg.query
	f.ref, f.uids, f.query = msg.result.ref, msg.result.uids, msg.query
	f.pending = map[mail.UID]bool{}
	if fresh {
		f.marked = map[mail.UID]bool{}
		m.scrollTo(0)
	} else if f.wantUID != 0 {
		m.scrollTo(m.rowOf(f.wantUID, 0))
		f.wantUID = 0
	} else {
		m.restoreCursor(keepUID, keepRow)
	}
	cmd := m.ensureLoaded()
	if msg.quiet {
		return cmd
	}
	return tea.Batch(cmd, common.Info(fmt.Sprintf("%s for %s in %s — esc shows all", plural(len(f.uids), "match", "matches"), msg.query, f.name)))
}

// clearSearch goes back to the whole folder.
func (m *Model) clearSearch() tea.Cmd {
	f := m.open
	f.query, f.searching = "", ""
	f.marked = map[mail.UID]bool{}
	m.req.search.Cancel() // its answer would bring the search back
	return m.loadListing(f.name, m.prefetch(), false)
}

// Query is the open search, "" when the whole folder is listed.
func (m *Model) Query() string {
	if m.open == nil {
		return ""
	}
	return m.open.query
}

// searchAll fans the query out to every folder and merges the matches,
// newest first, into one list (up to mergedPerFolder per folder); picking
// one opens its folder with the search applied and the cursor on it.
func (m *Model) searchAll(q mail.Query) tea.Cmd {
	local := q
	local.AllFolders = false
	var names []string
	for _, f := range m.folders {
		if !f.NoSelect {
			names = append(names, f.Name)
		}
	}
	acct := m.acct
	return common.Request(m.c.Common, &m.req.searchAll, jobs.Spec{Name: "search all folders: " + q.String(), Account: acct.Name},
		func(ctx context.Context, p *jobs.Progress) (mergedHits, error) {
			var out mergedHits
			for i, name := range names {
				ref, uids, err := acct.Mailbox.Search(ctx, name, local)
				if err != nil {
					return out, err
				}
				out.total += len(uids)
				if len(uids) > 0 {
					out.folders++
					newest := uids[max(len(uids)-mergedPerFolder, 0):]
					envs, err := acct.Mailbox.Envelopes(ctx, ref, newest)
					if err != nil {
						return out, err
					}
					for _, e := range envs {
						out.hits = append(out.hits, folderHit{folder: name, env: e})
					}
				}
				p.Set(i+1, len(names))
			}
			slices.SortStableFunc(out.hits, func(a, b folderHit) int { return b.env.SortTime().Compare(a.env.SortTime()) })
			return out, nil
		},
		func(t common.Ticket, hits mergedHits, err error) tea.Msg {
			return searchAllMsg{account: acct.Name, ticket: t, query: local.String(), hits: hits, err: err}
		})
}

// mergedPerFolder bounds how many matches of each folder are merged.
const mergedPerFolder = 200

type folderHit struct {
	folder string
	env    mail.Envelope
}

type mergedHits struct {
	hits           []folderHit
	total, folders int
}

type searchAllMsg struct {
	account string
	ticket  common.Ticket
	query   string
	hits    mergedHits
	err     error
}

func (m *Model) searchAllDone(msg searchAllMsg) tea.Cmd {
	if !msg.ticket.Current() {
		return nil
	}
	if msg.err != nil {
		return common.Error(msg.err)
	}
	if msg.hits.total == 0 {
		return common.Info("no match for " + msg.query + " in any folder")
	}
	now := m.c.Now()
	items := make([]components.PickItem, len(msg.hits.hits))
	for i, h := range msg.hits.hits {
		from := ""
		if len(h.env.From) > 0 {
			from = h.env.From[0].Addr
		}
		items[i] = components.PickItem{Label: fmt.Sprintf("%s  %-18.18s  %-24.24s  %s", formatDate(h.env.SortTime(), now), h.folder, from, h.env.Subject), Value: strconv.Itoa(i)}
	}
	title := fmt.Sprintf("%s for %s in %d folders, newest first — enter opens", plural(msg.hits.total, "match", "matches"), msg.query, msg.hits.folders)
	query, hits := msg.query, msg.hits.hits
	m.overlay = newPicker(m.c, analysis.SanitizeLine(title), items, false, func(it components.PickItem, _ string) tea.Cmd {
		i, _ := strconv.Atoi(it.Value)
		return m.openWithSearch(hits[i].folder, query, hits[i].env.UID)
	})
	return nil
}

// openWithSearch opens folder with query applied, the cursor on uid.
func (m *Model) openWithSearch(folder, query string, uid mail.UID) tea.Cmd {
	before := m.open
	cmd := m.OpenFolder(folder)
	if m.open == before {
		return cmd // the folder could not be opened; OpenFolder said why
	}
	m.open.query, m.open.wantUID = query, uid
	return tea.Batch(cmd, m.runSearch(query, false))
}

// searchPrompt is the "/" input.
func (m *Model) searchPrompt() tea.Cmd {
	initial := ""
	if m.open != nil {
		initial = m.open.query
	}
	in := newInput(m.c, "/", initial, "from: to: subject: body: since:YYYY-MM-DD is:unread tag: in:all …", func(text string) tea.Cmd {
		if strings.TrimSpace(text) == "" {
			return m.clear()
		}
		return m.Search(text)
	})
	m.overlay = in
	return in.focus()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
