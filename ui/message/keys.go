package message

import (
	"charm.land/bubbles/v2/key"

	"github.com/mailtriage/mailtriage/ui/common"
)

// KeyMap is the message screen's keys ([keys.message] in the config).
// The digits are the console's screen keys, so the tabs of the evidence
// board are walked with tab/shift+tab or ]/[ instead.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	Headers  key.Binding
	HTML     key.Binding
	// Open opens the attachment under the cursor when it is a message.
	Open key.Binding
	// AsReceived switches a report between its reported original (shown
	// first) and the report as it came.
	AsReceived key.Binding
	Save       key.Binding
	CopyURL    key.Binding
	CopyRawURL key.Binding
	Filter     key.Binding
	NextMatch  key.Binding
	PrevMatch  key.Binding
	ToggleRead key.Binding
	Back       key.Binding
	// Mailbox actions on the open message: the same keys as in the list,
	// so that a key means one thing everywhere.
	Trash    key.Binding
	Delete   key.Binding
	Flag     key.Binding
	Report   key.Binding
	Verdict  key.Binding
	Feedback key.Binding
	Purge    key.Binding
	// Gateway actions.
	BlockSender key.Binding
	Track       key.Binding
	BlockURL    key.Binding
	PermitURL   key.Binding
	DecodeURL   key.Binding
	// ThisURL and WholeDomain answer "block / permit on Mimecast?".
	ThisURL     key.Binding
	WholeDomain key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:       key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn/space", "page down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		NextTab:    key.NewBinding(key.WithKeys("tab", "]"), key.WithHelp("tab/]", "next tab")),
		PrevTab:    key.NewBinding(key.WithKeys("shift+tab", "["), key.WithHelp("shift+tab/[", "prev tab")),
		Headers:    key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "headers tab")),
		HTML:       key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "text/HTML")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open attached message")),
		Save:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save to file")),
		AsReceived: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "report: original / as received")),
		CopyURL:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy URL defanged")),
		CopyRawURL: key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy URL as is (live)")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter headers / search raw")),
		NextMatch:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevMatch:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		ToggleRead: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read/unread")),
		Back:       key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc/q", "back")),

		Trash:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "to trash")),
		Delete:   key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete permanently")),
		Flag:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "flag/unflag")),
		Report:   key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "report to abuse desk")),
		Verdict:  key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "verdict on this report's case")),
		Feedback: key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "answer the reporters")),
		Purge:    key.NewBinding(key.WithKeys("Z"), key.WithHelp("Z", "purge every copy (all mailboxes)")),

		BlockSender: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "block sender on gateways")),
		Track:       key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "track in Mimecast")),
		BlockURL:    key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "block URL on Mimecast")),
		PermitURL:   key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "permit URL on Mimecast")),
		DecodeURL:   key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "decode Mimecast link via API")),
		ThisURL:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "this URL")),
		WholeDomain: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "its whole domain")),
	}
}

// Scopes says which keys answer a question rather than act on the
// screen: "e this URL / d its whole domain" may reuse the screen's d.
var Scopes = map[string]string{"url_exact": "question", "url_domain": "question"}

// Bindings names every binding for configuration overrides.
func (k *KeyMap) Bindings() common.Bindings {
	return common.Bindings{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom, "next_tab": &k.NextTab, "prev_tab": &k.PrevTab,
		"headers": &k.Headers, "raw_headers": &k.Headers, "html": &k.HTML, "open": &k.Open, "save": &k.Save, "as_received": &k.AsReceived,
		"copy_url": &k.CopyURL, "copy_raw_url": &k.CopyRawURL, "filter": &k.Filter,
		"next_match": &k.NextMatch, "prev_match": &k.PrevMatch,
		"toggle_read": &k.ToggleRead, "back": &k.Back,
		"trash": &k.Trash, "delete": &k.Delete, "flag": &k.Flag, "report": &k.Report, "verdict": &k.Verdict, "feedback": &k.Feedback, "purge": &k.Purge,
		"block_sender": &k.BlockSender, "track": &k.Track, "block_url": &k.BlockURL, "permit_url": &k.PermitURL, "decode_url": &k.DecodeURL,
		"url_exact": &k.ThisURL, "url_domain": &k.WholeDomain,
	}
}

// ShortHelp is the help bar of any tab; Model.ShortHelp fits it to the
// tab shown.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.NextTab, k.PrevTab, k.Down, k.Save, k.Back}
}

// FullHelp is the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextTab, k.PrevTab, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Headers, k.HTML, k.Open, k.Save, k.AsReceived, k.CopyURL, k.CopyRawURL},
		{k.Filter, k.NextMatch, k.PrevMatch, k.ToggleRead, k.Back},
		{k.Trash, k.Delete, k.Flag, k.Report, k.Verdict, k.Feedback, k.Purge},
		{k.BlockSender, k.Track, k.BlockURL, k.PermitURL, k.DecodeURL},
	}
}
