package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/themes"
)

// command is one `:` command.
type command struct {
	name  string
	usage string
	help  string
	run   func(m *Model, arg string) tea.Cmd
}

// commandTable is every `:` command, in the order help lists them. It is
// a function, not a package variable, because the commands' methods reach
// the table again (help, completion): a variable would be an
// initialisation cycle.
func commandTable() []command {
	return []command{
		{name: "folder", usage: "folder NAME", help: "open a folder", run: (*Model).cmdFolder},
		{name: "account", usage: "account NAME", help: "switch account", run: (*Model).cmdAccount},
		{name: "read", usage: "read", help: "mark the selection (or current message) read", run: act(remediate.Read)},
		{name: "unread", usage: "unread", help: "mark the selection (or current message) unread", run: act(remediate.Unread)},
		{name: "flag", usage: "flag", help: "flag the selection", run: act(remediate.Flag)},
		{name: "unflag", usage: "unflag", help: "unflag the selection", run: act(remediate.Unflag)},
		{name: "reload", usage: "reload", help: "reload folders and the list", run: func(m *Model, _ string) tea.Cmd { return m.box().Refresh() }},
		{name: "jobs", usage: "jobs", help: "show the jobs screen", run: func(m *Model, _ string) tea.Cmd { m.show(screenJobs); return nil }},
		{name: "theme", usage: "theme NAME", help: "dark, light, high-contrast, none", run: (*Model).cmdTheme},
		{name: "help", usage: "help", help: "show keys and commands", run: func(m *Model, _ string) tea.Cmd { m.showHelp = true; return nil }},
		{name: "quit", usage: "quit", help: "leave mailtriage", run: func(*Model, string) tea.Cmd { return tea.Quit }},
		{name: "search", usage: "search QUERY", help: "search the folder on the server (in:all: every folder)", run: (*Model).cmdSearch},
		{name: "move", usage: "move FOLDER", help: "move the selection", run: (*Model).cmdMove},
		{name: "copy", usage: "copy FOLDER", help: "copy the selection", run: (*Model).cmdCopy},
		{name: "delete", usage: "delete [--soft|--hard]", help: "to Trash; --soft flags \\Deleted; --hard expunges", run: (*Model).cmdDelete},
		{name: "restore", usage: "restore", help: "clear \\Deleted (undo a soft delete)", run: act(remediate.Restore)},
		{name: "tag", usage: "tag NAME", help: "add a category", run: (*Model).cmdTag},
		{name: "untag", usage: "untag NAME", help: "remove a category", run: (*Model).cmdUntag},
		{name: "undo", usage: "undo", help: "take back the last remediation", run: func(m *Model, _ string) tea.Cmd { return m.box().Undo() }},
		{name: "info", usage: "info [FOLDER]", help: "folder metadata", run: (*Model).cmdInfo},
		{name: "report", usage: "report", help: "forward the message to the report desk as an attachment", run: (*Model).cmdReport},
		{name: "calendar", usage: "calendar [DAYS|SUBJECT]", help: "upcoming events, or events about a subject (Graph accounts)", run: (*Model).cmdCalendar},
		{name: "event", usage: "event [FIELD=VALUE…]", help: "create a calendar event (Graph accounts): a form with the seed's fields, preview, y creates (also :calendar new)", run: (*Model).cmdEvent},
		{name: "contacts", usage: "contacts [TEXT]", help: "the address book, filtered by TEXT (Graph accounts)", run: (*Model).cmdContacts},
		{name: "audit", usage: "audit", help: "show the latest audit records", run: (*Model).cmdAudit},
		{name: "verdict", usage: "verdict [NAME]", help: "give the reports' case a verdict (phishing, spam, clean, simulation…), kept on the server", run: (*Model).cmdVerdict},
		{name: "purge", usage: "purge [MESSAGE-ID]", help: "find every copy of the message (a report's original) in every mailbox and take them out (plan first)", run: (*Model).cmdPurge},
		{name: "send", usage: "send [TO]", help: "compose a message (To, Cc, Bcc, subject, body, files), preview it, send it through the account", run: (*Model).cmdSend},
		{name: "reply", usage: "reply", help: "answer the open message (a report: its reporter) — compose, preview, send", run: (*Model).cmdReply},
		{name: "feedback", usage: "feedback", help: "answer the reporters of the case, from the verdict's template (previewed first)", run: (*Model).cmdFeedback},
		{name: "block-sender", usage: "block-sender", help: "block the selection's senders on Mimecast / FortiMail (plan first)", run: (*Model).cmdBlockSender},
		{name: "export", usage: "export json|iocs|eml FILE", help: "write the message's analysis, indicators (.csv or JSON; --raw undefanged) or original; --force replaces", run: (*Model).cmdExport},
	}
}

func (m *Model) openCommandLine() tea.Cmd {
	m.cmdActive = true
	m.cmd.Reset()
	m.cmd.SetSuggestions(m.suggestions())
	return m.cmd.Focus()
}

// suggestions complete command names and their arguments (folders,
// accounts, themes).
func (m *Model) suggestions() []string {
	var out []string
	for _, c := range m.commands {
		out = append(out, c.name)
	}
	for _, f := range m.box().FolderNames() {
		// The completion menu draws suggestions as they are: a folder
		// name that hides characters is left for the analyst to type.
		if analysis.SanitizeLine(f).Markers == 0 {
			out = append(out, "folder "+f)
		}
	}
	for _, a := range m.opts.Accounts {
		out = append(out, "account "+a.Name)
	}
	for _, t := range themes.Names() {
		out = append(out, "theme "+t)
	}
	sort.Strings(out)
	return out
}

