package mailbox

import (
	"charm.land/bubbles/v2/key"

	"github.com/mailtriage/mailtriage/ui/common"
)

// KeyMap is the mailbox screen's keys. Names in Bindings are what users
// rebind in [keys.mailbox].
type KeyMap struct {
	Up         key.Binding
	Down       key.Binding
	PageUp     key.Binding
	PageDown   key.Binding
	Top        key.Binding
	Bottom     key.Binding
	Open       key.Binding
	NextPane   key.Binding
	ToggleRead key.Binding
	Refresh    key.Binding

	Select        key.Binding
	SelectRange   key.Binding
	SelectAll     key.Binding
	SelectSender  key.Binding
	SelectDomain  key.Binding
	SelectSubject key.Binding
	Campaigns     key.Binding
	Clear         key.Binding
	Move          key.Binding
	Copy          key.Binding
	Trash         key.Binding
	Delete        key.Binding
	SoftDelete    key.Binding
	Flag          key.Binding
	Tag           key.Binding
	Undo          key.Binding
	Search        key.Binding
	Info          key.Binding
	Report        key.Binding
	Block         key.Binding
	// AsReceived shows reports as received instead of as the phish they
	// carry.
	AsReceived key.Binding
	// Verdict gives the reports' case a verdict; Feedback answers their
	// reporters.
	Verdict  key.Binding
	Feedback key.Binding
	// Purge takes every copy of the message out of every mailbox.
	Purge key.Binding
}

// DefaultKeyMap returns the keys of the design notes.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:       key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:        key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "newest")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "oldest")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		NextPane:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "folders/list")),
		ToggleRead: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read/unread")),
		Refresh:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),

		Select:        key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "select")),
		SelectRange:   key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "select range")),
		SelectAll:     key.NewBinding(key.WithKeys("*"), key.WithHelp("*", "select all listed")),
		SelectSender:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "select same sender")),
		SelectDomain:  key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "select sender domain")),
		SelectSubject: key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "select same subject")),
		Campaigns:     key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "campaigns: group, select one")),
		Clear:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear selection/search")),
		Move:          key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "move")),
		Copy:          key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Trash:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "to trash")),
		Delete:        key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete permanently")),
		SoftDelete:    key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "soft delete/restore")),
		Flag:          key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "flag/unflag")),
		Tag:           key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tag")),
		Undo:          key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo")),
		Search:        key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Info:          key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "folder info")),
		Report:        key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "report to abuse desk")),
		Block:         key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "block sender on gateways")),
		AsReceived:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reports: originals / as received")),
		Verdict:       key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "verdict on the reports' case")),
		Feedback:      key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "answer the reporters")),
		Purge:         key.NewBinding(key.WithKeys("Z"), key.WithHelp("Z", "purge every copy (all mailboxes)")),
	}
}

// Bindings names every binding for configuration overrides.
func (k *KeyMap) Bindings() common.Bindings {
	return common.Bindings{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom, "open": &k.Open, "next_pane": &k.NextPane,
		"toggle_read": &k.ToggleRead, "refresh": &k.Refresh,
		"select": &k.Select, "select_range": &k.SelectRange, "select_all": &k.SelectAll,
		"select_sender": &k.SelectSender, "select_domain": &k.SelectDomain, "select_subject": &k.SelectSubject,
		"campaigns": &k.Campaigns,
		"clear":     &k.Clear, "move": &k.Move, "copy": &k.Copy, "trash": &k.Trash, "delete": &k.Delete,
		"soft_delete": &k.SoftDelete, "flag": &k.Flag, "tag": &k.Tag, "undo": &k.Undo, "search": &k.Search,
		"info": &k.Info, "report": &k.Report, "block": &k.Block, "as_received": &k.AsReceived, "verdict": &k.Verdict, "feedback": &k.Feedback, "purge": &k.Purge,
	}
}

// ShortHelp is the help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Select, k.Move, k.Trash, k.Tag, k.Search, k.Undo}
}

// FullHelp is the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.NextPane, k.Search, k.Clear, k.Info, k.Refresh},
		{k.Select, k.SelectRange, k.SelectAll, k.SelectSender, k.SelectDomain, k.SelectSubject, k.Campaigns},
		{k.Move, k.Copy, k.Trash, k.Delete, k.SoftDelete, k.ToggleRead, k.Flag, k.Tag, k.Undo, k.Report, k.Block, k.AsReceived, k.Verdict, k.Feedback, k.Purge},
	}
}
