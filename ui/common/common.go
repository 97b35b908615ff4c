// Package common holds what every screen shares: one small context struct
// (styles, job runner, clock), the messages screens send to the root, and
// helpers for running backend jobs as tea.Cmds and drawing untrusted text.
package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/themes"
)

// Common is shared by every screen of one console session. It is passed by
// pointer so a theme change reaches every screen at once.
type Common struct {
	Ctx    context.Context
	Styles *themes.Styles
	Jobs   *jobs.Runner
	// Keys holds per-screen key overrides from the configuration.
	Keys map[string]map[string][]string
	// Dialog answers every question a screen asks ([keys.dialog]).
	Dialog DialogKeys
	// Now is the clock; tests fix it so golden files do not age.
	Now func() time.Time
	// Operator is who is at the keyboard (for job records).
	Operator string
	// Actions is the one way a screen changes anything: planned, checked,
	// audited, undoable (backend/action).
	Actions *action.Layer
	// Gateways are the Mimecast and FortiMail clients, if configured.
	Gateways Gateways
	// Limits bound the analysis of one message (zero fields: defaults).
	Limits evidence.Limits
}

// RunJob runs fn as a backend job off the UI goroutine and turns its
// outcome into one typed message with done. The UI never waits for it.
func RunJob[T any](c *Common, spec jobs.Spec, fn func(ctx context.Context, p *jobs.Progress) (T, error), done func(id jobs.ID, v T, err error) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		var out T
		id, err := c.Jobs.Run(c.Ctx, spec, func(ctx context.Context, p *jobs.Progress) error {
			v, err := fn(ctx, p)
			out = v
			return err
		})
		return done(id, out, err)
	}
}

// ErrorMsg reports a failure for the status bar.
type ErrorMsg struct{ Err error }

// InfoMsg reports news for the status bar.
type InfoMsg struct{ Text string }

// Error returns a command that reports err.
func Error(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return ErrorMsg{Err: err} }
}

// Info returns a command that reports text.
func Info(text string) tea.Cmd {
	return func() tea.Msg { return InfoMsg{Text: text} }
}

// Account is one mail account as the screens see it.
type Account struct {
	Name          string
	Server        string // shown in the status bar, e.g. imaps://mail.example.com:993
	Mailbox       mail.Mailbox
	DefaultFolder string
	// MessageLimit caps how many bytes of one message are read.
	MessageLimit int64
	// Report is where F forwards a message; nil when not configured.
	Report *ReportDesk
}

// ReportDesk is an account's abuse/report desk and how to reach it.
type ReportDesk = action.Desk

// OpenMessageMsg asks the root to show a message.
type OpenMessageMsg struct {
	Account  string
	Folder   mail.FolderRef
	Envelope mail.Envelope
}

// BackMsg asks the root to leave the current screen.
type BackMsg struct{}

// ForAccount names the account whose screen the message is for.
func (m SeenChangedMsg) ForAccount() string { return m.Account }

// SeenChangedMsg tells every screen that messages were marked read or
// unread, so the list and the open message agree.
type SeenChangedMsg struct {
	Account string
	Folder  mail.FolderRef
	UIDs    []mail.UID
	Seen    bool
}