func (m *Model) commandKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Dialog.Or()
	switch {
	case key.Matches(msg, k.Cancel):
		m.cmdActive = false
		m.cmd.Blur()
		return nil
	case key.Matches(msg, k.Submit):
		line := m.cmd.Value()
		m.cmdActive = false
		m.cmd.Blur()
		return m.execute(line)
	}
	var cmd tea.Cmd
	m.cmd, cmd = m.cmd.Update(msg)
	return cmd
}

// execute runs one command line.
func (m *Model) execute(line string) tea.Cmd {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	if name == "q" {
		name = "quit"
	}
	for _, c := range m.commands {
		if c.name != name {
			continue
		}
		return c.run(m, arg)
	}
	return m.setFlash(fmt.Sprintf("unknown command %q (? lists the commands)", name), true)
}

func (m *Model) cmdFolder(arg string) tea.Cmd {
	if arg == "" {
		return m.setFlash("usage: folder NAME", true)
	}
	m.show(screenMailbox)
	return m.box().OpenFolder(arg)
}

func (m *Model) cmdAccount(arg string) tea.Cmd {
	for i, a := range m.opts.Accounts {
		if a.Name == arg {
			return m.switchAccount(i)
		}
	}
	names := make([]string, len(m.opts.Accounts))
	for i, a := range m.opts.Accounts {
		names[i] = a.Name
	}
	return m.setFlash(fmt.Sprintf("no account %q (accounts: %s)", arg, strings.Join(names, ", ")), true)
}

func (m *Model) cmdTheme(arg string) tea.Cmd {
	if noColor(m.opts.Environ) {
		return m.setFlash("NO_COLOR is set: colours stay off", true)
	}
	if err := m.setTheme(arg); err != nil {
		return m.setFlash(err.Error(), true)
	}
	m.autoTheme = false
	return m.setFlash("theme "+arg, false)
}

// cmdReport forwards the open message (message screen) or the list's
// message to the report desk; the question names it.
func (m *Model) cmdReport(string) tea.Cmd {
	t, onMessage := m.message.Target()
	onMessage = onMessage && m.screen == screenMessage
	m.show(screenMailbox)
	if onMessage {
		return m.box().ReportTarget(t)
	}
	return m.box().Report()
}

// cmdBlockSender blocks the open message's sender (message screen) or the
// senders of the list's selection.
func (m *Model) cmdBlockSender(string) tea.Cmd {
	if m.screen == screenMessage {
		if t, ok := m.message.Target(); ok {
			env, reporters := m.message.ActionEnvelope()
			m.show(screenMailbox)
			return m.box().BlockSenders(t, []*mail.Envelope{&env}, reporters)
		}
	}
	m.show(screenMailbox)
	return m.box().BlockSender()
}

// cmdVerdict gives a verdict to the open message's case (message screen)
// or to the cases of the list's target; without NAME it offers the
// configured verdicts.
func (m *Model) cmdVerdict(arg string) tea.Cmd {
	var open *action.Target
	if m.screen == screenMessage {
		if t, ok := m.message.Target(); ok {
			open = &t
		}
	}
	m.show(screenMailbox)
	switch {
	case arg == "":
		return m.box().PickVerdict(open)
	case open != nil:
		return m.box().VerdictOn(*open, arg)
	}
	return m.box().GiveVerdict(arg)
}

// cmdFeedback answers the reporters of the open message's case, or of the
// list target's cases.
func (m *Model) cmdFeedback(string) tea.Cmd {
	if m.screen == screenMessage {
		if t, ok := m.message.Target(); ok {
			m.show(screenMailbox)
			return m.box().FeedbackOn(t)
		}
	}
	m.show(screenMailbox)
	return m.box().Feedback()
}

// cmdPurge plans the purge of every copy of the open message (a report's
// original), of the list's message, or of the Message-ID given.
func (m *Model) cmdPurge(arg string) tea.Cmd {
	id := strings.TrimSpace(arg)
	if id == "" && m.screen == screenMessage {
		env, _ := m.message.ActionEnvelope()
		if env.MessageID == "" {
			return m.setFlash("this message has no Message-ID to look for", true)
		}
		id = env.MessageID
	}
	m.show(screenMailbox)
	if id == "" {
		return m.box().Purge()
	}
	return m.box().PurgeMessageID(id)
}

// cmdSend opens the compose form.
func (m *Model) cmdSend(arg string) tea.Cmd {
	m.show(screenMailbox)
	return m.box().Compose(strings.TrimSpace(arg), "", nil)
}

// cmdReply answers the open message (message screen) or the one under
// the list cursor: to its sender — for a report, the colleague who
// reported it, never the phish's sender.
func (m *Model) cmdReply(string) tea.Cmd {
	var env mail.Envelope
	if m.screen == screenMessage {
		if _, ok := m.message.Target(); !ok {
			return m.setFlash("no message is open", true)
		}
		env = m.message.Envelope()
	} else {
		_, e, err := m.box().CurrentMessage()
		if err != nil {
			return m.setFlash("reply: "+err.Error(), true)
		}
		env = e
	}
	if len(env.From) == 0 || env.From[0].Addr == "" {
		return m.setFlash("reply: the message has no sender address", true)
	}
	subject := env.Subject
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	m.show(screenMailbox)
	return m.box().Compose(env.From[0].Addr, subject, &env)
}
