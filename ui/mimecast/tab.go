package mimecast

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// tab is what every Mimecast tab is, as on the FortiMail screen: a name,
// what it loads, its keys and help, and the list it shows. The model
// holds the tabs in order and asks the open one; it never switches on
// which tab is open.
type tab interface {
	name() string
	// load fetches what the tab shows (again); user says the analyst
	// asked, so a failure goes to the status bar.
	load(m *Model, user bool) tea.Cmd
	// key handles the tab's own keys.
	key(m *Model, msg tea.KeyPressMsg) tea.Cmd
	// help is the help bar's tab part.
	help(m *Model) []key.Binding
	// list is the pane shown now; false for a tab without a list.
	list(m *Model) (paneID, bool)
	// body draws the tab (below the tab strip) in h lines.
	body(m *Model, h int) []string
}

// listTab is a tab that shows one pane; the Groups and Logs tabs choose
// between two.
type listTab struct {
	title  string
	pane   func(m *Model) paneID
	loadFn func(m *Model, user bool) tea.Cmd
	keyFn  func(m *Model, msg tea.KeyPressMsg) tea.Cmd
	helpFn func(m *Model) []key.Binding
}

func (t listTab) name() string                              { return t.title }
func (t listTab) load(m *Model, user bool) tea.Cmd          { return t.loadFn(m, user) }
func (t listTab) key(m *Model, msg tea.KeyPressMsg) tea.Cmd { return t.keyFn(m, msg) }
func (t listTab) help(m *Model) []key.Binding               { return t.helpFn(m) }
func (t listTab) list(m *Model) (paneID, bool)              { return t.pane(m), true }
func (t listTab) body(m *Model, h int) []string             { return m.listBody(t.pane(m), h) }
func fixed(id paneID) func(*Model) paneID                   { return func(*Model) paneID { return id } }
func helpOf(f func(k KeyMap) []key.Binding) func(*Model) []key.Binding {
	return func(m *Model) []key.Binding { return f(m.keys) }
}

// toolsTab has no list: decode a URL, look up aliases.
type toolsTab struct{}

func (toolsTab) name() string                              { return "Tools" }
func (toolsTab) load(*Model, bool) tea.Cmd                 { return nil }
func (toolsTab) key(m *Model, msg tea.KeyPressMsg) tea.Cmd { return m.toolsKey(msg) }
func (toolsTab) help(m *Model) []key.Binding               { return []key.Binding{m.keys.Decode, m.keys.Aliases} }
func (toolsTab) list(*Model) (paneID, bool)                { return 0, false }
func (toolsTab) body(m *Model, h int) []string             { return m.toolsLines(h) }

// newTabs builds the tabs in the order they are shown (tabID order).
func newTabs() [tabCount]tab {
	return [tabCount]tab{
		tabPolicies: listTab{title: "Policies", pane: fixed(panePolicies),
			loadFn: (*Model).loadPolicies, keyFn: (*Model).policyKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.New, "new policy"), with(k.Edit, "edit"), with(k.Delete, "delete"), k.Open, k.Reload}
			})},
		tabSenders: listTab{title: "Senders", pane: fixed(paneSenders),
			loadFn: (*Model).loadSenders, keyFn: (*Model).senderKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.Block, "block sender"), with(k.Permit, "permit sender"), k.Reload}
			})},
		tabURLs: listTab{title: "URLs", pane: fixed(paneURLs),
			loadFn: (*Model).loadURLs, keyFn: (*Model).urlKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.Block, "block URL"), with(k.Permit, "permit URL"), with(k.Delete, "delete"), with(k.Search, "filter"), k.Open}
			})},
		tabGroups: listTab{title: "Groups", pane: (*Model).groupsPane,
			loadFn: func(m *Model, user bool) tea.Cmd {
				if m.group != nil {
					return m.loadMembers(user)
				}
				return m.loadGroups(user)
			},
			keyFn: (*Model).groupKey,
			helpFn: func(m *Model) []key.Binding {
				k := m.keys
				if m.group != nil {
					return []key.Binding{with(k.New, "add members"), with(k.Delete, "remove member"), with(k.Back, "groups"), k.Reload}
				}
				return []key.Binding{with(k.Open, "members"), with(k.New, "new group"), with(k.Edit, "edit group"), with(k.Delete, "delete group"), with(k.Search, "find")}
			}},
		tabTracking: listTab{title: "Tracking", pane: fixed(paneTracking),
			loadFn: func(m *Model, _ bool) tea.Cmd {
				if m.trackQ != nil {
					return m.track(m.trackQ)
				}
				return m.trackingForm()
			},
			keyFn: (*Model).trackingKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.Search, "search"), with(k.Open, "message info"), with(k.ByID, "info by id"), k.Reload}
			})},
		tabArchive: listTab{title: "Archive", pane: fixed(paneArchive),
			loadFn: func(m *Model, _ bool) tea.Cmd {
				if m.archiveQ != nil {
					return m.searchArchive(m.archiveQ)
				}
				return m.archiveForm()
			},
			keyFn: (*Model).archiveKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.Search, "search"), with(k.Open, "message detail"), with(k.ByID, "detail by id"), k.Reload}
			})},
		tabMessages: listTab{title: "Messages", pane: fixed(paneMessages),
			loadFn: func(m *Model, _ bool) tea.Cmd {
				if m.messagesQ != nil {
					return m.listMessages(m.messagesQ)
				}
				return m.messagesForm()
			},
			keyFn: (*Model).messagesKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.Search, "mailbox, folder, dates"), with(k.Open, "message detail"), with(k.ByID, "detail by id"), k.Reload}
			})},
		tabLogs: listTab{title: "Logs", pane: func(m *Model) paneID { return m.logView },
			loadFn: func(m *Model, user bool) tea.Cmd {
				if m.logView == paneSearchLogs {
					return m.loadSearchLogs(user)
				}
				return m.loadClicks(user)
			},
			keyFn: (*Model).logKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.View, "click / search logs"), with(k.Search, "filter"), k.Open, k.Reload}
			})},
		tabTools: toolsTab{},
		tabHeld: listTab{title: "Held", pane: fixed(paneHeld),
			loadFn: (*Model).loadHeld, keyFn: (*Model).heldKey,
			helpFn: helpOf(func(k KeyMap) []key.Binding {
				return []key.Binding{with(k.Release, "release"), with(k.Reject, "reject"), with(k.Search, "filter"), k.Open, k.Reload}
			})},
	}
}

// groupsPane is the members of the open group, else the groups.
func (m *Model) groupsPane() paneID {
	if m.group != nil {
		return paneMembers
	}
	return paneGroups
}
